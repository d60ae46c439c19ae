// ServiceTitan's export feeds (`from` → `continueFrom`, `hasMore`, `includeRecentChanges`), in
// the shape D4 documents: records ordered by modification, changes reaching the feed only once
// they are `exportLagSeconds` old, and `includeRecentChanges=true` showing them at once at the
// price of repeats (FACTS.md §2.8).
import { validationProblem } from "./errors.ts";
import { parseDateTime } from "./time.ts";

interface Position {
  /** modifiedOn, epoch ms. */
  t: number;
  id: number;
}

const BEGINNING: Position = { t: -8.64e15, id: 0 };

const after = (record: Position, cursor: Position): boolean =>
  record.t > cursor.t || (record.t === cursor.t && record.id > cursor.id);

const encode = (feed: string, position: Position): string =>
  btoa(JSON.stringify({ feed, t: position.t, id: position.id }))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

function decode(feed: string, token: string): Position | undefined {
  try {
    const json: unknown = JSON.parse(atob(token.replace(/-/g, "+").replace(/_/g, "/")));
    if (
      typeof json === "object" &&
      json !== null &&
      "feed" in json &&
      json.feed === feed &&
      "t" in json &&
      typeof json.t === "number" &&
      "id" in json &&
      typeof json.id === "number"
    ) {
      return { t: json.t, id: json.id };
    }
  } catch {
    // Not one of our tokens; it may still be a date.
  }
  return undefined;
}

/**
 * Where `from` points: one of our continuation tokens, or a date/date-time meaning "records
 * modified on or after it", or the beginning when absent. Anything else is a 400.
 */
export function feedPosition(feed: string, from: string | undefined): Position {
  if (from === undefined || from.trim() === "") return BEGINNING;
  const token = decode(feed, from.trim());
  if (token) return token;
  const date = parseDateTime(from);
  if (date !== undefined) return { t: date, id: -1 };
  throw validationProblem({ from: [`'${from}' is neither a continuation token from this feed nor a date.`] });
}

export interface FeedRequest {
  feed: string;
  from: string | undefined;
  includeRecentChanges: boolean;
  now: number;
  lagMs: number;
  batchSize: number;
}

/**
 * One export call over `records`.
 *
 * Without `includeRecentChanges`, records modified in the last `lagMs` are held back. With it,
 * they are included at once, and every later call repeats the ones already delivered until they
 * age past the lag (repeats never count towards `hasMore`, so following `hasMore` terminates).
 */
export function exportBatch<T>(
  records: readonly T[],
  position: (record: T) => Position,
  request: FeedRequest,
) {
  const horizon = request.now - request.lagMs;
  const cursor = feedPosition(request.feed, request.from);
  const ordered = records
    .map((record) => ({ record, at: position(record) }))
    .sort((a, b) => a.at.t - b.at.t || a.at.id - b.at.id);
  const fresh = ordered.filter(
    ({ at }) => after(at, cursor) && (request.includeRecentChanges || at.t <= horizon),
  );
  const batch = fresh.slice(0, request.batchSize);
  const repeats = request.includeRecentChanges
    ? ordered
        .filter(({ at }) => !after(at, cursor) && at.t > horizon && cursor !== BEGINNING)
        .slice(-request.batchSize)
    : [];
  const last = batch.at(-1)?.at ?? cursor;
  return {
    hasMore: fresh.length > batch.length,
    continueFrom: encode(request.feed, last),
    data: [...repeats, ...batch].map(({ record }) => record),
  };
}

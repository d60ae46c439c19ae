// Paging for lists a worker answers in one piece, newest first, up to a cap (invoice finds, recent
// payments, tax zones): the agent asks for a page, and the cursor it gets back is the offset of the
// next item, bound to the query it pages (a cursor from another query is refused, not misread).
import { knownProblem, type Problem, type WorkerAnswer } from "./capabilities.ts";

/** 32-bit FNV-1a of the query, as 8 hex: a fingerprint, not a secret. */
function fingerprint(query: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < query.length; i++) hash = Math.imul(hash ^ query.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/** The cursor of the page that starts at `offset` of `query`'s results. */
export const cursorAt = (offset: number, query: string): string => `${offset}.${fingerprint(query)}`;

/**
 * The offset a cursor points at, 0 without one, or a problem for a cursor of another query.
 *
 * @example offsetOf(undefined, q) // 0
 */
export function offsetOf(cursor: string | undefined, query: string): number | Problem {
  if (cursor === undefined) return 0;
  const match = /^(\d{1,6})\.([0-9a-f]{8})$/.exec(cursor);
  if (!match || match[2] !== fingerprint(query)) {
    return knownProblem("validation-failed", {
      detail:
        "cursor does not belong to this query: pass the nextCursor of the previous page with the same filters",
      errors: [{ in: "body", field: "cursor", message: "is not a cursor of this query" }],
    });
  }
  return Number(match[1]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The page of `all` at `offset`, `limit` long, and the cursor of the next one if there is more. */
export function pageOf<T>(all: readonly T[], offset: number, limit: number, query: string): Page<T> {
  const end = offset + limit;
  return { items: all.slice(offset, end), nextCursor: all.length > end ? cursorAt(end, query) : null };
}

export interface PageRequest {
  cursor: string | undefined;
  limit: number;
  /** The query the list answers (what a cursor is bound to). */
  query: string;
}

/**
 * One page of a list a worker answers whole, or newest first up to a cap: the cursor checked
 * against the query, the list read (`read` is told how many items the page needs, to show
 * whether more follow), the page cut and each item viewed.
 *
 * @example await listPage({ cursor, limit, query }, () => callCapability(caller, "tax-zones", path), zoneSummary)
 */
export async function listPage<T, U>(
  { cursor, limit, query }: PageRequest,
  read: (wanted: number) => Promise<WorkerAnswer<T[]>>,
  view: (item: T) => U,
): Promise<WorkerAnswer<Page<U> & { listed: number }>> {
  const offset = offsetOf(cursor, query);
  if (typeof offset !== "number") return { ok: false, problem: offset };
  const answer = await read(offset + limit + 1);
  if (!answer.ok) return answer;
  return {
    ...answer,
    data: { ...pageOf(answer.data.map(view), offset, limit, query), listed: answer.data.length },
  };
}

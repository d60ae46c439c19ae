// The N most recently modified records of a ServiceTitan list, found with time windows on
// `modifiedOnOrAfter` / `modifiedBefore`, with a bounded number of calls.
//
// Why windows and not `sort=-ModifiedOn`: ServiceTitan documents no sort fields for invoices
// (FACTS.md §2.1), and its default order is not by modification time. The modified-date filters
// are documented, so: ask for the whole range; if it fits in one page we are done (the usual case
// for selective filters). If not, split the range in time, newest slice first, sized from
// `totalCount` so it should fit in a page, and keep going back until `limit` records are in hand.
// Windows overlap by 1 ms, so a record stamped exactly on a boundary is read whether ServiceTitan
// treats the bounds as inclusive or exclusive (UNCONFIRMED, FACTS.md §2.7); the overlap is
// de-duplicated here. Records that share a timestamp are never split apart: a window too narrow
// to split (a tie group larger than a page) is read page by page.

/** Epoch milliseconds; `from` inclusive, `to` exclusive, either open when undefined. */
export interface TimeWindow {
  from?: number;
  to?: number;
}

/** The part of ServiceTitan's paged envelope this needs. */
export interface WindowPage<T> {
  data: T[];
  hasMore: boolean;
  totalCount?: number | null;
}

export interface Versioned {
  id: number;
  modifiedOn?: string | null;
  createdOn?: string | null;
}

export interface NewestOptions<T> {
  /** The whole range to search. */
  window: TimeWindow;
  /** How many records (one version per id) to find. */
  limit: number;
  /** The page size `fetchPage` asks for; sizes the slices. */
  pageSize: number;
  /** One page (1-based) of the records modified within `window`, with `totalCount` if possible. */
  fetchPage: (window: TimeWindow, page: number) => Promise<WindowPage<T>>;
  now: number;
  /** Calls allowed in all. */
  maxCalls: number;
  /** True once no further call should start (time budget spent). */
  outOfTime?: () => boolean;
  /**
   * The records of a page worth keeping (default: all); only those count towards `limit`. For a
   * condition ServiceTitan cannot filter on (e.g. "changed since we marked it exported").
   */
  select?: (records: readonly T[]) => Promise<readonly T[]>;
}

export interface NewestResult<T> {
  /** Newest first (ties by id, highest first), one version per id, at most `limit`. */
  records: T[];
  /** False when the call or time budget ran out first; `records` are then the newest of what was read. */
  complete: boolean;
  calls: number;
}

/** Lower bound used to size slices of a window with no `from` (no ServiceTitan data predates it). */
export const EARLIEST = Date.UTC(2000, 0, 1);

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * A timestamp as nanoseconds since the epoch, so .NET's seven fractional digits compare exactly
 * (string comparison would put "…:38Z" after "…:38.5Z"). No zone means UTC; unreadable is -1.
 *
 * @example instant("2026-01-01T00:00:00.0000001Z") > instant("2026-01-01T00:00:00Z") // true
 */
export function instant(text: string | null | undefined): bigint {
  const match = text ? STAMP.exec(text.trim()) : null;
  if (!match) return -1n;
  const [, seconds = "", fraction = "", zone = "Z"] = match;
  const ms = Date.parse(`${seconds}${zone.toUpperCase()}`);
  if (Number.isNaN(ms)) return -1n;
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, "0"));
}

const versionOf = (record: Versioned) => instant(record.modifiedOn ?? record.createdOn);

/** Newest first; equal timestamps by id, highest first, so the order is total and repeatable. */
export function newestFirst<T extends Versioned>(records: Iterable<T>): T[] {
  return [...records]
    .map((record) => ({ record, at: versionOf(record) }))
    .sort((a, b) => (a.at === b.at ? b.record.id - a.record.id : a.at > b.at ? -1 : 1))
    .map(({ record }) => record);
}

/** Milliseconds of a record's version, for comparing with window bounds. */
const msOf = (record: Versioned) => {
  const at = versionOf(record);
  return at < 0n ? undefined : Number(at / 1_000_000n);
};

/**
 * Splits a window that holds more than a page into smaller ones, newest first, overlapping by
 * 1 ms. When the first page is one tie group (all within 2 ms), that instant gets a window of
 * its own, to be read page by page. Otherwise the newest slice is sized from `totalCount` as if
 * records spread evenly, times `boost` (raised after slices that came back empty).
 * Undefined when the window is too narrow to split (≤ 3 ms).
 */
export function splitWindow(
  window: TimeWindow,
  first: WindowPage<Versioned>,
  pageSize: number,
  now: number,
  boost = 1,
): TimeWindow[] | undefined {
  const lo = window.from ?? EARLIEST;
  // An open upper bound stays open in the newest slice (clock skew must not hide records).
  const hi = window.to ?? Math.max(now, lo) + 1;
  const width = hi - lo;
  if (width <= 3) return undefined;

  const stamps = first.data.map(msOf).filter((ms): ms is number => ms !== undefined && ms >= lo && ms < hi);
  if (stamps.length > 1) {
    const earliest = Math.min(...stamps);
    if (Math.max(...stamps) - earliest <= 1) {
      const above = window.to === undefined || earliest + 1 < window.to;
      const below = window.from === undefined || earliest > window.from;
      return [
        ...(above ? [{ from: earliest + 1, to: window.to }] : []),
        { from: earliest - 1, to: earliest + 2 },
        ...(below ? [{ from: window.from, to: earliest }] : []),
      ];
    }
  }
  // Without a count (tolerated), take an eighth.
  const even = first.totalCount ? pageSize / 2 / first.totalCount : 1 / 8;
  const share = Math.min(0.5, Math.max(1 / 1024, even) * boost);
  const mid = hi - Math.max(2, Math.floor(width * share));
  return [
    { from: mid, to: window.to },
    { from: window.from, to: mid + 1 },
  ];
}

/**
 * @example
 * const { records } = await newestModified({ window: { from: since }, limit: 50, pageSize: 100,
 *   now: Date.now(), maxCalls: 10, fetchPage: (w, page) => listInvoices(w, page) });
 */
export async function newestModified<T extends Versioned>(
  options: NewestOptions<T>,
): Promise<NewestResult<T>> {
  const { limit, pageSize, now, maxCalls } = options;
  // A stack: the newest unread window is always on top, so windows finish newest to oldest.
  const pending: { window: TimeWindow; boost: number }[] = [{ window: options.window, boost: 1 }];
  const latest = new Map<number, { record: T; at: bigint }>();
  let calls = 0;

  const canCall = () => calls < maxCalls && !(options.outOfTime?.() ?? false);
  const fetchPage = (window: TimeWindow, page: number) => {
    calls++;
    return options.fetchPage(window, page);
  };
  const keep = async (page: readonly T[]) => {
    const records = options.select ? await options.select(page) : page;
    for (const record of records) {
      const at = versionOf(record);
      const seen = latest.get(record.id);
      if (!seen || at > seen.at) latest.set(record.id, { record, at });
    }
  };
  const result = (complete: boolean): NewestResult<T> => ({
    records: newestFirst([...latest.values()].map(({ record }) => record)).slice(0, limit),
    complete,
    calls,
  });

  // Every record of a finished window is newer than every record of the windows below it, so
  // once `limit` records are kept the rest cannot matter.
  while (latest.size < limit) {
    const slice = pending.pop();
    if (!slice) return result(true);
    if (!canCall()) return result(false);
    const first = await fetchPage(slice.window, 1);
    if (!first.hasMore) {
      await keep(first.data);
      // Nothing here: records are sparser near the top than an even spread says; widen the next slice.
      const next = pending.at(-1);
      if (first.data.length === 0 && next) next.boost = Math.min(next.boost * 4, 1024);
      continue;
    }
    const slices = splitWindow(slice.window, first, pageSize, now, slice.boost);
    if (slices) {
      const [newest, ...rest] = slices;
      for (const window of rest.reverse()) pending.push({ window, boost: slice.boost });
      if (newest) pending.push({ window: newest, boost: 1 });
      continue;
    }
    // Too many records within a few milliseconds to split by time: read them all.
    const tied = [...first.data];
    for (let page = 2, more = true; more; page++) {
      if (!canCall()) return result(false);
      const next = await fetchPage(slice.window, page);
      tied.push(...next.data);
      more = next.hasMore && next.data.length > 0;
    }
    await keep(tied);
  }
  return result(true);
}

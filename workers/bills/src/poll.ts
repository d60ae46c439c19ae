// The polling trigger's ordering and paging plan. Pure, so the tie and boundary rules are tested
// by tables (poll.test.ts) without ServiceTitan.
//
// ServiceTitan's GET /ap-bills has no sort parameter and lists bills by ascending id (as the
// simulator does; not documented by ServiceTitan, UNCONFIRMED). Bills are created with rising ids,
// so the newest bills since `since` are on the first page when everything fits, else on the last.

import { stampKey } from "@st-edge/servicetitan";

/** Default look-back when the caller sends no `since`. */
export const DEFAULT_LOOKBACK_MS = 7 * 24 * 3_600_000;

/** Bills per ServiceTitan call while polling: big enough that one call is the norm. */
export const POLL_PAGE_SIZE = 500;

/**
 * Newest first by `stampOf`, ties by id descending, at most `limit`. Nothing is dropped for
 * sharing a timestamp: the boundary is inclusive and callers de-duplicate by item id.
 *
 * @example newestFirst(bills, (bill) => bill.createdOn, 3)
 */
export function newestFirst<T extends { id: number }>(
  records: readonly T[],
  stampOf: (record: T) => string | null | undefined,
  limit: number,
): T[] {
  const unique = new Map(records.map((record) => [record.id, record]));
  return [...unique.values()]
    .map((record) => ({ record, key: stampKey(stampOf(record)) }))
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : b.record.id - a.record.id))
    .slice(0, limit)
    .map(({ record }) => record);
}

export interface PagePlan {
  /** The page to read after the first, or null when the first page holds everything. */
  nextPage: number | null;
  /** True when pages between the first and the last are skipped. */
  truncated: boolean;
}

/**
 * What to read after page 1: nothing when it was all; the last page when ServiceTitan said how
 * many there are. Without a total (ServiceTitan may ignore includeTotal), page 2 is read and the
 * result is marked truncated when that is not the end either (the caller checks `hasMore`).
 */
export function planAfterFirstPage(
  first: { hasMore: boolean; totalCount?: number | null },
  pageSize: number,
): PagePlan {
  if (!first.hasMore) return { nextPage: null, truncated: false };
  if (first.totalCount === null || first.totalCount === undefined) return { nextPage: 2, truncated: false };
  const last = Math.max(2, Math.ceil(first.totalCount / pageSize));
  return { nextPage: last, truncated: last > 2 };
}

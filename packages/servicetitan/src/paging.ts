// Reading helpers every worker needs: get-one for operations that only have list endpoints,
// `ids` chunking (ServiceTitan takes at most 50 per call), paged lists and export feeds.
import { answeredBy } from "./answers.ts";
import { ServiceTitanError } from "./errors.ts";

/** ServiceTitan's `ids` filter takes at most 50 ids per call (FACTS.md §2.7). */
export const MAX_IDS_PER_CALL = 50;

/** ServiceTitan's paged envelope (`PaginatedResponse_Of_*`). */
export interface Page<T> {
  page: number;
  pageSize: number;
  hasMore: boolean;
  totalCount?: number | null;
  data: T[];
}

/** ServiceTitan's export envelope (`ExportResponse_Of_*`). */
export interface ExportBatch<T> {
  hasMore: boolean;
  continueFrom: string;
  data: T[];
}

/** Splits `items` into runs of at most `size`. */
export function chunk<T>(items: readonly T[], size = MAX_IDS_PER_CALL): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Fetches records by id through a list endpoint's `ids` filter: de-duplicates, chunks by 50 and
 * runs at most `concurrency` calls at once. Missing ids are simply absent from the map.
 *
 * @example
 * const invoices = await fetchByIds(ids, async (csv) =>
 *   unwrap(await st.GET("/tenant/{tenant}/invoices", { params: { query: { ids: csv, pageSize: 50 } } })).data);
 */
export async function fetchByIds<T extends { id: number }>(
  ids: readonly number[],
  fetchChunk: (idsCsv: string) => Promise<T[]>,
  { concurrency = 4 }: { concurrency?: number } = {},
): Promise<Map<number, T>> {
  const found = new Map<number, T>();
  const queue = chunk([...new Set(ids)]);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const record of await fetchChunk(next.join(","))) found.set(record.id, record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return found;
}

/** One record by id through a list endpoint (`?ids=<id>`), or undefined when it does not exist. */
export async function fetchOneById<T extends { id: number }>(
  id: number,
  fetchChunk: (idsCsv: string) => Promise<T[]>,
): Promise<T | undefined> {
  return (await fetchChunk(String(id))).find((record) => record.id === id);
}

/**
 * Every record of a paged list, page by page (1-based) until `hasMore` is false. A listing that
 * still has more after `maxPages` pages throws ServiceTitanError { failure: "page-limit" } rather
 * than end as if complete: callers take absence from a list as evidence.
 *
 * @example
 * for await (const invoice of allPages((page) => listInvoices({ page, pageSize: 500 }))) { ... }
 */
export async function* allPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  { maxPages = 1_000 }: { maxPages?: number } = {},
): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const result = await fetchPage(page);
    if (!Array.isArray(result.data)) throw unreadable(result, "a page without a data list");
    yield* result.data;
    if (!result.hasMore || result.data.length === 0) return;
    if (page >= maxPages) {
      throw new ServiceTitanError({
        failure: "page-limit",
        ...answeredBy(result),
        detail: `still more after ${maxPages} page${maxPages === 1 ? "" : "s"}`,
      });
    }
  }
}

export interface ExportFeedOptions {
  /** A `continueFrom` token saved from an earlier run, or a date such as "2026-01-01"; omit to start at the beginning. */
  from?: string;
  /** Stop after this many calls even if ServiceTitan says there is more (default 100). */
  maxCalls?: number;
}

/**
 * Follows an export feed (`from` → `continueFrom`) until it is caught up, yielding each batch with
 * the token to persist. With `includeRecentChanges` ServiceTitan may repeat records across calls:
 * records are de-duplicated by id + modifiedOn, so a record that really changed again still comes through.
 *
 * @example
 * for await (const batch of exportFeed((from) => exportInvoices({ from, includeRecentChanges: true }), { from: saved })) {
 *   await store(batch.data); saved = batch.continueFrom;
 * }
 */
export async function* exportFeed<T extends { id: number; modifiedOn?: string | null }>(
  fetchBatch: (from: string | undefined) => Promise<ExportBatch<T>>,
  { from, maxCalls = 100 }: ExportFeedOptions = {},
): AsyncGenerator<ExportBatch<T>> {
  const seen = new Set<string>();
  let cursor = from;
  for (let call = 0; call < maxCalls; call++) {
    const batch = await fetchBatch(cursor);
    const data = batch.data.filter((record) => {
      const key = `${record.id}@${record.modifiedOn ?? ""}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    yield { ...batch, data };
    if (!batch.hasMore || batch.continueFrom === cursor) return;
    cursor = batch.continueFrom;
  }
}

/** ServiceTitanError { failure: "invalid-response" } for an answer of this client. */
function unreadable(answer: unknown, detail: string, status?: number): ServiceTitanError {
  return new ServiceTitanError({ failure: "invalid-response", status, ...answeredBy(answer), detail });
}

/**
 * The body of a successful openapi-fetch call. The client's error middleware already throws
 * ServiceTitanError for every non-2xx answer and the client for a body that is not JSON, so only
 * an empty 2xx body reaches the throw here: an answer we cannot read, naming its operation.
 */
export function unwrap<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) throw unreadable(result.response, "no body", result.response.status);
  return result.data;
}

// The ServiceTitan calls this worker makes. The request's client already retries idempotent
// reads, maps ServiceTitan's errors and ends every call by the request's deadline (a 504 problem
// past it); what is added here is how the windowed search spends that budget.
import {
  allPages,
  type Deadline,
  type DetailedPayment,
  fetchByIds,
  type Invoice,
  type operations,
  type Page,
  type ServiceTitanClient,
  unwrap,
} from "@st-edge/servicetitan";
import { newestModified, type TimeWindow } from "./newest.ts";

export type InvoiceQuery = NonNullable<operations["Invoices_GetList"]["parameters"]["query"]>;

/** The windowed search starts no new call after this, so it can still answer with what it has. */
export const SEARCH_BUDGET_MS = 15_000;
/** Calls one windowed search may make. */
export const SEARCH_MAX_CALLS = 10;
/** Page size of windowed searches: at least the largest `limit`, small enough to stay quick. */
export const SEARCH_PAGE_SIZE = 200;
/** ServiceTitan calls a batch runs at once (its limit is 60 calls per second per app and tenant). */
export const BATCH_CONCURRENCY = 4;
/** Pages of payments read for one invoice (a single invoice rarely has more than a few). */
const PAYMENT_PAGES = 5;

/** One page of `GET /invoices`. */
export async function listInvoices(client: ServiceTitanClient, query: InvoiceQuery): Promise<Page<Invoice>> {
  return unwrap(await client.GET("/tenant/{tenant}/invoices", { params: { query } }));
}

/**
 * Invoices by id, active or not (a caller asking for an id wants to see it was voided, not a 404).
 * Chunks of 50 ids, `BATCH_CONCURRENCY` calls at a time.
 */
export function invoicesByIds(
  client: ServiceTitanClient,
  ids: readonly number[],
): Promise<Map<number, Invoice>> {
  return fetchByIds(
    ids,
    async (csv) => (await listInvoices(client, { ids: csv, pageSize: 50, activeState: "All" })).data,
    { concurrency: BATCH_CONCURRENCY },
  );
}

/** Active payments applied to one invoice (ServiceTitan's `appliedToInvoiceIds` filter). */
export async function paymentsAppliedTo(
  client: ServiceTitanClient,
  invoiceId: number,
): Promise<DetailedPayment[]> {
  const payments: DetailedPayment[] = [];
  const pages = allPages(
    async (page) =>
      unwrap(
        await client.GET("/tenant/{tenant}/payments", {
          params: { query: { appliedToInvoiceIds: String(invoiceId), page, pageSize: 100 } },
        }),
      ),
    { maxPages: PAYMENT_PAGES },
  );
  for await (const payment of pages) {
    // Keep only payments really applied here, should the filter be read differently upstream.
    if (payment.appliedTo?.some((application) => application.appliedTo === invoiceId)) payments.push(payment);
  }
  return payments;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The `limit` most recently modified invoices matching `filters` within `window`, newest first.
 * `complete` is false when the budget ran out first (the records are then the newest read).
 */
export function newestInvoices(
  client: ServiceTitanClient,
  deadline: Deadline,
  {
    filters,
    window,
    limit,
    select,
  }: {
    filters: InvoiceQuery;
    window: TimeWindow;
    limit: number;
    select?: (records: readonly Invoice[]) => Promise<readonly Invoice[]>;
  },
) {
  return newestModified<Invoice>({
    window,
    limit,
    pageSize: SEARCH_PAGE_SIZE,
    now: Date.now(),
    maxCalls: SEARCH_MAX_CALLS,
    outOfTime: () => deadline.elapsedMs() > SEARCH_BUDGET_MS,
    select,
    fetchPage: (slice, page) =>
      listInvoices(client, {
        ...filters,
        ...(slice.from === undefined ? {} : { modifiedOnOrAfter: iso(slice.from) }),
        ...(slice.to === undefined ? {} : { modifiedBefore: iso(slice.to) }),
        page,
        pageSize: SEARCH_PAGE_SIZE,
        includeTotal: true,
      }),
  });
}

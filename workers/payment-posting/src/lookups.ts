// Reads from ServiceTitan that posting depends on: invoices by id or number, payment types
// (cached briefly per isolate: they change rarely and every post needs them), payments by id and
// by search. All are GETs, which the client retries on 429/5xx/timeouts by itself.
import {
  allPages,
  type DetailedPayment,
  fetchByIds,
  type Invoice,
  type PaymentType,
  type ServiceTitanClient,
  unwrap,
} from "@st-edge/servicetitan";
import { sameInvoiceNumber } from "./payment-request.ts";

const PAGE_SIZE = 500;

/** Invoices by id, active or not (inactive ones must be reported as such, not as missing). */
export function invoicesByIds(
  client: ServiceTitanClient,
  ids: readonly number[],
): Promise<Map<number, Invoice>> {
  return fetchByIds(
    ids,
    async (csv) =>
      unwrap(
        await client.GET("/tenant/{tenant}/invoices", {
          params: { query: { ids: csv, activeState: "All", pageSize: 50 } },
        }),
      ).data,
  );
}

/**
 * Invoices whose reference number is `number`, compared as `sameInvoiceNumber` says (ServiceTitan
 * does not promise numbers are unique).
 */
export async function invoicesByNumber(client: ServiceTitanClient, number: string): Promise<Invoice[]> {
  const page = unwrap(
    await client.GET("/tenant/{tenant}/invoices", {
      params: { query: { number, activeState: "All", pageSize: 50 } },
    }),
  );
  const wanted = sameInvoiceNumber(number);
  return page.data.filter((invoice) => sameInvoiceNumber(invoice.referenceNumber ?? "") === wanted);
}

/** Payments by id (active or not). */
export function paymentsByIds(
  client: ServiceTitanClient,
  ids: readonly number[],
): Promise<Map<number, DetailedPayment>> {
  return fetchByIds(
    ids,
    async (csv) =>
      unwrap(
        await client.GET("/tenant/{tenant}/payments", {
          params: { query: { ids: csv, activeState: "All", pageSize: 50 } },
        }),
      ).data,
  );
}

export interface PaymentSearch {
  appliedToInvoiceIds?: readonly number[];
  createdOnOrAfter?: string;
  modifiedOnOrAfter?: string;
  sort?: string;
  activeState?: "ActiveOnly" | "All";
}

/**
 * Every payment matching `search`, page by page. Throws when there are more than `maxPages`
 * pages rather than return a partial list: callers use absence as evidence.
 */
export async function searchPayments(
  client: ServiceTitanClient,
  search: PaymentSearch,
  { maxPages = 20, pageSize = PAGE_SIZE }: { maxPages?: number; pageSize?: number } = {},
): Promise<DetailedPayment[]> {
  const found: DetailedPayment[] = [];
  let complete = false;
  const pages = allPages(
    async (page) => {
      const result = unwrap(
        await client.GET("/tenant/{tenant}/payments", {
          params: {
            query: {
              ...(search.appliedToInvoiceIds
                ? { appliedToInvoiceIds: search.appliedToInvoiceIds.join(",") }
                : {}),
              ...(search.createdOnOrAfter ? { createdOnOrAfter: search.createdOnOrAfter } : {}),
              ...(search.modifiedOnOrAfter ? { modifiedOnOrAfter: search.modifiedOnOrAfter } : {}),
              ...(search.sort ? { sort: search.sort } : {}),
              activeState: search.activeState ?? "All",
              page,
              pageSize,
            },
          },
        }),
      );
      if (!result.hasMore || result.data.length === 0) complete = true;
      return result;
    },
    { maxPages },
  );
  for await (const payment of pages) found.push(payment);
  if (!complete) throw new Error(`payment search has more than ${maxPages} pages`);
  return found;
}

interface CachedTypes {
  at: number;
  types: Promise<PaymentType[]>;
}
const typeCache = new Map<string, CachedTypes>();

/** The tenant's active payment types, read at most once per `ttlMs` per isolate. */
export function paymentTypes(
  client: ServiceTitanClient,
  cacheKey: string,
  ttlMs: number,
  { fresh = false }: { fresh?: boolean } = {},
): Promise<PaymentType[]> {
  const now = Date.now();
  const cached = typeCache.get(cacheKey);
  if (cached && !fresh && now - cached.at < ttlMs) return cached.types;
  const types = (async () => {
    const all: PaymentType[] = [];
    for await (const type of allPages(async (page) =>
      unwrap(
        await client.GET("/tenant/{tenant}/payment-types", {
          params: { query: { page, pageSize: PAGE_SIZE } },
        }),
      ),
    )) {
      all.push(type);
    }
    return all;
  })();
  typeCache.set(cacheKey, { at: now, types });
  // A failed read is not cached: the next request tries again.
  types.catch(() => {
    if (typeCache.get(cacheKey)?.types === types) typeCache.delete(cacheKey);
  });
  return types;
}

/** Age of the cached payment types for `cacheKey` in ms, or undefined when none is cached. */
export function paymentTypesAge(cacheKey: string): number | undefined {
  const cached = typeCache.get(cacheKey);
  return cached ? Date.now() - cached.at : undefined;
}

// Handlers for the bills routes: the filtered list, one bill, and the polling trigger.
import { mount, ProblemError, serviceTitanFor, type WorkerEnv } from "@st-edge/edge";
import {
  type ApBill,
  type operations,
  type ServiceTitanClient,
  ServiceTitanError,
  unwrap,
} from "@st-edge/servicetitan";
import { toBillView, toPollItem } from "@st-edge/views/bill";
import type { Hono } from "hono";
import { getBill, listBills, pollBills } from "../api.ts";
import { createdBound } from "../created-bounds.ts";
import { DEFAULT_LOOKBACK_MS, newestFirst, POLL_PAGE_SIZE, planAfterFirstPage } from "../poll.ts";

type BillQuery = NonNullable<operations["ApBills_GetListPaginated"]["parameters"]["query"]>;

/** Keeps bills of one vendor (by id and/or name): ServiceTitan's list has no vendor filter. */
function vendorMatcher(vendorId: number | undefined, vendorName: string | undefined) {
  const needle = vendorName?.toLowerCase();
  return (bill: ApBill) =>
    (vendorId === undefined || bill.vendor?.id === vendorId) &&
    (needle === undefined || (bill.vendor?.name ?? "").toLowerCase().includes(needle));
}

async function listPage(client: ServiceTitanClient, query: BillQuery) {
  return unwrap(await client.GET("/tenant/{tenant}/ap-bills", { params: { query } }));
}

/**
 * Mounts every bills route on `app`.
 *
 * @example registerBillRoutes(createWorkerApp<Env>({ name: "bills", openapi }));
 */
export function registerBillRoutes<E extends WorkerEnv>(app: Hono<E>): void {
  mount(app, listBills, async (c, { query }) => {
    const { client } = await serviceTitanFor(c);
    const page = await listPage(client, {
      ids: query.ids?.join(","),
      statuses: query.status,
      syncStatuses: query.syncStatus,
      billNumber: query.billNumber,
      billType: query.billType,
      jobNumber: query.jobNumber,
      purchaseOrderNumber: query.purchaseOrderNumber,
      dateFrom: query.dateFrom === undefined ? undefined : createdBound(query.dateFrom, "from"),
      dateTo: query.dateTo === undefined ? undefined : createdBound(query.dateTo, "to"),
      createdOnOrAfter: query.createdOnOrAfter,
      createdBefore: query.createdBefore,
      modifiedOnOrAfter: query.modifiedOnOrAfter,
      modifiedBefore: query.modifiedBefore,
      page: query.page,
      pageSize: query.pageSize,
    });
    const data = page.data.filter(vendorMatcher(query.vendorId, query.vendorName)).map(toBillView);
    return c.json({
      page: page.page,
      pageSize: page.pageSize,
      hasMore: page.hasMore,
      count: data.length,
      data,
    });
  });

  mount(app, pollBills, async (c, { query }) => {
    const { client } = await serviceTitanFor(c);
    const since = query.since ?? new Date(Date.now() - DEFAULT_LOOKBACK_MS).toISOString();
    const stampOf = query.mode === "new" ? (b: ApBill) => b.createdOn : (b: ApBill) => b.modifiedOn;
    const filters: BillQuery = {
      ...(query.mode === "new" ? { createdOnOrAfter: since } : { modifiedOnOrAfter: since }),
      statuses: query.status,
      billType: query.billType,
      pageSize: POLL_PAGE_SIZE,
    };
    const first = await listPage(client, { ...filters, page: 1, includeTotal: true });
    const plan = planAfterFirstPage(first, POLL_PAGE_SIZE);
    let bills = first.data;
    let truncated = plan.truncated;
    if (plan.nextPage !== null) {
      const next = await listPage(client, { ...filters, page: plan.nextPage });
      bills = bills.concat(next.data);
      truncated ||= next.hasMore;
    }
    const items = newestFirst(
      bills.filter(vendorMatcher(query.vendorId, undefined)),
      stampOf,
      query.limit,
    ).map((bill) => toPollItem(bill, stampOf));
    c.header("X-Poll-Since", since);
    c.header("X-Poll-Truncated", String(truncated));
    return c.json(items);
  });

  mount(app, getBill, async (c, { params }) => {
    const { client } = await serviceTitanFor(c);
    try {
      const bill = unwrap(
        await client.GET("/tenant/{tenant}/ap-bills/{billId}", { params: { path: { billId: params.id } } }),
      );
      return c.json(toBillView(bill));
    } catch (error) {
      // ServiceTitan answers 404 for an unknown id and for another tenant's bill alike.
      if (error instanceof ServiceTitanError && error.status === 404) {
        throw new ProblemError({
          type: "not-found",
          detail: `No AP bill ${params.id} in this tenant`,
          traceId: error.traceId,
        });
      }
      throw error;
    }
  });
}

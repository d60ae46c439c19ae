// AP bills: GET /ap-bills (ApBills_GetListPaginated) and GET /ap-bills/{billId} (404 when the
// bill is not this tenant's). The spec has no vendor filter, so neither do we.
import type { components } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { notFound } from "../errors.ts";
import { amountBetween, contains, equalTo, inList, within } from "../filters.ts";
import { operation } from "../operation.ts";
import { pageOf, readPaging, sortRecords } from "../paging.ts";
import { parseQuery, pathId } from "../validation.ts";

type S = components["schemas"];

/** ServiceTitan reads a bare `dateTo` day as the whole day ("on or before"), so it runs to the day's end. */
const endOfDay = (instant: number | undefined, text: string | undefined): number | undefined =>
  instant === undefined
    ? undefined
    : text !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(text.trim())
      ? instant + 86_400_000
      : instant + 1;

/** ApBills_GetListPaginated and ApBills_GetById. */
export function apBillRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.get("/ap-bills", operation(state, "ApBills_GetListPaginated"), (c) => {
    const url = new URL(c.req.url);
    const q = parseQuery("ApBills_GetListPaginated", url);
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      state.settings.maxPageSize,
    );
    const ids = q.ids("ids");
    const businessUnits = q.ids("businessUnitIds");
    const statuses = q.list("statuses");
    const syncStatuses = q.list("syncStatuses");
    const sources = q.list("sources");
    // The spec says billType "defaults to Procurement"; NotSet is taken to mean every type.
    const billType = q.string("billType") ?? "Procurement";
    const batchNumber = q.int("batchNumber");
    const discrepancy = q.string("threeWayMatchDiscrepancy");
    const dateTo = endOfDay(q.instant("dateTo"), url.searchParams.get("dateTo") ?? undefined);
    const bills = c.var.store.apBills().filter(
      (bill) =>
        inList(bill.id, ids) &&
        inList(bill.businessUnit?.id, businessUnits) &&
        inList(bill.status, statuses) &&
        inList(bill.syncStatus, syncStatuses) &&
        inList(bill.source, sources) &&
        (billType === "NotSet" || bill.billType === billType) &&
        equalTo(bill.batch?.id, q.int("batchId")) &&
        equalTo(bill.batch?.number, batchNumber === undefined ? undefined : String(batchNumber)) &&
        contains(bill.referenceNumber, q.string("billNumber")) &&
        contains(bill.jobNumber, q.string("jobNumber")) &&
        contains(
          bill.purchaseOrderId === null || bill.purchaseOrderId === undefined
            ? null
            : String(bill.purchaseOrderId),
          q.string("purchaseOrderNumber"),
        ) &&
        // dateFrom/dateTo are read as the bill date (ASSUMED; the spec's wording says "created").
        within(bill.billDate, q.instant("dateFrom"), dateTo) &&
        within(bill.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
        within(bill.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")) &&
        within(
          bill.dateReconciled,
          q.instant("dateReconciledOnOrAfter"),
          q.instant("dateReconciledBefore"),
        ) &&
        amountBetween(bill.billAmount, q.decimal("minCost"), q.decimal("maxCost")) &&
        (discrepancy === undefined || (bill.status === "Discrepancy") === (discrepancy === "Discrepancy")),
    );
    return c.json(
      pageOf(
        sortRecords(bills, undefined, {}),
        paging,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.ApBillResponse"],
    );
  });

  routes.get("/ap-bills/:billId", operation(state, "ApBills_GetById"), (c) => {
    const id = pathId("billId", c.req.param("billId"));
    const bill = c.var.store.apBills().find((candidate) => candidate.id === id);
    if (!bill) throw notFound(`AP bill ${id}`);
    return c.json(bill satisfies S["Accounting.V2.ApBillResponse"]);
  });

  return routes;
}

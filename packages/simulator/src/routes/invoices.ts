// GET /invoices (Invoices_GetList): every filter the simulator's data can answer, ServiceTitan's
// paging, and `sort` (or the older `orderBy` + `orderByDirection`). There is no get-by-id in the
// spec; callers use `?ids=`.
import type { components, Decimal } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { activeState, amountBetween, equalTo, inList, instantOf, within } from "../filters.ts";
import { money } from "../money.ts";
import { operation } from "../operation.ts";
import { pageOf, readPaging, sortRecords } from "../paging.ts";
import { parseQuery } from "../validation.ts";

type InvoicePage = components["schemas"]["PaginatedResponse_Of_Accounting.V2.InvoiceResponse"];
type Invoice = components["schemas"]["Accounting.V2.InvoiceResponse"];

const SORT_FIELDS = {
  Id: (invoice: Invoice) => invoice.id,
  ModifiedOn: (invoice: Invoice) => instantOf(invoice.modifiedOn) ?? 0,
  CreatedOn: (invoice: Invoice) => instantOf(invoice.createdOn) ?? 0,
  InvoiceDate: (invoice: Invoice) => instantOf(invoice.invoiceDate) ?? 0,
};

function balanceMatches(
  balance: string | null | undefined,
  wanted: Decimal | undefined,
  comparer: string | undefined,
) {
  if (wanted === undefined) return true;
  const order = money(balance ?? "0").compare(wanted);
  switch (comparer) {
    case "NotEquals":
      return order !== 0;
    case "Greater":
      return order > 0;
    case "Less":
      return order < 0;
    default:
      return order === 0;
  }
}

/**
 * `number` without regard to letter case: ServiceTitan keeps invoices in SQL Server, whose default
 * collation ignores case (UNCONFIRMED; the workers compare numbers the same way).
 */
const sameNumber = (value: string | null | undefined, wanted: string | undefined) =>
  wanted === undefined || (value ?? "").toLowerCase() === wanted.toLowerCase();

/** Invoices_GetList. */
export function invoiceRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.get("/invoices", operation(state, "Invoices_GetList"), (c) => {
    const q = parseQuery("Invoices_GetList", new URL(c.req.url));
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      state.settings.maxPageSize,
    );
    const ids = q.ids("ids");
    const statuses = q.list("statuses");
    const reviewStatuses = q.list("reviewStatuses");
    const configurations = q.list("invoiceConfigurations");
    const assignedTo = q.list("assignedToIds")?.map(Number);
    const batchNumber = q.int("batchNumber");
    const matches = c.var.store
      .invoices()
      .filter(
        (invoice) =>
          inList(invoice.id, ids) &&
          activeState(invoice.active, q.string("activeState")) &&
          within(invoice.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")) &&
          within(invoice.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
          within(invoice.invoiceDate, q.instant("invoicedOnOrAfter"), q.instant("invoicedOnBefore")) &&
          within(invoice.dueDate, q.instant("dueDateOnOrAfter"), q.instant("dueDateBefore")) &&
          inList(invoice.syncStatus, statuses) &&
          inList(invoice.reviewStatus, reviewStatuses) &&
          inList(invoice.invoiceConfiguration, configurations) &&
          inList(invoice.assignedTo?.id, assignedTo) &&
          equalTo(invoice.batch?.id, q.int("batchId")) &&
          equalTo(invoice.batch?.number, batchNumber === undefined ? undefined : String(batchNumber)) &&
          equalTo(invoice.job?.id, q.int("jobId")) &&
          equalTo(invoice.job?.number, q.string("jobNumber")) &&
          equalTo(invoice.businessUnit?.id, q.int("businessUnitId")) &&
          equalTo(invoice.customer?.id, q.int("customerId")) &&
          equalTo(invoice.adjustmentToId, q.int("adjustmentToId")) &&
          sameNumber(invoice.referenceNumber, q.string("number")) &&
          amountBetween(invoice.total, q.decimal("totalGreater"), q.decimal("totalLess")) &&
          balanceMatches(
            invoice.balance,
            q.decimal("balanceFilter.Balance"),
            q.string("balanceFilter.Comparer"),
          ),
      );
    const orderBy = q.string("orderBy");
    const direction = /^desc(ending)?$/i.test(q.string("orderByDirection") ?? "") ? "-" : "+";
    const sorted = q.has("sort")
      ? sortRecords(matches, q.string("sort"), SORT_FIELDS)
      : sortRecords(
          matches,
          orderBy === undefined ? undefined : `${direction}${orderBy}`,
          SORT_FIELDS,
          "orderBy",
        );
    return c.json(pageOf(sorted, paging) satisfies InvoicePage);
  });

  return routes;
}

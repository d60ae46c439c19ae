// Invoices: GET /invoices (Invoices_GetList: every filter of the spec, ServiceTitan's paging, and
// `sort` or the older `orderBy` + `orderByDirection`; there is no get-by-id, callers use `?ids=`),
// the writes (update, items, adjustment, export marks, custom fields; see writes/invoices.ts) and
// the tenant's invoice custom field types.
import type { components, Decimal } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import {
  activeState,
  amountBetween,
  customFieldsMatch,
  equalTo,
  inList,
  instantOf,
  invoiceNumberKey,
  within,
} from "../filters.ts";
import { money } from "../money.ts";
import { operation } from "../operation.ts";
import { pageOf, readPaging, sortRecords } from "../paging.ts";
import { parseQuery, pathId, readBody } from "../validation.ts";

type S = components["schemas"];
type Invoice = S["Accounting.V2.InvoiceResponse"];
type CustomFieldType = S["Accounting.V2.CustomFieldTypeResponse"];

const SORT_FIELDS = {
  Id: (invoice: Invoice) => invoice.id,
  ModifiedOn: (invoice: Invoice) => instantOf(invoice.modifiedOn) ?? 0,
  CreatedOn: (invoice: Invoice) => instantOf(invoice.createdOn) ?? 0,
  InvoiceDate: (invoice: Invoice) => instantOf(invoice.invoiceDate) ?? 0,
};

// The spec names no sort fields for custom field types (UNCONFIRMED): these are the obvious ones.
const FIELD_TYPE_SORT = {
  Id: (type: CustomFieldType) => type.id,
  Name: (type: CustomFieldType) => type.name,
  CreatedOn: (type: CustomFieldType) => instantOf(type.createdOn) ?? 0,
  ModifiedOn: (type: CustomFieldType) => instantOf(type.modifiedOn) ?? 0,
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

/** `number` without regard to letter case, as the store's number index is kept. */
const sameNumber = (value: string | null | undefined, wanted: string | undefined) =>
  wanted === undefined || invoiceNumberKey(value ?? "") === invoiceNumberKey(wanted);

/** Invoices_GetList, the invoice writes, and Invoices_GetCustomFieldTypes. */
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
    const customFields = q.dictionary("customField.Fields");
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
          ) &&
          customFieldsMatch(invoice.customFields, customFields, q.string("customField.Operator")),
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
    return c.json(pageOf(sorted, paging) satisfies S["PaginatedResponse_Of_Accounting.V2.InvoiceResponse"]);
  });

  routes.post("/invoices", operation(state, "Invoices_CreateAdjustmentInvoice"), async (c) => {
    const body = await readBody(c.req.raw, "Invoices_CreateAdjustmentInvoice");
    const invoice = c.var.store.apply({ op: "Invoices_CreateAdjustmentInvoice", body });
    // The spec answers the new invoice's id, a bare int64.
    return c.json(invoice.id satisfies number);
  });

  routes.post("/invoices/markasexported", operation(state, "Invoices_MarkAsExported"), async (c) => {
    const body = await readBody(c.req.raw, "Invoices_MarkAsExported");
    return c.json(
      c.var.store.apply({
        op: "Invoices_MarkAsExported",
        body,
      }) satisfies S["Accounting.V2.MarkInvoiceAsExportedUpdateResponse"][],
    );
  });

  // Literal segments before `/invoices/:id`, which would otherwise take them.
  routes.get("/invoices/custom-fields", operation(state, "Invoices_GetCustomFieldTypes"), (c) => {
    const q = parseQuery("Invoices_GetCustomFieldTypes", new URL(c.req.url));
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      state.settings.maxPageSize,
    );
    const types = c.var.store.data.invoiceCustomFieldTypes.filter(
      (type) =>
        within(type.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
        within(type.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")),
    );
    return c.json(
      pageOf(
        sortRecords(types, q.string("sort"), FIELD_TYPE_SORT),
        paging,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.CustomFieldTypeResponse"],
    );
  });

  routes.patch("/invoices/custom-fields", operation(state, "Invoices_UpdateCustomFields"), async (c) => {
    const body = await readBody(c.req.raw, "Invoices_UpdateCustomFields");
    c.var.store.apply({ op: "Invoices_UpdateCustomFields", body });
    return c.body(null, 200);
  });

  routes.patch("/invoices/:id", operation(state, "Invoices_UpdateInvoice"), async (c) => {
    const id = pathId("id", c.req.param("id"));
    const body = await readBody(c.req.raw, "Invoices_UpdateInvoice");
    c.var.store.apply({ op: "Invoices_UpdateInvoice", id, body });
    return c.body(null, 200);
  });

  routes.patch("/invoices/:invoiceId/items", operation(state, "Invoices_UpdateInvoiceItems"), async (c) => {
    const invoiceId = pathId("invoiceId", c.req.param("invoiceId"));
    const body = await readBody(c.req.raw, "Invoices_UpdateInvoiceItems");
    c.var.store.apply({ op: "Invoices_UpdateInvoiceItems", invoiceId, body });
    return c.body(null, 200);
  });

  routes.delete("/invoices/:invoiceId/items/:itemId", operation(state, "Invoices_DeleteInvoiceItem"), (c) => {
    const invoiceId = pathId("invoiceId", c.req.param("invoiceId"));
    const itemId = pathId("itemId", c.req.param("itemId"));
    c.var.store.apply({ op: "Invoices_DeleteInvoiceItem", invoiceId, itemId });
    return c.body(null, 200);
  });

  return routes;
}

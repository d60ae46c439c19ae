// Payments: GET /payments (DetailedPaymentResponse with appliedTo[]), POST /payments
// (Payments_Create, restored from the March 2026 spec), PATCH /payments/{id} (typeId and splits
// required, as the spec says) and POST /payments/status. The writes live in writes/payments.ts.
import type { components } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { activeState, amountBetween, customFieldsMatch, enumValues, equalTo, inList } from "../filters.ts";
import { operation } from "../operation.ts";
import { pageOf, readPaging, sortRecords } from "../paging.ts";
import type { StoredPayment } from "../records.ts";
import { parseQuery, pathId, readBody } from "../validation.ts";

type S = components["schemas"];
type PaymentPage = S["PaginatedResponse_Of_Accounting.V2.DetailedPaymentResponse"];

const PAYMENT_STATUSES: readonly S["Accounting.V2.PaymentStatus"][] = ["Pending", "Posted", "Exported"];

const SORT_FIELDS = {
  Id: (payment: StoredPayment) => payment.id,
  ModifiedOn: (payment: StoredPayment) => payment.modifiedOn,
  CreatedOn: (payment: StoredPayment) => payment.createdOn,
  PaidOn: (payment: StoredPayment) => payment.paidOn ?? 0,
};

const between = (at: number | null, from: number | undefined, before: number | undefined): boolean =>
  (from === undefined || (at !== null && at >= from)) &&
  (before === undefined || (at !== null && at < before));

/** Payments_GetList, Payments_Create, Payments_Update and Payments_UpdateStatus. */
export function paymentRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.get("/payments", operation(state, "Payments_GetList"), (c) => {
    const q = parseQuery("Payments_GetList", new URL(c.req.url));
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      state.settings.maxPageSize,
    );
    const store = c.var.store;
    const ids = q.ids("ids");
    const invoiceIds = q.ids("appliedToInvoiceIds");
    const businessUnits = q.ids("businessUnitIds");
    const deposits = q.ids("depositIds");
    // The spec types `statuses` as a plain string without saying how to list several (UNCONFIRMED):
    // comma-separated and repeated are both accepted.
    const statuses = enumValues("statuses", q.strings("statuses"), PAYMENT_STATUSES);
    const reference = q.string("appliedToReferenceNumber");
    const batchNumber = q.int("batchNumber");
    const transactionType = q.string("transactionType");
    const customFields = q.dictionary("customField.Fields");
    const numberOf = (invoiceId: number) => store.invoice(invoiceId)?.referenceNumber;
    const matches = store.payments().filter(
      (payment) =>
        inList(payment.id, ids) &&
        activeState(payment.active, q.string("activeState")) &&
        (invoiceIds === undefined || payment.splits.some((split) => invoiceIds.includes(split.invoiceId))) &&
        (reference === undefined ||
          payment.splits.some((split) => numberOf(split.invoiceId) === reference)) &&
        inList(payment.businessUnit?.id, businessUnits) &&
        inList(payment.deposit?.id, deposits) &&
        inList(payment.status, statuses) &&
        equalTo(payment.batch?.id, q.int("batchId")) &&
        equalTo(payment.batch?.number, batchNumber === undefined ? undefined : String(batchNumber)) &&
        equalTo(payment.customerId, q.int("customerId")) &&
        between(payment.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
        between(payment.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")) &&
        // paidOnAfter is taken as inclusive, like the other "after" filters (UNCONFIRMED).
        between(payment.paidOn, q.instant("paidOnAfter"), q.instant("paidOnBefore")) &&
        amountBetween(payment.total, q.decimal("totalGreater"), q.decimal("totalLess")) &&
        customFieldsMatch(payment.customFields, customFields, q.string("customField.Operator")) &&
        // Every simulated payment is a received payment; none comes from a journal entry.
        transactionType !== "JournalEntry",
    );
    const sorted = sortRecords(matches, q.string("sort"), SORT_FIELDS);
    const page = pageOf(sorted, paging);
    return c.json({
      ...page,
      data: page.data.map((payment) => store.detailedPayment(payment)),
    } satisfies PaymentPage);
  });

  routes.post("/payments", operation(state, "Payments_Create"), async (c) => {
    const body = await readBody(c.req.raw, "Payments_Create");
    const store = c.var.store;
    const payment = store.apply({ op: "Payments_Create", body });
    return c.json(store.paymentResponse(payment) satisfies S["Accounting.V2.PaymentResponse"]);
  });

  routes.post("/payments/status", operation(state, "Payments_UpdateStatus"), async (c) => {
    const body = await readBody(c.req.raw, "Payments_UpdateStatus");
    c.var.store.apply({ op: "Payments_UpdateStatus", body });
    return c.body(null, 200);
  });

  routes.patch("/payments/:id", operation(state, "Payments_Update"), async (c) => {
    const id = pathId("id", c.req.param("id"));
    const body = await readBody(c.req.raw, "Payments_Update");
    const store = c.var.store;
    const payment = store.apply({ op: "Payments_Update", id, body });
    return c.json(store.paymentResponse(payment) satisfies S["Accounting.V2.PaymentResponse"]);
  });

  return routes;
}

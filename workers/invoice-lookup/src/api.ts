// The invoice-lookup worker's API: route definitions and the documented response shapes. The
// same objects validate requests at runtime and generate specs/workers/invoice-lookup.openapi.json.
// The invoice and payment shapes mirror ServiceTitan's generated types; view.ts checks at compile
// time that their field lists match, so a regenerated client cannot drift from the document.
import { defineRoute, schemas } from "@st-edge/edge";
import * as z from "zod/mini";

export const info = {
  title: "ServiceTitan invoice lookup",
  version: "1.0.0",
  description:
    "Invoices of one ServiceTitan tenant for automation builders (Zapier, n8n, Make, scripts): by id, " +
    "find by reference/job/customer/status, batch by ids, and a polling trigger for new or updated " +
    "invoices. Money is always an exact decimal string.",
};

/** The limits every handler and the README quote. */
export const LIMITS = {
  batchIds: 200,
  findDefault: 50,
  findMax: 100,
  pollDefault: 50,
  pollMax: 100,
  pollLookbackDays: 30,
} as const;

const text = z.nullable(z.string());
const money = z
  .nullable(z.string())
  .check(z.describe('Exact decimal string as ServiceTitan sent it, e.g. "1234.50"'));
const dateTime = z.nullable(z.string()).check(z.describe("ISO 8601 date-time (UTC) as ServiceTitan sent it"));
const id = z.number().check(z.int());
const optionalId = z.nullable(id);
const named = z.nullable(z.object({ id, name: z.optional(text) }));
const address = z.nullable(
  z.object({
    street: z.optional(text),
    unit: z.optional(text),
    city: z.optional(text),
    state: z.optional(text),
    zip: z.optional(text),
    country: z.optional(text),
  }),
);

/** Every field of ServiceTitan's InvoiceResponse; absent fields are answered as null. */
export const InvoiceFields = z.object({
  id,
  referenceNumber: text,
  syncStatus: z.nullable(z.string()).check(z.describe("Transaction status: Pending, Posted or Exported")),
  active: z.boolean(),
  invoiceDate: dateTime,
  dueDate: dateTime,
  subTotal: money,
  salesTax: money,
  discountTotal: money,
  total: money,
  balance: money,
  salesTaxCode: z.nullable(z.object({ id, name: z.optional(text), taxRate: z.number() })),
  taxZoneId: optionalId,
  invoiceType: named,
  invoiceConfiguration: z.enum([
    "JobInvoice",
    "ProjectInvoice",
    "CounterSales",
    "MembershipInvoice",
    "InterestChargeInvoice",
    "ARImportInvoice",
  ]),
  customer: named,
  customerAddress: address,
  location: named,
  locationAddress: address,
  businessUnit: named,
  job: z.nullable(z.object({ id, number: z.optional(text), type: z.optional(text) })),
  projectId: optionalId,
  membershipId: optionalId,
  adjustmentToId: optionalId,
  termName: text,
  batch: z.nullable(z.object({ id, number: z.optional(text), name: z.optional(text) })),
  budgetCodeId: optionalId,
  materialSkuId: optionalId,
  assignedTo: named,
  employeeInfo: z.nullable(z.object({ id, name: z.optional(text), modifiedOn: z.string() })),
  royalty: z.nullable(
    z.object({
      status: z.optional(text),
      date: z.optional(text),
      sentOn: z.optional(text),
      memo: z.optional(text),
    }),
  ),
  sentStatus: z.enum(["NotSent", "Sent", "Opened"]),
  reviewStatus: z.enum([
    "NeedsReview",
    "OnHold",
    "Reviewed",
    "PendingApproval",
    "Rejected",
    "ReadyForBilling",
    "Invoiced",
  ]),
  summary: z.nullable(z.string()).check(z.describe("HTML")),
  commissionEligibilityDate: text,
  createdBy: text,
  createdOn: z.string(),
  modifiedOn: dateTime,
  depositedOn: dateTime,
  paidOn: dateTime,
  importId: text,
  exportId: text,
  customFields: z.nullable(z.array(z.object({ name: z.optional(text), value: z.optional(text) }))),
  items: z
    .nullable(z.array(z.record(z.string(), z.unknown())))
    .check(
      z.describe(
        "ServiceTitan's invoice items (InvoiceItemResponse) as sent; quantity, cost, totalCost, " +
          "price, memberPrice and total are exact decimal strings",
      ),
    ),
});

const derived = {
  amountPaid: z
    .nullable(z.string())
    .check(z.describe("total − balance, computed exactly, as a decimal string; null when either is missing")),
  isPaid: z
    .boolean()
    .check(z.describe("balance ≤ 0 and total > 0. Zero-total and negative-total invoices are never paid")),
};

/** An invoice as every endpoint answers it: ServiceTitan's fields plus the derived ones. */
export const InvoiceView = z.extend(InvoiceFields, derived);

/** Every field of ServiceTitan's DetailedPaymentResponse; absent fields are answered as null. */
export const PaymentFields = z.object({
  id,
  active: z.boolean(),
  type: text,
  typeId: z.nullable(z.string()).check(z.describe("A string in ServiceTitan's payment list")),
  referenceNumber: text,
  checkNumber: text,
  authCode: text,
  memo: text,
  date: dateTime,
  total: money,
  unappliedAmount: money,
  syncStatus: text,
  customer: named,
  businessUnit: named,
  batch: z.nullable(z.object({ id, number: z.optional(text), name: z.optional(text) })),
  deposit: named,
  generalLedgerAccount: z.nullable(z.record(z.string(), z.unknown())),
  refundedPaymentId: optionalId,
  appliedTo: z.nullable(
    z.array(
      z.object({
        appliedId: id,
        appliedTo: id,
        appliedAmount: z.optional(money),
        appliedOn: z.optional(dateTime),
        appliedBy: z.optional(text),
        appliedToReferenceNumber: z.optional(text),
      }),
    ),
  ),
  customFields: z.nullable(z.array(z.object({ name: z.optional(text), value: z.optional(text) }))),
  createdBy: text,
  createdOn: z.string(),
  modifiedOn: z.string(),
});

export const AppliedPayment = z.extend(PaymentFields, {
  amountApplied: z
    .nullable(z.string())
    .check(z.describe("What this payment applied to this invoice (exact sum of its splits here)")),
});

export const InvoiceWithPayments = z.extend(InvoiceView, {
  payments: z.optional(
    z.array(AppliedPayment).check(z.describe("Only with ?include=payments: active payments applied to it")),
  ),
});

export const BatchResult = z.object({
  invoices: z.array(InvoiceView).check(z.describe("Found invoices, in the order their ids were asked for")),
  notFound: z.array(id).check(z.describe("Ids asked for that do not exist in this tenant")),
});

export const PollItem = z.extend(z.omit(InvoiceView, { id: true }), {
  id: z.string().check(z.describe('"<invoiceId>-<modifiedOn>": unique per version, what Zapier dedupes on')),
  invoiceId: id,
});

/** An empty query value counts as absent: form builders send `number=` for blank fields. */
const blankable = <S extends z.ZodMiniType>(schema: S) =>
  z.optional(
    z.pipe(
      z.transform((value: unknown) => (value === "" ? undefined : value)),
      z.optional(schema),
    ),
  );

export const TRANSACTION_STATUSES = ["Pending", "Posted", "Exported"] as const;

/** `status=Posted&status=Exported` or `status=Posted,Exported`, any letter case. */
const StatusList = schemas.EnumList(
  TRANSACTION_STATUSES,
  "Transaction status; repeat the parameter or separate with commas",
  { anyCase: true },
);

const limit = (max: number, fallback: number) =>
  schemas.documentAs(schemas.PageSize(max, fallback), {
    type: "integer",
    minimum: 1,
    maximum: max,
    default: fallback,
  });

const problem = (description: string) => ({
  description,
  schema: schemas.Problem,
  contentType: "application/problem+json",
});

const RATE_LIMITED = {
  ...problem("ServiceTitan's rate limit was reached; retry after the given seconds"),
  headers: { "Retry-After": { description: "Seconds to wait, passed through from ServiceTitan" } },
};

const SEARCH_COMPLETE = {
  "X-Search-Complete": {
    description: '"false" when the time or call budget cut the search short (the newest found are answered)',
  },
};

const FILTER_NAMES = "number, jobNumber, customerId, status or modifiedSince";

export const findInvoices = defineRoute({
  method: "get",
  path: "/invoices",
  operationId: "findInvoices",
  summary: "Find invoices (an array, most recently modified first)",
  description:
    `Needs at least one of ${FILTER_NAMES}; filters combine with AND. Answers an array (empty when ` +
    "nothing matches), most recently modified first, at most `limit` invoices, ServiceTitan's default " +
    "active state.",
  tags: ["Invoices"],
  query: z
    .strictObject({
      number: blankable(z.string().check(z.maxLength(100), z.describe("Invoice reference number"))),
      jobNumber: blankable(z.string().check(z.maxLength(100), z.describe("Job number"))),
      customerId: blankable(schemas.Id),
      status: blankable(StatusList),
      modifiedSince: blankable(
        schemas.DateTime.check(z.describe("Modified on or after this RFC 3339 date-time (inclusive)")),
      ),
      limit: limit(LIMITS.findMax, LIMITS.findDefault),
    })
    .check(
      z.refine(
        (q) =>
          q.number !== undefined ||
          q.jobNumber !== undefined ||
          q.customerId !== undefined ||
          q.status !== undefined ||
          q.modifiedSince !== undefined,
        { message: `give at least one filter: ${FILTER_NAMES}` },
      ),
    ),
  responses: {
    200: { description: "Matching invoices", schema: z.array(InvoiceView), headers: SEARCH_COMPLETE },
    400: problem("A filter is not valid, or none was given"),
    429: RATE_LIMITED,
  },
});

export const batchInvoices = defineRoute({
  method: "get",
  path: "/invoices/batch",
  operationId: "batchInvoices",
  summary: `Up to ${LIMITS.batchIds} invoices by id`,
  description:
    "GET with a comma-separated `ids` list (duplicates ignored). ServiceTitan is asked 50 ids per call, " +
    "a few calls at a time. Answers the invoices found and the ids that do not exist in this tenant.",
  tags: ["Invoices"],
  query: z.strictObject({
    ids: schemas.documentAs(schemas.IdList(LIMITS.batchIds), {
      type: "string",
      pattern: "^\\d+(,\\d+)*$",
      description: `Comma-separated invoice ids, at most ${LIMITS.batchIds}`,
      examples: ["101,102,103"],
    }),
  }),
  responses: {
    200: { description: "Found invoices and the ids not found", schema: BatchResult },
    400: problem("An id is not a positive integer ≤ 2^53−1, or there are too many"),
    429: RATE_LIMITED,
  },
});

export const pollInvoices = defineRoute({
  method: "get",
  path: "/invoices/poll",
  operationId: "pollInvoices",
  summary: "Polling trigger: new or updated invoices, newest first",
  description:
    "For Zapier/n8n polling triggers. Each item is one version of an invoice: `id` is " +
    '"<invoiceId>-<modifiedOn>" so an invoice that changes again is a new item, and `invoiceId` is the ' +
    `invoice's id. Looks back ${LIMITS.pollLookbackDays} days; answers the \`limit\` most recently ` +
    "modified invoices (one version each), newest first.",
  tags: ["Polling"],
  query: z.strictObject({ limit: limit(LIMITS.pollMax, LIMITS.pollDefault) }),
  responses: {
    200: {
      description: "Invoice versions, newest first",
      schema: z.array(PollItem),
      headers: SEARCH_COMPLETE,
    },
    429: RATE_LIMITED,
  },
});

export const getInvoice = defineRoute({
  method: "get",
  path: "/invoices/{id}",
  operationId: "getInvoice",
  summary: "One invoice by id",
  description:
    "Active or not (see `active`). With `include=payments`, adds the active payments applied to it, " +
    "each with `amountApplied` to this invoice.",
  tags: ["Invoices"],
  params: z.object({ id: schemas.Id }),
  query: z.strictObject({
    include: blankable(z.enum(["payments"]).check(z.describe("payments: add the payments applied to it"))),
  }),
  responses: {
    200: { description: "The invoice", schema: InvoiceWithPayments },
    400: problem("The id is not a positive integer ≤ 2^53−1"),
    404: problem("No invoice with this id in this tenant"),
    429: RATE_LIMITED,
  },
});

/** Every route, in the order of the OpenAPI document. */
export const routes = [findInvoices, batchInvoices, pollInvoices, getInvoice];

// The invoice-lookup worker's API: route definitions and the documented response shapes. The
// same objects validate requests at runtime and generate specs/workers/invoice-lookup.openapi.json.
// The invoice and payment shapes are shared (@st-edge/views/invoice), where a compile-time check
// keeps their field lists equal to ServiceTitan's generated types.
import { defineRoute, problemSpec, schemas } from "@st-edge/edge";
import { AppliedPayment, InvoiceView, PollItem } from "@st-edge/views/invoice";
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

export const InvoiceWithPayments = z.extend(InvoiceView, {
  payments: z.optional(
    z.array(AppliedPayment).check(z.describe("Only with ?include=payments: active payments applied to it")),
  ),
});

export const BatchResult = z.object({
  invoices: z.array(InvoiceView).check(z.describe("Found invoices, in the order their ids were asked for")),
  notFound: z
    .array(z.number().check(z.int()))
    .check(z.describe("Ids asked for that do not exist in this tenant")),
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

const RATE_LIMITED = {
  ...problemSpec("ServiceTitan's rate limit was reached; retry after the given seconds"),
  headers: { "Retry-After": { description: "Seconds to wait, passed through from ServiceTitan" } },
};

const SEARCH_COMPLETE = {
  "X-Search-Complete": {
    description: '"false" when the time or call budget cut the search short (the newest found are answered)',
  },
};

const FILTER_NAMES = "number, jobNumber, customerId, adjustmentToId, status or modifiedSince";

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
      adjustmentToId: blankable(schemas.Id.check(z.describe("The adjustments of this invoice"))),
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
          q.adjustmentToId !== undefined ||
          q.status !== undefined ||
          q.modifiedSince !== undefined,
        { message: `give at least one filter: ${FILTER_NAMES}` },
      ),
    ),
  responses: {
    200: { description: "Matching invoices", schema: z.array(InvoiceView), headers: SEARCH_COMPLETE },
    400: problemSpec("A filter is not valid, or none was given"),
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
    400: problemSpec("An id is not a positive integer ≤ 2^53−1, or there are too many"),
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
    400: problemSpec("The id is not a positive integer ≤ 2^53−1"),
    404: problemSpec("No invoice with this id in this tenant"),
    429: RATE_LIMITED,
  },
});

/** Every route, in the order of the OpenAPI document. */
export const routes = [findInvoices, batchInvoices, pollInvoices, getInvoice];

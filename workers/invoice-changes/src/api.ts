// The invoice-changes worker's API: route definitions used both to validate requests and to
// generate specs/workers/invoice-changes.openapi.json. Invoices are answered in invoice-lookup's
// shape (InvoiceView: every field of ServiceTitan's InvoiceResponse, money as exact strings), read
// back after each write, so an answer is what ServiceTitan holds.
import { defineRoute, problemSpec, schemas } from "@st-edge/edge";
import * as z from "zod/mini";
import {
  clearable,
  InvoiceView,
  invoiceFields,
  itemFields,
  NewItemBody,
  type NewItemInput,
  PollItem,
  Sku,
} from "./shapes.ts";

export type { NewItemInput };

export const info = {
  title: "ServiceTitan invoice changes",
  version: "1.0.0",
  description:
    "Changes to invoices of one ServiceTitan tenant: fields, items (through the same per-invoice gate as " +
    "payments, so a change never leaves an invoice overpaid), adjustment invoices exactly once per " +
    "Idempotency-Key, custom fields, and the export loop (mark invoices exported, find invoices edited " +
    "after they were exported). Every answer is the invoice as ServiceTitan holds it afterwards.",
};

const { Text, Id } = schemas;

/** Limits the handlers and the README quote. */
export const LIMITS = {
  marks: 50,
  customFields: 50,
  driftDefault: 50,
  driftMax: 100,
  driftLookbackDays: 30,
} as const;

export const UpdateInvoiceBody = z.strictObject({
  ...invoiceFields,
  dueDate: z.optional(schemas.BusinessDate({ dateOnly: true })),
  royaltyStatus: clearable(z.enum(["Pending", "Sent", "Failed"], "must be one of Pending, Sent, Failed")),
  royaltyDate: clearable(schemas.BusinessDate()),
  royaltySentOn: clearable(schemas.BusinessDate()),
  royaltyMemo: clearable(Text(255)),
});
export type UpdateInvoiceInput = z.output<typeof UpdateInvoiceBody>;

export const ChangeItemBody = z.strictObject({
  ...Sku,
  description: z.optional(itemFields.description),
  quantity: z.optional(itemFields.quantity),
  unitPrice: z.optional(itemFields.unitPrice),
  cost: z.optional(itemFields.cost),
  technicianId: z.optional(itemFields.technicianId),
  isAddOn: z.optional(itemFields.isAddOn),
  budgetCodeId: z.optional(itemFields.budgetCodeId),
});
export type ChangeItemInput = z.output<typeof ChangeItemBody>;

export const CustomFieldsBody = z.strictObject({
  customFields: z
    .array(
      z.strictObject({
        name: Text(100).check(z.describe("A custom field type's name (any letter case)")),
        value: z.nullable(Text(1_000).check(z.describe("null removes the field from the invoice"))),
      }),
    )
    .check(
      z.minLength(1, "must list at least one field"),
      z.maxLength(LIMITS.customFields, `at most ${LIMITS.customFields} fields`),
    ),
});
export type CustomFieldsInput = z.output<typeof CustomFieldsBody>;

export const MarkExportedBody = z.strictObject({
  invoices: z
    .array(
      z.strictObject({
        invoiceId: Id,
        externalId: z.optional(
          Text(100).check(z.describe("The id in your accounting system; becomes the invoice's exportId")),
        ),
        externalMessage: z.optional(Text(1_000)),
      }),
    )
    .check(
      z.minLength(1, "must list at least one invoice"),
      z.maxLength(LIMITS.marks, `at most ${LIMITS.marks} invoices per call`),
      z.refine(
        (marks) => new Set(marks.map((mark) => mark.invoiceId)).size === marks.length,
        "must not list an invoice twice",
      ),
    ),
});
export type MarkExportedInput = z.output<typeof MarkExportedBody>;

const RETRY_AFTER = { "Retry-After": { description: "Seconds to wait before retrying" } };

const ChangedInvoice = schemas.extendComponent(InvoiceView, {
  itemId: z
    .nullable(z.int())
    .check(z.describe("The item this call added, changed or deleted (null for other changes)")),
});

const invoiceId = z.object({ id: Id });
const ITEM_REFUSALS = {
  404: problemSpec("No such invoice (invoice-not-found) or item (invoice-item-not-found)"),
  409: problemSpec("Another write on this invoice is in progress (invoice-busy)", RETRY_AFTER),
  422: problemSpec(
    "Locked by its state (invoice-items-locked), inactive (invoice-inactive), would leave it overpaid " +
      "(invoice-would-be-overpaid), or ServiceTitan rejected it (upstream-rejected)",
  ),
  503: problemSpec(
    "The outcome is not known (invoice-change-outcome-unknown): read the invoice",
    RETRY_AFTER,
  ),
};

const GATED =
  "Goes through the invoice's gate, shared with payment posting: a change that can lower the invoice's total " +
  "is refused when it could leave the payments above the total (counting payments still being recorded), and " +
  "what it may take off is held against payments until ServiceTitan's reads show it.";

export const updateInvoice = defineRoute({
  method: "patch",
  path: "/invoices/{id}",
  operationId: "updateInvoice",
  summary: "Change an invoice's fields (only those sent)",
  description:
    "Sends ServiceTitan only the fields given (Invoices_UpdateInvoice); `null` clears a field that can be empty. " +
    `Items have their own routes. A new taxZoneId changes the tax: ${GATED}`,
  tags: ["Invoices"],
  params: invoiceId,
  body: UpdateInvoiceBody,
  bodyLimitBytes: 32 * 1024,
  responses: {
    200: { description: "The invoice as ServiceTitan holds it afterwards", schema: InvoiceView },
    400: problemSpec("Invalid request, or no field given"),
    ...ITEM_REFUSALS,
    422: problemSpec(
      "Locked by its state (invoice-locked, invoice-items-locked for a tax zone), would leave it overpaid, or rejected",
    ),
  },
});

export const addInvoiceItem = defineRoute({
  method: "post",
  path: "/invoices/{id}/items",
  operationId: "addInvoiceItem",
  summary: "Add an item (a service fee, a discount, …)",
  description:
    "Adds one line from the tenant's price book (skuId or skuName) at `unitPrice` (Invoices_UpdateInvoiceItems " +
    `with no item id). ${GATED} Not idempotent: after a 503 invoice-change-outcome-unknown, read the invoice before retrying.`,
  tags: ["Items"],
  params: invoiceId,
  body: NewItemBody,
  bodyLimitBytes: 16 * 1024,
  responses: {
    200: { description: "The invoice afterwards; `itemId` is the new item", schema: ChangedInvoice },
    400: problemSpec("Invalid request (field errors listed)"),
    ...ITEM_REFUSALS,
  },
});

export const changeInvoiceItem = defineRoute({
  method: "patch",
  path: "/invoices/{id}/items/{itemId}",
  operationId: "changeInvoiceItem",
  summary: "Change one item (only the fields sent)",
  description:
    "Invoices_UpdateInvoiceItems with the item's id. ServiceTitan needs description and quantity every time: " +
    `when not given, the item's current ones are sent. ${GATED} Repeating the same change is harmless.`,
  tags: ["Items"],
  params: z.object({ id: Id, itemId: Id }),
  body: ChangeItemBody,
  bodyLimitBytes: 16 * 1024,
  responses: {
    200: { description: "The invoice afterwards", schema: ChangedInvoice },
    400: problemSpec("Invalid request, or no field given"),
    ...ITEM_REFUSALS,
  },
});

export const deleteInvoiceItem = defineRoute({
  method: "delete",
  path: "/invoices/{id}/items/{itemId}",
  operationId: "deleteInvoiceItem",
  summary: "Delete one item",
  description: `Invoices_DeleteInvoiceItem. ${GATED} Repeating it after an unknown outcome is harmless (404 once gone).`,
  tags: ["Items"],
  params: z.object({ id: Id, itemId: Id }),
  responses: {
    200: { description: "The invoice afterwards; `itemId` is the deleted item", schema: ChangedInvoice },
    ...ITEM_REFUSALS,
  },
});

export const CustomFieldType = z.object({
  id: z.int(),
  name: z.string(),
  dataType: z.string().check(z.describe("Text, Dropdown or Numeric")),
  dataTypeOptions: z.nullable(z.array(z.string())).check(z.describe("A Dropdown's allowed values")),
  createdOn: z.string(),
  modifiedOn: z.string(),
});

export const listCustomFieldTypes = defineRoute({
  method: "get",
  path: "/invoices/custom-field-types",
  operationId: "listCustomFieldTypes",
  summary: "The tenant's invoice custom field types",
  tags: ["Custom fields"],
  responses: {
    200: { description: "Every type (all pages)", schema: z.object({ data: z.array(CustomFieldType) }) },
  },
});

export const setCustomFields = defineRoute({
  method: "patch",
  path: "/invoices/{id}/custom-fields",
  operationId: "setCustomFields",
  summary: "Set custom field values on an invoice",
  description:
    "Invoices_UpdateCustomFields for one invoice: each field named changes (others keep their values); `null` " +
    "removes it. Checked against the tenant's types first: the name must exist, a Dropdown value must be one of " +
    "its options, a Numeric value a number.",
  tags: ["Custom fields"],
  params: invoiceId,
  body: CustomFieldsBody,
  bodyLimitBytes: 64 * 1024,
  responses: {
    200: { description: "The invoice as ServiceTitan holds it afterwards", schema: InvoiceView },
    404: problemSpec("No such invoice (invoice-not-found)"),
    422: problemSpec("A field or value does not fit the tenant's custom field types (unprocessable)"),
  },
});

const MarkResult = z.object({
  invoiceId: z.int(),
  success: z.boolean().check(z.describe("ServiceTitan marked this invoice exported")),
  errorMessage: z.nullable(z.string().check(z.describe("ServiceTitan's reason when success is false"))),
});

export const markInvoicesExported = defineRoute({
  method: "post",
  path: "/invoices/mark-exported",
  operationId: "markInvoicesExported",
  summary: "Mark invoices exported",
  description:
    "Tells ServiceTitan (Invoices_MarkAsExported) that your accounting system now holds these invoices, with its " +
    "id (externalId, which becomes the invoice's exportId) and a message. One result per invoice, in the order " +
    "sent: an invoice ServiceTitan refuses fails alone and never fails the batch; 200 whenever ServiceTitan " +
    "answered. Marking again is harmless. The version each marked invoice then has is remembered, so " +
    `/invoices/export-drift can tell a later edit. At most ${LIMITS.marks} invoices, each once.`,
  tags: ["Export"],
  body: MarkExportedBody,
  bodyLimitBytes: 128 * 1024,
  responses: {
    200: {
      description: "One result per invoice",
      schema: z.object({
        results: z.array(MarkResult).check(z.describe("One result per invoice sent, in the order sent")),
        succeeded: z.int(),
        failed: z.int(),
      }),
    },
    400: problemSpec("Invalid request (field errors listed)"),
  },
});

export const DriftItem = schemas.extendComponent(PollItem, {
  exportedVersion: z
    .string()
    .check(z.describe("modifiedOn when it was marked exported through this service; the edit came after")),
  exportedAs: z.nullable(z.string()).check(z.describe("The externalId it was marked with")),
});

export const exportDrift = defineRoute({
  method: "get",
  path: "/invoices/export-drift",
  operationId: "exportDrift",
  summary: "Polling trigger: invoices edited after they were exported, newest first",
  description:
    "Invoices marked exported through POST /invoices/mark-exported and modified since (a discount added, the due " +
    "date moved, …), so the books can be corrected. Each item is one version: `id` is " +
    '"<invoiceId>-<modifiedOn>", so a second edit is a new item. Read from ServiceTitan\'s modifiedOnOrAfter ' +
    `filter with statuses=Exported, looking back ${LIMITS.driftLookbackDays} days; marking the invoice again ` +
    "(after the books are corrected) ends its drift.",
  tags: ["Export"],
  query: z.strictObject({
    limit: schemas.documentAs(schemas.PageSize(LIMITS.driftMax, LIMITS.driftDefault), {
      type: "integer",
      minimum: 1,
      maximum: LIMITS.driftMax,
      default: LIMITS.driftDefault,
    }),
  }),
  responses: {
    200: {
      description: "Edited versions of exported invoices, newest first",
      schema: z.array(DriftItem),
      headers: {
        "X-Search-Complete": {
          description:
            '"false" when the time or call budget cut the search short (the newest found are answered)',
        },
      },
    },
  },
});

/** Literal paths before `/invoices/{id}` routes of the same method. */
export const routes = [
  listCustomFieldTypes,
  exportDrift,
  markInvoicesExported,
  updateInvoice,
  addInvoiceItem,
  changeInvoiceItem,
  deleteInvoiceItem,
  setCustomFields,
];

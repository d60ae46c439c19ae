// The request and response shapes invoice-changes and invoice-adjustments share: an invoice's own
// fields (InvoiceUpdateRequest and AdjustmentInvoiceCreateRequest have them in common), a new item,
// and the invoice as answered (invoice-lookup's shape, one component of each OpenAPI document).
import { schemas } from "@st-edge/edge";
import { InvoiceView as LookupInvoiceView, PollItem as LookupPollItem } from "@st-edge/views/invoice";
import { REVIEW_STATUSES } from "@st-edge/views/review-statuses";
import * as z from "zod/mini";

const { Text, Id } = schemas;

/** The invoice as every route answers it (invoice-lookup's shape), described once in the document. */
export const InvoiceView = schemas.component("Invoice", LookupInvoiceView);
export const PollItem = schemas.component("InvoicePollItem", LookupPollItem);

/** `null` clears the field in ServiceTitan. */
export const clearable = <S extends z.ZodMiniType>(schema: S) => z.optional(z.nullable(schema));

/** An invoice's own fields a caller may set (InvoiceUpdateRequest less items, payments, subtotal, tax). */
export const invoiceFields = {
  number: z.optional(Text(50).check(z.describe("The invoice number (ServiceTitan's referenceNumber)"))),
  typeId: z.optional(Id),
  invoicedOn: z.optional(schemas.BusinessDate()),
  summary: clearable(Text(10_000).check(z.describe("HTML; null clears it"))),
  taxZoneId: z.optional(Id),
  reviewStatus: z.optional(z.enum(REVIEW_STATUSES, `must be one of ${REVIEW_STATUSES.join(", ")}`)),
  assignedToId: clearable(Id),
  exportId: clearable(Text(100).check(z.describe("The external system's id; null clears it"))),
  budgetCodeId: clearable(Id),
};

/** The item fields that add or change a line. */
export const itemFields = {
  description: Text(4_000).check(z.describe("HTML, as printed on the invoice")),
  quantity: schemas.Amount(),
  unitPrice: schemas.Amount({ sign: "any" }),
  cost: schemas.Amount({ sign: "any" }),
  technicianId: Id,
  isAddOn: schemas.Flag,
  budgetCodeId: Id,
};

export const Sku = {
  skuId: z.optional(Id),
  skuName: z.optional(Text(100).check(z.describe("The SKU's code, instead of skuId"))),
};

export const NewItemBody = z.strictObject({
  ...Sku,
  description: itemFields.description,
  quantity: itemFields.quantity,
  // Required: what the line does to the balance must be known before it is sent.
  unitPrice: itemFields.unitPrice,
  cost: z.optional(itemFields.cost),
  technicianId: z.optional(itemFields.technicianId),
  isAddOn: z.optional(itemFields.isAddOn),
  budgetCodeId: z.optional(itemFields.budgetCodeId),
});
export type NewItemInput = z.output<typeof NewItemBody>;

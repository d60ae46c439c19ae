// The documented shapes of what invoice-lookup answers (and the invoice-changes worker, which
// answers invoices the same way): every field of ServiceTitan's InvoiceResponse and
// DetailedPaymentResponse plus the derived ones. They mirror ServiceTitan's generated types;
// view.ts checks at compile time that their field lists match, so a regenerated client cannot
// drift from the document. Apart from the routes, so a worker that answers invoices need not
// bundle invoice-lookup's route definitions.
import * as z from "zod/mini";

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

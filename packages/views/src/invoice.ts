// How invoices and payments are answered: every field ServiceTitan's generated types declare,
// always present (null when ServiceTitan left it out), money strings passed through untouched,
// plus derived fields computed with exact decimals. Nothing here does binary floating point on money.
// The zod shapes document the answers (each worker's OpenAPI document, the events' payloads);
// a compile-time check below keeps their field lists equal to the generated types'.
import { Decimal, type DetailedPayment, type Invoice } from "@st-edge/servicetitan";
import * as z from "zod/mini";
import { REVIEW_STATUSES } from "./review-statuses.ts";

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
  reviewStatus: z.enum(REVIEW_STATUSES),
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

export const PollItem = z.extend(z.omit(InvoiceView, { id: true }), {
  id: z.string().check(z.describe('"<invoiceId>-<modifiedOn>": unique per version, what Zapier dedupes on')),
  invoiceId: id,
});

/** A generated record with every optional field made present-or-null. */
type Present<T> = { [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] };

export type InvoiceView = Present<Invoice> & { amountPaid: string | null; isPaid: boolean };
export type AppliedPaymentView = Present<DetailedPayment> & { amountApplied: string | null };
export type PollItem = Omit<InvoiceView, "id"> & { id: string; invoiceId: number };

// The documented shapes above must list exactly the generated types' fields.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { missing: Exclude<keyof B, keyof A>; extra: Exclude<keyof A, keyof B> };
const invoiceFieldsMatch: SameKeys<z.output<typeof InvoiceFields>, Invoice> = true;
const paymentFieldsMatch: SameKeys<z.output<typeof PaymentFields>, DetailedPayment> = true;
void invoiceFieldsMatch;
void paymentFieldsMatch;

const INVOICE_KEYS = Object.keys(InvoiceFields.shape) as (keyof Invoice)[];
const PAYMENT_KEYS = Object.keys(PaymentFields.shape) as (keyof DetailedPayment)[];

function present<T extends object>(record: T, keys: readonly (keyof T)[]): Present<T> {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const key of keys) out[key] = record[key] ?? null;
  return out as Present<T>;
}

/**
 * What the caller has paid: total − balance, exact, at the finer of the two scales.
 *
 * @example amountPaid({ total: "100.00", balance: "25.5" }) // "74.50"
 */
export function amountPaid(invoice: Pick<Invoice, "total" | "balance">): string | null {
  const total = Decimal.fromServiceTitan(invoice.total);
  const balance = Decimal.fromServiceTitan(invoice.balance);
  return total && balance ? total.minus(balance).toString() : null;
}

/**
 * Paid when something was owed (total > 0) and nothing is left (balance ≤ 0). Zero-total invoices
 * (warranty work, fully discounted) and credits (negative totals) are never "paid": there was
 * nothing to collect, and a Zap that acts on payments should not fire for them.
 *
 * @example isPaid({ total: "100.00", balance: "0.00" }) // true
 */
export function isPaid(invoice: Pick<Invoice, "total" | "balance">): boolean {
  const total = Decimal.fromServiceTitan(invoice.total);
  const balance = Decimal.fromServiceTitan(invoice.balance);
  return total !== null && balance !== null && total.isPositive() && !balance.isPositive();
}

/** @example toInvoiceView(invoice).amountPaid // "74.50" */
export function toInvoiceView(invoice: Invoice): InvoiceView {
  return { ...present(invoice, INVOICE_KEYS), amountPaid: amountPaid(invoice), isPaid: isPaid(invoice) };
}

/**
 * The version id a polling trigger dedupes on: the same invoice modified again is a new item.
 *
 * @example versionId({ id: 7, modifiedOn: "2026-01-02T03:04:05.1230000Z" }) // "7-2026-01-02T03:04:05.1230000Z"
 */
export function versionId(invoice: Pick<Invoice, "id" | "modifiedOn" | "createdOn">): string {
  return `${invoice.id}-${invoice.modifiedOn ?? invoice.createdOn}`;
}

/** @example toPollItem(invoice).invoiceId // invoice.id */
export function toPollItem(invoice: Invoice): PollItem {
  return { ...toInvoiceView(invoice), id: versionId(invoice), invoiceId: invoice.id };
}

/**
 * A payment with what it applied to `invoiceId` (a split payment lists several invoices); null
 * when none of its applications to this invoice carries an amount.
 *
 * @example toAppliedPayment(payment, 42).amountApplied // "60.00"
 */
export function toAppliedPayment(payment: DetailedPayment, invoiceId: number): AppliedPaymentView {
  const amounts = (payment.appliedTo ?? [])
    .filter((application) => application.appliedTo === invoiceId)
    .map((application) => Decimal.fromServiceTitan(application.appliedAmount))
    .filter((amount) => amount !== null);
  return {
    ...present(payment, PAYMENT_KEYS),
    amountApplied: amounts.length === 0 ? null : Decimal.sum(amounts).toString(),
  };
}

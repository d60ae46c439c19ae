// How invoices and payments are answered: every field ServiceTitan's generated types declare,
// always present (null when ServiceTitan left it out), money strings passed through untouched,
// plus derived fields computed with exact decimals. Nothing here does binary floating point on money.
import { Decimal, type DetailedPayment, type Invoice } from "@st-edge/servicetitan";
import type * as z from "zod/mini";
import { InvoiceFields, PaymentFields } from "./shapes.ts";

/** A generated record with every optional field made present-or-null. */
type Present<T> = { [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] };

export type InvoiceView = Present<Invoice> & { amountPaid: string | null; isPaid: boolean };
export type AppliedPaymentView = Present<DetailedPayment> & { amountApplied: string | null };
export type PollItem = Omit<InvoiceView, "id"> & { id: string; invoiceId: number };

// The documented shapes (api.ts) must list exactly the generated types' fields.
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

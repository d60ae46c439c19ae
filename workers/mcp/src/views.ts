// What an agent sees of invoices, payments and bills: the fields it needs to decide, with the ids
// it needs to act, and nothing else (a full invoice is several kilobytes a model would read every
// time). Money stays the exact decimal text the workers answer; nothing here does arithmetic.
// The workers' answers are typed by their documented shapes (@st-edge/views).
import type { BillView } from "@st-edge/views/bill";
import type { AppliedPaymentView, InvoiceView } from "@st-edge/views/invoice";
import type { PaymentViewOutput } from "@st-edge/views/payment";

const named = (value: { id: number; name?: string | null } | null | undefined) =>
  value ? { id: value.id, name: value.name ?? null } : null;

/**
 * One invoice in a list.
 *
 * @example invoiceSummary(invoice) // { id: 11000001, number: "INV-1001", balance: "25.00", ... }
 */
export function invoiceSummary(invoice: InvoiceView) {
  return {
    id: invoice.id,
    number: invoice.referenceNumber,
    status: invoice.syncStatus,
    active: invoice.active,
    customer: named(invoice.customer),
    job: invoice.job ? { id: invoice.job.id, number: invoice.job.number ?? null } : null,
    invoiceDate: invoice.invoiceDate,
    dueDate: invoice.dueDate,
    total: invoice.total,
    balance: invoice.balance,
    isPaid: invoice.isPaid,
    modifiedOn: invoice.modifiedOn,
  };
}

const text = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

/** A payment applied to an invoice, as get_invoice lists it. */
function appliedPayment(payment: AppliedPaymentView) {
  return {
    id: payment.id,
    type: payment.type,
    date: payment.date,
    total: payment.total,
    amountApplied: payment.amountApplied,
    status: payment.syncStatus,
    memo: payment.memo,
  };
}

/** One invoice with what deciding on it takes: amounts, tax, terms, items and the payments applied. */
export function invoiceDetail(invoice: InvoiceView & { payments?: AppliedPaymentView[] }) {
  return {
    ...invoiceSummary(invoice),
    subTotal: invoice.subTotal,
    salesTax: invoice.salesTax,
    amountPaid: invoice.amountPaid,
    taxZoneId: invoice.taxZoneId,
    termName: invoice.termName,
    location: named(invoice.location),
    businessUnit: named(invoice.businessUnit),
    adjustmentToId: invoice.adjustmentToId,
    items: (invoice.items ?? []).map((item) => ({
      id: typeof item.id === "number" ? item.id : null,
      sku: text(item.skuName),
      description: text(item.description),
      quantity: text(item.quantity),
      price: text(item.price),
      total: text(item.total),
    })),
    payments: (invoice.payments ?? []).map(appliedPayment),
  };
}

/** A payment as payment-posting answers it (a post, a read or a poll). */
export function paymentSummary(payment: PaymentViewOutput) {
  return {
    id: payment.id,
    type: payment.type,
    amount: payment.amount,
    paidOn: payment.paidOn,
    status: payment.status,
    active: payment.active,
    customerId: payment.customerId,
    splits: payment.splits,
    unappliedAmount: payment.unappliedAmount,
    checkNumber: payment.checkNumber,
    memo: payment.memo,
    marker: payment.marker,
    ...(payment.modifiedOn === undefined ? {} : { modifiedOn: payment.modifiedOn }),
  };
}

/** One AP bill in a list or a preview. */
export function billSummary(bill: BillView) {
  return {
    id: bill.id,
    number: bill.referenceNumber,
    vendor: named(bill.vendor),
    status: bill.status,
    syncStatus: bill.syncStatus,
    billDate: bill.billDate,
    dueDate: bill.dueDate,
    amount: bill.billAmount,
    jobNumber: bill.jobNumber,
    termName: bill.termName,
  };
}

// What callers see of a payment, built from either ServiceTitan shape: the create/update answer
// (PaymentResponse: number amounts, numeric typeId, splits) or a read (DetailedPaymentResponse:
// decimal-string amounts, string typeId, appliedTo). Amounts are always two-decimal strings and
// the memo is split into the caller's text and our marker.
import { Decimal, type DetailedPayment, type PaymentResponse } from "@st-edge/servicetitan";
import type { PaymentViewOutput } from "./api.ts";
import { splitMemo } from "./memo.ts";

const STATUSES = new Set(["Pending", "Posted", "Exported"]);

const money = (value: string | number | null | undefined): Decimal =>
  value === null || value === undefined ? Decimal.ZERO : Decimal.parse(value);

const typeIdOf = (value: string | number | null | undefined): number | null => {
  const id = typeof value === "string" ? Number(value) : value;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
};

/**
 * A view of ServiceTitan's create/update answer. PaymentResponse carries no amount, so `amount`
 * is what the payment is for (the create's amount, or the total read before an update: an update
 * cannot change it); what the splits leave of it is unapplied. `type` and `customerId` fill what
 * the answer leaves out.
 */
export function viewOfResponse(
  payment: PaymentResponse,
  known: { amount: Decimal; type?: string | null; customerId?: number | null },
): PaymentViewOutput {
  const splits = (payment.splits ?? []).flatMap((split) =>
    typeof split.invoiceId === "number" ? [{ invoiceId: split.invoiceId, amount: money(split.amount) }] : [],
  );
  const applied = Decimal.sum(splits.map((split) => split.amount));
  const { memo, marker } = splitMemo(payment.memo);
  return {
    id: payment.id,
    typeId: typeIdOf(payment.typeId),
    type: known.type ?? null,
    amount: known.amount.toFixed(2),
    paidOn: payment.paidOn ?? null,
    memo,
    marker,
    checkNumber: payment.checkNumber ?? null,
    authCode: payment.authCode ?? null,
    status: payment.status ?? null,
    customerId: payment.customerId ?? known.customerId ?? null,
    active: payment.active ?? null,
    splits: splits.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toFixed(2) })),
    unappliedAmount: known.amount.minus(applied).toFixed(2),
  };
}

/** A view of a payment as GET /payments returns it. */
export function viewOfDetailed(payment: DetailedPayment): PaymentViewOutput {
  const splits = (payment.appliedTo ?? []).map((applied) => ({
    invoiceId: applied.appliedTo,
    amount: money(applied.appliedAmount),
  }));
  const { memo, marker } = splitMemo(payment.memo);
  const applied = Decimal.sum(splits.map((split) => split.amount));
  const total = payment.total ? money(payment.total) : applied;
  return {
    id: payment.id,
    typeId: typeIdOf(payment.typeId),
    type: payment.type ?? null,
    amount: total.toFixed(2),
    paidOn: payment.date ?? null,
    memo,
    marker,
    checkNumber: payment.checkNumber ?? null,
    authCode: payment.authCode ?? null,
    status: payment.syncStatus && STATUSES.has(payment.syncStatus) ? payment.syncStatus : null,
    customerId: payment.customer?.id ?? null,
    active: payment.active,
    splits: splits.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toFixed(2) })),
    unappliedAmount: (payment.unappliedAmount
      ? money(payment.unappliedAmount)
      : total.minus(applied)
    ).toFixed(2),
    createdOn: payment.createdOn,
    modifiedOn: payment.modifiedOn,
  };
}

// What callers see of a payment, built from either ServiceTitan shape: the create/update answer
// (PaymentResponse: number amounts, numeric typeId, splits) or a read (DetailedPaymentResponse:
// decimal-string amounts, string typeId, appliedTo). Amounts are always two-decimal strings and
// the memo is split into the caller's text and our marker.
import { Decimal, type DetailedPayment, type PaymentResponse } from "@st-edge/servicetitan";
import type { PaymentViewOutput } from "./api.ts";
import { splitMemo } from "./marker.ts";

const STATUSES = new Set(["Pending", "Posted", "Exported"]);

const money = (value: string | number | null | undefined): Decimal =>
  value === null || value === undefined ? Decimal.ZERO : Decimal.parse(value);

const typeIdOf = (value: string | number | null | undefined): number | null => {
  const id = typeof value === "string" ? Number(value) : value;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
};

/** A view of ServiceTitan's create/update answer. `fallback` fills what the answer leaves out. */
export function viewOfResponse(
  payment: PaymentResponse,
  fallback: { amount?: Decimal; type?: string | null; customerId?: number | null } = {},
): PaymentViewOutput {
  const splits = (payment.splits ?? []).flatMap((split) =>
    typeof split.invoiceId === "number" ? [{ invoiceId: split.invoiceId, amount: money(split.amount) }] : [],
  );
  const total =
    splits.length > 0 ? Decimal.sum(splits.map((split) => split.amount)) : (fallback.amount ?? Decimal.ZERO);
  const { memo, marker } = splitMemo(payment.memo);
  return {
    id: payment.id,
    typeId: typeIdOf(payment.typeId),
    type: fallback.type ?? null,
    amount: total.toFixed(2),
    paidOn: payment.paidOn ?? null,
    memo,
    marker,
    checkNumber: payment.checkNumber ?? null,
    authCode: payment.authCode ?? null,
    status: payment.status ?? null,
    customerId: payment.customerId ?? fallback.customerId ?? null,
    active: payment.active ?? null,
    splits: splits.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toFixed(2) })),
  };
}

/** A view of a payment as GET /payments returns it. */
export function viewOfDetailed(payment: DetailedPayment): PaymentViewOutput {
  const splits = (payment.appliedTo ?? []).map((applied) => ({
    invoiceId: applied.appliedTo,
    amount: money(applied.appliedAmount),
  }));
  const { memo, marker } = splitMemo(payment.memo);
  const total = payment.total ? money(payment.total) : Decimal.sum(splits.map((split) => split.amount));
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
    createdOn: payment.createdOn,
    modifiedOn: payment.modifiedOn,
  };
}

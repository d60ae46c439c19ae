// What callers see of a payment, built from either ServiceTitan shape: the create/update answer
// (PaymentResponse: number amounts, numeric typeId, splits) or a read (DetailedPaymentResponse:
// decimal-string amounts, string typeId, appliedTo). Amounts are always two-decimal strings and
// the memo is split into the caller's text and our marker.
// The zod shapes document it (payment-posting's OpenAPI document, the events' payloads).
import { splitMarker } from "@st-edge/exactly-once/marker";
import { Decimal, type DetailedPayment, type PaymentResponse } from "@st-edge/servicetitan";
import * as z from "zod/mini";

const SplitView = z.object({ invoiceId: z.number(), amount: z.string() });

export const PaymentView = z.object({
  id: z.number(),
  typeId: z.nullable(z.number()),
  type: z.nullable(z.string()),
  amount: z.string(),
  paidOn: z.nullable(z.string()),
  memo: z.nullable(z.string()).check(z.describe("The caller's memo, without the tracing marker")),
  marker: z
    .nullable(z.string())
    .check(
      z.describe(
        "Tracing marker this service appended to the memo in ServiceTitan, e.g. [ste:0123456789abcdef]",
      ),
    ),
  checkNumber: z.nullable(z.string()),
  authCode: z.nullable(z.string()),
  status: z.nullable(z.string()),
  customerId: z.nullable(z.number()),
  active: z.nullable(z.boolean()),
  splits: z.array(SplitView),
  unappliedAmount: z
    .string()
    .check(z.describe("What the payment's amount leaves unapplied to invoices (amount − the splits)")),
  createdOn: z.optional(z.nullable(z.string())),
  modifiedOn: z.optional(z.nullable(z.string())),
});
export type PaymentViewOutput = z.output<typeof PaymentView>;

export const PollItem = z.extend(PaymentView, {
  id: z.string().check(z.describe("Unique per version of a payment: <paymentId>-<modifiedOn>")),
  paymentId: z.number(),
  modifiedOn: z.string(),
});
export type PollItem = z.output<typeof PollItem>;

/** Splits a ServiceTitan memo into the caller's part and our marker (null when there is none). */
export function splitMemo(stored: string | null | undefined): { memo: string | null; marker: string | null } {
  const { text, marker } = splitMarker(stored);
  return { memo: text, marker };
}

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

/**
 * A polling item: one version of a payment, `id` unique per version (what Zapier dedupes on).
 *
 * @example toPollItem(payment).id // "13000001-2026-01-02T03:04:05.1230000Z"
 */
export function toPollItem(payment: DetailedPayment): PollItem {
  return {
    ...viewOfDetailed(payment),
    id: `${payment.id}-${payment.modifiedOn}`,
    paymentId: payment.id,
    modifiedOn: payment.modifiedOn,
  };
}

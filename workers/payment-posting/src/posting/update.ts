// PATCH /payments/{id}: changing a payment, merged over what ServiceTitan holds (its update needs
// the type and the splits every time). A change of splits moves money between invoices, so it
// goes through the same gates as posting: the gates of every invoice the payment touches before
// and after, taken in ascending order; the payment and the invoices read under them; what each
// invoice gains reserved until reads show it. Repeating the same PATCH is harmless: the second
// sees the first's splits as the payment's own.
//
// The answer states what ServiceTitan holds after the change: the splits it answered, the
// payment's amount (an update cannot change it) and what the splits leave unapplied.
import { type FieldError, ProblemError, toUtcDateTime } from "@st-edge/edge";
import { publishEvent } from "@st-edge/events";
import {
  appliedTo,
  type HeldInvoices,
  holdInvoices,
  RESERVATION_TTL_MS,
  type Reservation,
  readUnderGates,
} from "@st-edge/exactly-once";
import {
  Decimal,
  type DetailedPayment,
  type PaymentResponse,
  type PaymentUpdateRequest,
  ServiceTitanError,
  unwrap,
} from "@st-edge/servicetitan";
import { type PaymentViewOutput, viewOfResponse } from "@st-edge/views/payment";
import type { UpdatePaymentInput } from "../api.ts";
import { checkBalances, checkInvoices, type IdSplit, invoiceIdsOf, resolvePaymentType } from "../checks.ts";
import { paymentsByIds } from "../lookups.ts";
import { MAX_MEMO, memoWithMarker, splitMemo } from "../memo.ts";
import { type CanonicalSplit, canonicalSplits } from "../payment-request.ts";
import { type Ctx, gateTimes, type Posting, postingFor } from "./context.ts";

/** A payment changed by someone else between the first read and taking its gates: read again this often. */
const MAX_REREADS = 3;

const invalid = (errors: FieldError[]) =>
  new ProblemError({ type: "validation-failed", detail: "The request body is not valid", errors });

/** The payment, or a 404 payment-not-found problem. */
export async function currentPayment(posting: Posting, id: number): Promise<DetailedPayment> {
  const payment = (await paymentsByIds(posting.tenant.client, [id])).get(id);
  if (!payment)
    throw new ProblemError({ type: "payment-not-found", detail: `No payment ${id} in this tenant` });
  return payment;
}

/** What a payment applies to each invoice now. */
const appliedByInvoice = (payment: DetailedPayment) =>
  new Map(
    (payment.appliedTo ?? []).map((applied) => [applied.appliedTo, appliedTo(payment, applied.appliedTo)]),
  );

/** Checks the body's shape rules that span fields; returns its splits, canonical. */
function checkedChanges(body: UpdatePaymentInput): CanonicalSplit[] | undefined {
  const { allowOverpayment: _, ...changes } = body;
  if (Object.keys(changes).length === 0) {
    throw invalid([{ in: "body", field: "", message: "give at least one field to change" }]);
  }
  const errors: FieldError[] = [];
  if (body.typeId !== undefined && body.paymentType !== undefined) {
    errors.push({ in: "body", field: "paymentType", message: "give typeId or paymentType, not both" });
  }
  const splits = body.splits ? canonicalSplits(body.splits, errors) : undefined;
  if (errors.length > 0) throw invalid(errors);
  return splits;
}

/**
 * Applies `body` to payment `id` and answers what ServiceTitan then holds.
 *
 * @example return c.json(await updatePayment(c, params.id, body));
 */
export async function updatePayment(
  c: Ctx,
  id: number,
  body: UpdatePaymentInput,
): Promise<PaymentViewOutput> {
  const requested = checkedChanges(body);
  const posting = await postingFor(c);
  const { tenant } = posting;
  // Invoice numbers to ids before any gate is taken (a read that decides nothing about balances).
  const newSplits = requested ? await invoiceIdsOf(tenant.client, requested) : undefined;
  let current = await currentPayment(posting, id);
  for (let read = 1; ; read++) {
    const touched = [
      ...appliedByInvoice(current).keys(),
      ...(newSplits ?? []).map((split) => split.invoiceId),
    ];
    const held = await holdInvoices(posting.gates, touched, gateTimes(posting));
    let finished = false;
    try {
      const underGate = await currentPayment(posting, id);
      const moved = [...appliedByInvoice(underGate).keys()].some(
        (invoiceId) => !held.invoiceIds.includes(invoiceId),
      );
      if (moved && read < MAX_REREADS) {
        // Someone moved the payment to another invoice meanwhile: take that invoice's gate too.
        current = underGate;
        continue;
      }
      if (moved) {
        throw new ProblemError({
          type: "invoice-busy",
          detail: `Payment ${id} keeps changing; nothing was written. Retry shortly.`,
          retryAfterSeconds: 2,
        });
      }
      const result = await updateUnderGates(posting, held, underGate, body, newSplits);
      finished = true;
      return result;
    } finally {
      if (!finished) await held.finish({});
    }
  }
}

async function updateUnderGates(
  posting: Posting,
  held: HeldInvoices,
  current: DetailedPayment,
  body: UpdatePaymentInput,
  newSplits: IdSplit[] | undefined,
): Promise<PaymentViewOutput> {
  const { tenant, settings } = posting;
  const before = appliedByInvoice(current);
  const lookup = { client: tenant.client, cacheKey: posting.typesKey, ttlMs: settings.paymentTypesTtlMs };
  const type = await paymentTypeFor(lookup, current, body);

  let splits: PaymentUpdateRequest["splits"];
  const reservations = new Map<number, Reservation>();
  if (newSplits) {
    const invoices = await readUnderGates(tenant.client, held, { skewMs: settings.reconcileSkewMs });
    const checked = checkInvoices(newSplits, invoices);
    // What this payment already applies to an invoice is available to it again.
    checkBalances(checked, body.allowOverpayment === true || body.allowOverpayment === "true", before);
    splits = checked.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toNumber() }));
    const now = Date.now();
    for (const split of checked) {
      const gained = split.amount.minus(before.get(split.invoiceId) ?? Decimal.ZERO);
      if (!gained.isPositive()) continue;
      reservations.set(split.invoiceId, {
        id: crypto.randomUUID(),
        expect: { kind: "payment", marker: null, paymentId: current.id, applied: split.amount.toFixed(2) },
        amount: gained.toFixed(2),
        outcome: "unknown",
        settleBy: tenant.deadline.at + settings.reconcileWaitMs,
        createdAt: now,
        expiresAt: now + RESERVATION_TTL_MS,
      });
    }
  } else {
    splits = [...before].map(([invoiceId, amount]) => ({ invoiceId, amount: amount.toNumber() }));
  }

  const update: PaymentUpdateRequest = { typeId: type.id, splits, ...otherChanges(current, body) };
  const reserved = [...reservations.values()].map((reservation) => reservation.id);
  await held.reserve(reservations);
  let updated: PaymentResponse;
  try {
    updated = unwrap(
      await tenant.client.PATCH("/tenant/{tenant}/payments/{id}", {
        params: { path: { id: current.id } },
        body: update,
      }),
    );
  } catch (error) {
    // A refusal withdraws what was reserved; a lost answer keeps it until reads settle it.
    const unknown = !(error instanceof ServiceTitanError) || error.outcomeUnknown;
    await held.finish(unknown ? {} : { withdrawn: reserved });
    throw error;
  }
  await held.finish({
    applied: reserved.map((reservationId) => ({ id: reservationId, paymentId: current.id })),
  });
  posting.later(publishEvent(posting.env, { event: "payment.updated", recordId: current.id }));
  return viewOfResponse(updated, {
    amount: Decimal.fromServiceTitan(current.total) ?? Decimal.sum(before.values()),
    type: type.name,
    customerId: current.customer?.id ?? null,
  });
}

async function paymentTypeFor(
  lookup: Parameters<typeof resolvePaymentType>[0],
  current: DetailedPayment,
  body: UpdatePaymentInput,
): Promise<{ id: number; name: string | null }> {
  if (body.typeId !== undefined || body.paymentType !== undefined) {
    const wanted =
      body.typeId !== undefined ? { id: body.typeId } : { name: (body.paymentType ?? "").trim() };
    return resolvePaymentType(lookup, wanted);
  }
  const existing = Number(current.typeId);
  if (!Number.isSafeInteger(existing) || existing <= 0) {
    throw new ProblemError({
      type: "payment-type-unknown",
      detail: `Payment ${current.id} has no payment type; give typeId`,
      errors: [{ in: "body", field: "typeId", message: "is required for this payment" }],
    });
  }
  return { id: existing, name: current.type ?? null };
}

/** The fields other than type and splits, as ServiceTitan takes them; the memo keeps our marker. */
function otherChanges(current: DetailedPayment, body: UpdatePaymentInput): Partial<PaymentUpdateRequest> {
  const changes: Partial<PaymentUpdateRequest> = {};
  if (body.memo !== undefined) {
    // Keep the tracing marker: it is how this service recognises payments it created.
    const { marker } = splitMemo(current.memo);
    const memo = marker ? memoWithMarker(body.memo.trim(), marker) : body.memo.trim();
    if (memo.length > MAX_MEMO) {
      throw invalid([
        {
          in: "body",
          field: "memo",
          message: `is too long (with the marker, at most ${MAX_MEMO} characters)`,
        },
      ]);
    }
    changes.memo = memo;
  }
  if (body.paidOn !== undefined) changes.paidOn = toUtcDateTime(body.paidOn.trim());
  if (body.checkNumber !== undefined) changes.checkNumber = body.checkNumber.trim();
  if (body.authCode !== undefined) changes.authCode = body.authCode.trim();
  if (body.status !== undefined) changes.status = body.status;
  return changes;
}

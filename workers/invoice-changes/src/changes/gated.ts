// A change of an invoice's money under its gate (the one payment posting takes):
//
// 1. Take the invoice's gate; read it under the gate, less what other writes still reserve.
// 2. Plan the change from what was read; refuse it (422 invoice-would-be-overpaid) when the most it
//    can take off the total is more than what the payments leave (balance less reservations).
// 3. Reserve that much (an invoice-total reservation) before sending, so a payment racing the
//    change decides on the lower balance until reads show the change or it is settled.
// 4. Send; read the invoice back; let go of the gate. A refusal withdraws the reservation; a lost
//    answer keeps it until `settleBy` (the change may have landed).
import { ProblemError } from "@st-edge/edge";
import {
  holdInvoices,
  type InvoiceUnderGate,
  RESERVATION_TTL_MS,
  type Reservation,
  readUnderGates,
} from "@st-edge/exactly-once";
import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { type Change, gateTimes } from "../context.ts";
import {
  type ChangeKind,
  currentInvoice,
  invoiceInactive,
  invoiceNotFound,
  mayHaveLanded,
  refusalOf,
  unknownOutcome,
} from "../invoices.ts";

/** A change planned from the invoice as read under its gate. */
export interface PlannedChange {
  /** The most the change can take off the invoice's total (≥ 0). */
  takesOffAtMost: Decimal;
  /** Sends the change to ServiceTitan. */
  send(): Promise<void>;
}

export interface ChangeResult {
  before: Invoice;
  after: Invoice;
}

/**
 * Runs one gated change of `invoiceId` and answers the invoice before and after.
 *
 * @example
 * const { after } = await changeUnderGate(change, 11000041, "items", (current) => ({
 *   takesOffAtMost: mostTakenOff(current.invoice, { kind: "delete", item }),
 *   send: () => deleteItem(...),
 * }));
 */
export async function changeUnderGate(
  change: Change,
  invoiceId: number,
  kind: ChangeKind,
  plan: (current: InvoiceUnderGate) => PlannedChange | Promise<PlannedChange>,
): Promise<ChangeResult> {
  const { tenant, settings } = change;
  const held = await holdInvoices(change.gates, [invoiceId], gateTimes(change));
  let reserved: Reservation | undefined;
  let totalBefore = "";
  let open = true;
  const finish = async (outcome: Parameters<typeof held.finish>[0]) => {
    open = false;
    await held.finish(outcome);
  };
  try {
    const current = (await readUnderGates(tenant.client, held, { skewMs: settings.reconcileSkewMs })).get(
      invoiceId,
    );
    if (!current) throw invoiceNotFound(invoiceId);
    if (!current.invoice.active) throw invoiceInactive(invoiceId);
    const planned = await plan(current);
    totalBefore = (Decimal.fromServiceTitan(current.invoice.total) ?? Decimal.ZERO).toFixed(2);
    if (planned.takesOffAtMost.isPositive()) {
      checkNotOverpaid(invoiceId, current, planned.takesOffAtMost);
      const now = Date.now();
      reserved = {
        id: crypto.randomUUID(),
        expect: { kind: "invoice-total", before: totalBefore },
        amount: planned.takesOffAtMost.toFixed(2),
        outcome: "unknown",
        // Every send ends by the request's deadline; past it plus the read-after-write wait, reads
        // show the change if it landed.
        settleBy: tenant.deadline.at + settings.reconcileWaitMs,
        createdAt: now,
        expiresAt: now + RESERVATION_TTL_MS,
      };
      await held.reserve(new Map([[invoiceId, reserved]]));
    }
    const ids = reserved ? [reserved.id] : [];
    try {
      await planned.send();
    } catch (error) {
      // A lost answer keeps the reservation (the change may have landed); a refusal withdraws it.
      await finish(mayHaveLanded(error) ? {} : { withdrawn: ids });
      throw unknownOutcome(refusalOf(error, invoiceId, kind), invoiceId);
    }
    let after: Invoice;
    try {
      after = await currentInvoice(tenant.client, invoiceId);
    } catch {
      await finish({ applied: ids.map((id) => ({ id, paymentId: null })) });
      throw new ProblemError({
        type: "upstream-unavailable",
        detail: `ServiceTitan applied the change to invoice ${invoiceId} but could not be read back; read the invoice (do not repeat an item add).`,
        retryAfterSeconds: 2,
      });
    }
    // Reads already show another total: nothing is left to hold. Otherwise held until they do.
    const shown = (Decimal.fromServiceTitan(after.total) ?? Decimal.ZERO).toFixed(2) !== totalBefore;
    await finish(shown ? { withdrawn: ids } : { applied: ids.map((id) => ({ id, paymentId: null })) });
    return { before: current.invoice, after };
  } finally {
    if (open) await held.finish(reserved ? { withdrawn: [reserved.id] } : {});
  }
}

/** Refuses a change that could leave payments (and payments still being recorded) above the total. */
function checkNotOverpaid(invoiceId: number, current: InvoiceUnderGate, takesOff: Decimal): void {
  const left = current.available;
  if (left !== null && left.compare(takesOff) >= 0) return;
  const held = current.pending.length > 0 ? " (after writes still being recorded)" : "";
  throw new ProblemError({
    type: "invoice-would-be-overpaid",
    detail:
      left === null
        ? `Invoice ${invoiceId}'s balance is unknown, and the change could lower its total by up to ${takesOff.toFixed(2)}.`
        : `The change could lower invoice ${invoiceId}'s total by up to ${takesOff.toFixed(2)} (the line and, ` +
          `as ServiceTitan recomputes it, its tax), more than the ${left.toFixed(2)} its payments leave${held}. ` +
          "Nothing changed; refund or move a payment first, or correct it with an adjustment invoice.",
    extensions: { invoiceId, balanceLeft: left?.toFixed(2) ?? null, mostTakenOff: takesOff.toFixed(2) },
  });
}

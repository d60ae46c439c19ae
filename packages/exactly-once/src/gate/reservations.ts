// What a holder's reads say about the reservations on an invoice. Payments are read first (then
// the invoice), so a write the payments show is also in the balance read after it (ServiceTitan
// derives the balance from the payments: UNCONFIRMED, assumed as reconciliation does).
import { Decimal } from "@st-edge/servicetitan";
import { hasMarker } from "../marker.ts";
import type { Reservation } from "./state.ts";

/** The parts of ServiceTitan's DetailedPaymentResponse a reservation is judged by. */
export interface PaymentSeen {
  id: number;
  active: boolean;
  memo?: string | null;
  appliedTo?: readonly { appliedTo: number; appliedAmount?: string | null }[] | null;
}

/** What `payment` applies to `invoiceId`, exactly. */
export function appliedTo(payment: PaymentSeen, invoiceId: number): Decimal {
  return Decimal.sum(
    (payment.appliedTo ?? [])
      .filter((application) => application.appliedTo === invoiceId)
      .map((application) => Decimal.fromServiceTitan(application.appliedAmount) ?? Decimal.ZERO),
  );
}

/**
 * Splits an invoice's reservations into those that end (reads show the write, so the balance has
 * it; or it can no longer land) and those still pending (their amounts still come off the balance).
 *
 * - A create (expectation with a marker) shows once a payment carrying the marker is listed
 *   (whatever it applies now is then in the balance).
 * - An update (by payment id) shows once that payment applies the expected amount to the invoice.
 * - A voided (inactive) payment applies nothing: its reservation ends.
 * - An unknown outcome not shown by `settleBy` is absent; an applied one waits for reads.
 */
export function sortOut(
  reservations: readonly Reservation[],
  invoiceId: number,
  payments: readonly PaymentSeen[],
  now: number,
): { ended: string[]; pending: Reservation[] } {
  const ended: string[] = [];
  const pending: Reservation[] = [];
  for (const reservation of reservations) {
    const { marker, paymentId, applied } = reservation.expect;
    const seen = payments.find(
      (payment) =>
        (marker !== null && hasMarker(payment.memo, marker)) ||
        (paymentId !== null && payment.id === paymentId),
    );
    const shown =
      seen !== undefined &&
      (!seen.active || marker !== null || appliedTo(seen, invoiceId).equals(Decimal.parse(applied)));
    const lapsed = reservation.outcome === "unknown" && now > reservation.settleBy;
    if (shown || lapsed) ended.push(reservation.id);
    else pending.push(reservation);
  }
  return { ended, pending };
}

/** What is left on an invoice once pending reservations are counted. */
export function available(balance: Decimal, pending: readonly Reservation[]): Decimal {
  return pending.reduce((left, reservation) => left.minus(Decimal.parse(reservation.amount)), balance);
}

// What a holder's reads say about the reservations on an invoice. Payments are read first (then
// the invoice), so a write the payments show is also in the balance read after it (ServiceTitan
// derives the balance from the payments: UNCONFIRMED, assumed as reconciliation does). A change
// of the invoice's own total shows in the invoice read itself.
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

/** The part of ServiceTitan's InvoiceResponse a total change is judged by. */
export interface InvoiceSeen {
  total?: string | null;
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
 * - A payment create (expectation with a marker) shows once a payment carrying the marker is
 *   listed (whatever it applies now is then in the balance).
 * - A payment update (by payment id) shows once that payment applies the expected amount.
 * - A voided (inactive) payment applies nothing: its reservation ends.
 * - A change of the invoice's total shows once `invoice` (read after the payments) has another
 *   total than before the write; shown or not, it ends at `settleBy` (see InvoiceTotalExpectation).
 * - An unknown outcome not shown by `settleBy` is absent; an applied payment waits for reads.
 */
export function sortOut(
  reservations: readonly Reservation[],
  invoiceId: number,
  payments: readonly PaymentSeen[],
  now: number,
  invoice?: InvoiceSeen,
): { ended: string[]; pending: Reservation[] } {
  const ended: string[] = [];
  const pending: Reservation[] = [];
  for (const reservation of reservations) {
    const lapsed = now > reservation.settleBy && reservation.outcome === "unknown";
    if (shows(reservation, invoiceId, payments, invoice, now) || lapsed) ended.push(reservation.id);
    else pending.push(reservation);
  }
  return { ended, pending };
}

function shows(
  reservation: Reservation,
  invoiceId: number,
  payments: readonly PaymentSeen[],
  invoice: InvoiceSeen | undefined,
  now: number,
): boolean {
  const expect = reservation.expect;
  if (expect.kind === "invoice-total") {
    const total = invoice ? Decimal.fromServiceTitan(invoice.total) : null;
    return now > reservation.settleBy || (total !== null && !total.equals(Decimal.parse(expect.before)));
  }
  const { marker, paymentId, applied } = expect;
  const seen = payments.find(
    (payment) =>
      (marker !== null && hasMarker(payment.memo, marker)) ||
      (paymentId !== null && payment.id === paymentId),
  );
  return (
    seen !== undefined &&
    (!seen.active || marker !== null || appliedTo(seen, invoiceId).equals(Decimal.parse(applied)))
  );
}

/** What is left on an invoice once pending reservations are counted. */
export function available(balance: Decimal, pending: readonly Reservation[]): Decimal {
  return pending.reduce((left, reservation) => left.minus(Decimal.parse(reservation.amount)), balance);
}

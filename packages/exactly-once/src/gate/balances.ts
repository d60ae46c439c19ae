// The balances a write under the gate decides on. With the gates held: when earlier payments of ours
// are still reserved, read the payments on those invoices first (and, by id, landed ones no longer
// listed there); then read the invoices, and end the reservations these reads show or prove absent
// (a change of an invoice's own total shows in the invoice read). What a
// write may take is ServiceTitan's balance less what is still reserved. With nothing reserved
// (the usual case) this is one read, and it may be one sent before the gates were held (a read
// ahead), when the gates vouch that no write of ours can have landed since it was sent.
import {
  allPages,
  Decimal,
  type DetailedPayment,
  fetchByIds,
  type Invoice,
  type ServiceTitanClient,
  unwrap,
} from "@st-edge/servicetitan";
import { type HeldInvoices, sameInvoiceIds } from "./hold.ts";
import { available, sortOut } from "./reservations.ts";
import type { Reservation } from "./state.ts";

export interface InvoiceUnderGate {
  /** As ServiceTitan answered, read with the gate held. */
  invoice: Invoice;
  /** ServiceTitan's balance; null when it did not send one. */
  balance: Decimal | null;
  /** Reservations of other writes still counted against this invoice. */
  pending: Reservation[];
  /** The balance less the pending reservations; null when the balance is unknown. */
  available: Decimal | null;
}

/** Invoices read before their gates were held (sent while they were being taken). */
export interface ReadAhead {
  invoiceIds: readonly number[];
  /** When it was sent, on this isolate's clock (taken before sending). */
  sentAt: number;
  invoices: Promise<Map<number, Invoice>>;
}

const readInvoices = async (client: ServiceTitanClient, invoiceIds: readonly number[]) =>
  fetchByIds(
    invoiceIds,
    async (ids) =>
      unwrap(
        await client.GET("/tenant/{tenant}/invoices", {
          params: { query: { ids, activeState: "All", pageSize: 50 } },
        }),
      ).data,
  );

/**
 * Sends the invoice read now, to be used under the gates if they allow (readUnderGates): the read
 * then costs no time of its own after the gates are taken.
 */
export function readAhead(client: ServiceTitanClient, invoiceIds: readonly number[]): ReadAhead {
  const sentAt = Date.now();
  const invoices = readInvoices(client, invoiceIds);
  // Awaited only if used: a failure of a read nobody uses is nobody's.
  invoices.catch(() => undefined);
  return { invoiceIds, sentAt, invoices };
}

/**
 * Whether a read sent ahead shows what a read sent now would of our writes: it covers the held
 * invoices, none has another write's reservation (those need their payments read first), and each
 * gate vouches that no write of ours can have landed since it was sent. A write landing then would
 * have had a live reservation (reserved before sending, ended only by a later read showing it).
 */
const aheadShowsOurWrites = (ahead: ReadAhead, held: HeldInvoices, reserved: readonly number[]) =>
  reserved.length === 0 &&
  sameInvoiceIds(ahead.invoiceIds, held.invoiceIds) &&
  held.invoiceIds.every((id) => held.quietSince(id) <= ahead.sentAt);

/**
 * Reads the held invoices (active or not) and what is still reserved on each. `own` is the
 * reservation id of the write being decided (a retry of the same key): it never counts against itself.
 * `ahead` is used instead of reading again when it shows every write of ours. Invoices ServiceTitan
 * does not return are absent from the map.
 */
export async function readUnderGates(
  client: ServiceTitanClient,
  held: HeldInvoices,
  { skewMs, own, ahead }: { skewMs: number; own?: string; ahead?: ReadAhead },
): Promise<Map<number, InvoiceUnderGate>> {
  const others = (invoiceId: number) => held.reservationsOf(invoiceId).filter((r) => r.id !== own);
  const reserved = held.invoiceIds.filter((id) => others(id).length > 0);
  const payments = await paymentsBehind(client, reserved, others, skewMs);
  const invoices =
    ahead && aheadShowsOurWrites(ahead, held, reserved)
      ? await ahead.invoices
      : await readInvoices(client, held.invoiceIds);
  const pending = new Map<number, Reservation[]>();
  if (reserved.length > 0) {
    const now = Date.now();
    const ended = new Map<number, string[]>();
    for (const invoiceId of reserved) {
      const sorted = sortOut(others(invoiceId), invoiceId, payments, now, invoices.get(invoiceId));
      ended.set(invoiceId, sorted.ended);
      pending.set(invoiceId, sorted.pending);
    }
    await held.confirm(ended);
  }
  const result = new Map<number, InvoiceUnderGate>();
  for (const [id, invoice] of invoices) {
    const balance = Decimal.fromServiceTitan(invoice.balance);
    const stillPending = pending.get(id) ?? [];
    result.set(id, {
      invoice,
      balance,
      pending: stillPending,
      available: balance === null ? null : available(balance, stillPending),
    });
  }
  return result;
}

/**
 * The payments that tell whether payment reservations on `reserved` invoices show in reads: those
 * applied to them since the oldest reservation, and (by id) landed ones no longer listed there.
 * None are read when no payment is reserved.
 */
async function paymentsBehind(
  client: ServiceTitanClient,
  reserved: readonly number[],
  others: (invoiceId: number) => Reservation[],
  skewMs: number,
): Promise<DetailedPayment[]> {
  const byPayment = reserved.filter((id) => others(id).some((r) => r.expect.kind === "payment"));
  if (byPayment.length === 0) return [];
  const oldest = Math.min(...byPayment.flatMap((id) => others(id).map((r) => r.createdAt)));
  const payments: DetailedPayment[] = [];
  for await (const payment of allPages(async (page) =>
    unwrap(
      await client.GET("/tenant/{tenant}/payments", {
        params: {
          query: {
            appliedToInvoiceIds: byPayment.join(","),
            modifiedOnOrAfter: new Date(oldest - skewMs).toISOString(),
            activeState: "All",
            page,
            pageSize: 500,
          },
        },
      }),
    ),
  )) {
    payments.push(payment);
  }
  const now = Date.now();
  // A payment we know landed, yet not listed on its invoice, was moved or changed since (perhaps in
  // ServiceTitan itself): read it by id, so its reservation does not linger for a day.
  const unlisted = byPayment.flatMap((invoiceId) =>
    sortOut(others(invoiceId), invoiceId, payments, now).pending.flatMap((r) =>
      r.outcome === "applied" && r.expect.kind === "payment" && r.expect.paymentId !== null
        ? [r.expect.paymentId]
        : [],
    ),
  );
  if (unlisted.length > 0) {
    const byId = await fetchByIds(
      unlisted,
      async (ids) =>
        unwrap(
          await client.GET("/tenant/{tenant}/payments", {
            params: { query: { ids, activeState: "All", pageSize: 50 } },
          }),
        ).data,
    );
    payments.push(...byId.values());
  }
  return payments;
}

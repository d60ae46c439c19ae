// Holding the gates of the invoices one write touches. Invoices are taken in ascending id order,
// so two writes that share invoices never wait on each other in a cycle; writes on unrelated
// invoices never meet at all. Every call to a gate that fails before anything is sent becomes a
// retryable problem: nothing was written.
import { ProblemError } from "@st-edge/edge";
import type { Reservation } from "./state.ts";
import type { InvoiceGate } from "./store.ts";

export interface GateOptions {
  namespace: DurableObjectNamespace<InvoiceGate>;
  /** Environment and tenant, e.g. "production:1000001": gates never cross tenants. */
  scope: string;
}

/** The gates one request holds, with what each had reserved when it was taken. */
export interface HeldInvoices {
  readonly invoiceIds: readonly number[];
  reservationsOf(invoiceId: number): Reservation[];
  /**
   * Since when (this isolate's clock) no write of ours can have landed on the invoice, as far as its
   * gate could vouch when taken: a read sent at or after it shows them all.
   */
  quietSince(invoiceId: number): number;
  /** Ends reservations the request's reads showed or proved absent. */
  confirm(ended: ReadonlyMap<number, string[]>): Promise<void>;
  /** Records, durably, the writes about to be sent (one reservation per invoice given). */
  reserve(reservations: ReadonlyMap<number, Reservation>): Promise<void>;
  /**
   * Whether `reservations` (one per invoice) are those recorded when the gates were taken, so
   * `reserve` need not record them again.
   */
  reservedWhenTaken(reservations: ReadonlyMap<number, Reservation>): boolean;
  /** Records what became of the writes and lets go of every gate. Never throws. */
  finish(outcome: {
    applied?: { id: string; paymentId: number | null }[];
    withdrawn?: string[];
  }): Promise<void>;
  /**
   * Nothing was sent under these gates: takes back what was reserved when they were taken and
   * lets go of them. Never throws.
   */
  letGo(): Promise<void>;
}

/** Whether two lists name the same invoices (order and repeats aside). */
export const sameInvoiceIds = (a: readonly number[], b: readonly number[]) => {
  const wanted = new Set(b);
  return new Set(a).size === wanted.size && a.every((id) => wanted.has(id));
};

const unavailable = (detail: string, retryAfterSeconds = 1) =>
  new ProblemError({ type: "gate-unavailable", detail, retryAfterSeconds });

/** The gate of one invoice. */
export const gateOf = (options: GateOptions, invoiceId: number) =>
  options.namespace.get(options.namespace.idFromName(`${options.scope}:invoice:${invoiceId}`));

/**
 * Takes the gates of `invoiceIds` in ascending order, waiting up to `waitMs` in all. A busy
 * invoice past the wait is a 409 `invoice-busy` problem with Retry-After; gates already taken are
 * let go first.
 *
 * @example
 * const held = await holdInvoices(gates, [11000041], { leaseMs: 30_000, waitMs: 8_000 });
 * try { ...read, check, held.reserve(...), send... } finally { await held.finish({ ... }) }
 */
export async function holdInvoices(
  options: GateOptions,
  invoiceIds: readonly number[],
  {
    leaseMs,
    waitMs,
    reservations: early,
  }: {
    leaseMs: number;
    waitMs: number;
    /** Recorded with the locks where none of their id is there yet (a write that goes on to send). */
    reservations?: ReadonlyMap<number, Reservation>;
  },
): Promise<HeldInvoices> {
  const ordered = [...new Set(invoiceIds)].sort((a, b) => a - b);
  const until = Date.now() + waitMs;
  const held = new Map<
    number,
    { lease: string; reservations: Reservation[]; quietSince: number; reserved?: Reservation }
  >();
  const stubs = new Map(ordered.map((id) => [id, gateOf(options, id)]));
  const stub = (invoiceId: number) => {
    const found = stubs.get(invoiceId);
    if (!found) throw new Error(`invoice ${invoiceId} is not held`);
    return found;
  };
  type Outcome = { applied?: { id: string; paymentId: number | null }[]; withdrawn?: string[] };
  /** Every held gate told its outcome (`of` its invoice) and let go. */
  const finishEach = (of: (invoiceId: number, reserved?: Reservation) => Outcome) =>
    Promise.all(
      [...held].map(([invoiceId, { lease, reserved }]) =>
        stub(invoiceId)
          .finish({ lease, ...of(invoiceId, reserved) })
          // A gate we cannot reach frees itself when its lease runs out (and what it reserved
          // then counts until reads prove it absent).
          .catch(() => undefined),
      ),
    ).then(() => undefined);
  const letGo = () => finishEach((_, reserved) => (reserved ? { withdrawn: [reserved.id] } : {}));

  for (const invoiceId of ordered) {
    let result: Awaited<ReturnType<InvoiceGate["acquire"]>>;
    const reservation = early?.get(invoiceId);
    try {
      result = await stub(invoiceId).acquire({
        leaseMs,
        waitMs: Math.max(0, until - Date.now()),
        ...(reservation && { reservation }),
      });
    } catch {
      await letGo();
      throw unavailable("The invoice's gate did not answer; nothing was written. Retry shortly.");
    }
    if (result.kind === "busy") {
      await letGo();
      throw new ProblemError({
        type: "invoice-busy",
        detail: `Another write on invoice ${invoiceId} is still in progress; nothing was written. Retry shortly.`,
        retryAfterSeconds: Math.min(10, Math.max(1, Math.ceil(result.retryAfterMs / 1000))),
      });
    }
    // Counted back from when the answer arrived, the latest the gate can have decided: quiet since
    // then at the earliest, whatever the two clocks say.
    held.set(invoiceId, {
      lease: result.lease,
      reservations: result.reservations,
      quietSince: Date.now() - result.quietMs,
      ...(result.reserved && { reserved: reservation }),
    });
  }

  const leaseOf = (invoiceId: number) => {
    const entry = held.get(invoiceId);
    if (!entry) throw new Error(`invoice ${invoiceId} is not held`);
    return entry.lease;
  };
  const lost = () =>
    unavailable("This request lost hold of an invoice it was writing; nothing was written. Retry.");

  return {
    invoiceIds: ordered,
    reservationsOf: (invoiceId) => held.get(invoiceId)?.reservations ?? [],
    quietSince: (invoiceId) => held.get(invoiceId)?.quietSince ?? Number.POSITIVE_INFINITY,
    async confirm(ended) {
      const calls = [...ended].filter(([, ids]) => ids.length > 0);
      const results = await Promise.all(
        calls.map(([invoiceId, ids]) => stub(invoiceId).confirm({ lease: leaseOf(invoiceId), ended: ids })),
      ).catch(() => {
        throw unavailable("The invoice's gate did not answer; nothing was written. Retry shortly.");
      });
      if (results.some((result) => !result.ok)) throw lost();
    },
    async reserve(reservations) {
      const results = await Promise.all(
        [...reservations].map(([invoiceId, reservation]) =>
          stub(invoiceId).reserve({ lease: leaseOf(invoiceId), reservation }),
        ),
      ).catch(() => {
        throw unavailable("The invoice's gate did not answer; nothing was written. Retry shortly.");
      });
      if (results.some((result) => !result.ok)) throw lost();
    },
    reservedWhenTaken: (reservations) =>
      reservations.size === held.size &&
      [...reservations].every(([invoiceId, reservation]) => {
        const reserved = held.get(invoiceId)?.reserved;
        return reserved?.id === reservation.id && reserved.amount === reservation.amount;
      }),
    finish: (outcome) => finishEach(() => outcome),
    letGo,
  };
}

// The per-invoice gate, as pure functions over one record: what the InvoiceGate Durable Object
// stores for one (environment, tenant, invoice). It makes "check the balance, then write" one
// decision per invoice:
//
// - a lock: one holder at a time (a lease, so a holder that dies frees it), taken before the
//   balance is read and let go once the write's outcome is known;
// - reservations: writes this deployment made (or may have made) that ServiceTitan's reads may not
//   show yet. Each takes its amount off the balance a later holder sees, until that holder's reads
//   show the write (it is then part of the balance) or prove it absent.
//
//   (free) ──acquire──▶ held ──reserve (before the write is sent)──▶ held ──finish──▶ (free)
//
// A reservation says how reads will show its write (`expect`: a payment, or a change of the
// invoice's own total), so the holder that reads can tell (see reservations.ts). Kept free of storage and time so every transition can be tested in a table.

/** How reads show a write: a payment (ours by marker, or by id) applying `applied` to this invoice. */
export interface PaymentExpectation {
  kind: "payment";
  marker: string | null;
  paymentId: number | null;
  /** What the payment applies to this invoice once the write shows (2-decimal text). */
  applied: string;
}

/**
 * How reads show a change of an invoice's own amounts (an item changed or deleted, a new tax
 * zone): the invoice's total is no longer the one it had when the write was decided. Reserved
 * when the change may lower the total (and so the balance a payment may take), for at most the
 * most it can lower it. It ends when reads show another total, or at `settleBy` whatever its
 * outcome: by then a committed change shows in reads (UNCONFIRMED, as reconciliation assumes),
 * so the balance read is the truth again.
 */
export interface InvoiceTotalExpectation {
  kind: "invoice-total";
  /** The invoice's total when the write was decided (2-decimal text). */
  before: string;
}

export type Expectation = PaymentExpectation | InvoiceTotalExpectation;

export interface Reservation {
  /** One per write and invoice (e.g. `<marker>` for a create, a fresh id for an update). */
  id: string;
  expect: Expectation;
  /** What the write takes off the invoice's balance until reads show it (2-decimal text, ≥ 0). */
  amount: string;
  /**
   * "unknown": sent (or about to be) with no answer yet; "applied": ServiceTitan answered that it
   * was applied. Both count until reads show the write; an unknown one also ends at `settleBy`.
   */
  outcome: "unknown" | "applied";
  /**
   * After this instant an unknown write that reads do not show counts as absent: it stopped sending
   * by then, and a committed write is visible within the read-after-write wait (UNCONFIRMED, as
   * reconciliation assumes).
   */
  settleBy: number;
  createdAt: number;
  /** Never kept past this, whatever happens: a leak guard far beyond any read lag. */
  expiresAt: number;
}

export interface GateRecord {
  holder: { lease: string; expiresAt: number } | null;
  reservations: Reservation[];
  updatedAt: number;
  /**
   * The last instant (this object's clock) a write of ours could have been landing on the invoice:
   * a holder's lease or a live reservation, once it ended. The record is kept for QUIET_KEPT_MS
   * past it, so an acquire can tell how long nothing of ours can have landed (AcquireResult's
   * quietMs). The lease counts too: a write that reserves nothing (an item added, an adjustment
   * invoice) lands while its writer holds the gate.
   */
  busyAt?: number;
}

/**
 * How long a record outlives its last holder and reservation. An absent record therefore vouches for this
 * long of quiet; more is never needed (a read sent before an acquire is at most a request's budget
 * older than it).
 */
export const QUIET_KEPT_MS = 60_000;

/** A transition's verdict and the record to store (undefined: delete; same object: unchanged). */
export interface Transition<R> {
  result: R;
  next: GateRecord | undefined;
}

export type AcquireResult =
  | {
      kind: "acquired";
      lease: string;
      reservations: Reservation[];
      /**
       * For how long before this acquire nobody held the gate and no reservation was live (0 while
       * one is): no write of ours can have landed on the invoice in that time, so a read sent
       * within it shows every write of ours (see readUnderGates' read ahead).
       */
      quietMs: number;
      /** The reservation asked for with the acquire was recorded (none of its id was there). */
      reserved?: true;
    }
  | { kind: "busy"; retryAfterMs: number };

export type HolderResult = { ok: true } | { ok: false; reason: "lease-lost" };

const holds = (record: GateRecord | undefined, lease: string, now: number): record is GateRecord =>
  record?.holder?.lease === lease && record.holder.expiresAt > now;

const live = (reservations: Reservation[], now: number) => reservations.filter((r) => r.expiresAt > now);

/**
 * The last instant up to `now` the gate was held or a reservation live (-Infinity: never, as far
 * as the record knows).
 */
const lastBusy = (record: GateRecord | undefined, now: number): number =>
  Math.max(
    record?.busyAt ?? Number.NEGATIVE_INFINITY,
    record?.holder ? Math.min(record.holder.expiresAt, now) : Number.NEGATIVE_INFINITY,
    ...(record?.reservations ?? []).map((r) => Math.min(r.expiresAt, now)),
  );

/** `next`, remembering when `previous` was last busy (every transition may end a lease or a reservation). */
const stamped = (previous: GateRecord | undefined, next: GateRecord, now: number): GateRecord => {
  const busyAt = lastBusy(previous, now);
  return busyAt === Number.NEGATIVE_INFINITY ? next : { ...next, busyAt };
};

/** How long before `now` the gate was last held or reserved: 0 while it is. */
const quietFor = (record: GateRecord | undefined, now: number): number => {
  const last = lastBusy(record, now);
  return last === Number.NEGATIVE_INFINITY ? QUIET_KEPT_MS : now - last;
};

/**
 * The record to store: nothing at all once it is idle (so an absent record means at least
 * QUIET_KEPT_MS of quiet).
 */
const settled = (record: GateRecord, now: number): GateRecord | undefined =>
  idle(record, now) ? undefined : record;

/**
 * Takes the lock, or says how long the current holder may still hold it.
 *
 * @example acquire(undefined, { lease: "a", now: 0, leaseMs: 30_000 }).result.kind // "acquired"
 */
export function acquire(
  record: GateRecord | undefined,
  input: { lease: string; now: number; leaseMs: number; reservation?: Reservation },
): Transition<AcquireResult> {
  const { lease, now, leaseMs } = input;
  if (record?.holder && record.holder.expiresAt > now && record.holder.lease !== lease) {
    return { result: { kind: "busy", retryAfterMs: record.holder.expiresAt - now }, next: record };
  }
  const reservations = live(record?.reservations ?? [], now);
  // Recorded with the lock only when new: one of the same id is an earlier request's of the same
  // key, which may have landed, and is not this one's to replace or withdraw before it owns the key.
  const early = input.reservation;
  const reserve = early !== undefined && !reservations.some((r) => r.id === early.id);
  const next = stamped(
    record,
    {
      holder: { lease, expiresAt: now + leaseMs },
      reservations: reserve ? [...reservations, early] : reservations,
      updatedAt: now,
    },
    now,
  );
  const quietMs = quietFor(record, now);
  return {
    result: { kind: "acquired", lease, reservations, quietMs, ...(reserve && { reserved: true as const }) },
    next,
  };
}

/**
 * The holder records a write it is about to send (durably, before sending). A reservation with the
 * same id is replaced: a retried write under one Idempotency-Key reserves once.
 */
export function reserve(
  record: GateRecord | undefined,
  input: { lease: string; now: number; reservation: Reservation },
): Transition<HolderResult> {
  if (!holds(record, input.lease, input.now))
    return { result: { ok: false, reason: "lease-lost" }, next: record };
  const others = record.reservations.filter((r) => r.id !== input.reservation.id);
  const next = stamped(
    record,
    { ...record, reservations: [...others, input.reservation], updatedAt: input.now },
    input.now,
  );
  return { result: { ok: true }, next };
}

/**
 * The holder's reads showed these writes (they are now part of the balance) or proved them absent:
 * their reservations end.
 */
export function confirm(
  record: GateRecord | undefined,
  input: { lease: string; now: number; ended: string[] },
): Transition<HolderResult> {
  if (!holds(record, input.lease, input.now))
    return { result: { ok: false, reason: "lease-lost" }, next: record };
  const ended = new Set(input.ended);
  const next = stamped(
    record,
    { ...record, reservations: record.reservations.filter((r) => !ended.has(r.id)), updatedAt: input.now },
    input.now,
  );
  return { result: { ok: true }, next };
}

/**
 * What became of writes, then (for the holder) the lock is let go. Outcomes are facts about
 * ServiceTitan, so they are taken from anyone, lease or not: `applied` writes keep their
 * reservation until reads show them; `withdrawn` ones (refused, never sent, proven absent) end.
 */
export function finish(
  record: GateRecord | undefined,
  input: {
    lease: string | null;
    now: number;
    applied?: { id: string; paymentId: number | null }[];
    withdrawn?: string[];
  },
): Transition<{ released: boolean }> {
  if (!record) return { result: { released: false }, next: record };
  const applied = new Map((input.applied ?? []).map((a) => [a.id, a.paymentId]));
  const withdrawn = new Set(input.withdrawn ?? []);
  const reservations = live(record.reservations, input.now)
    .filter((r) => !withdrawn.has(r.id))
    .map((r): Reservation => {
      if (!applied.has(r.id)) return r;
      if (r.expect.kind !== "payment") return { ...r, outcome: "applied" };
      const paymentId = applied.get(r.id) ?? r.expect.paymentId;
      return { ...r, outcome: "applied", expect: { ...r.expect, paymentId } };
    });
  const released = input.lease !== null && record.holder?.lease === input.lease;
  const lapsed = record.holder !== null && record.holder.expiresAt <= input.now;
  const next = settled(
    stamped(
      record,
      { holder: released || lapsed ? null : record.holder, reservations, updatedAt: input.now },
      input.now,
    ),
    input.now,
  );
  return { result: { released }, next };
}

/**
 * Whether the record may go: it was last held or reserved QUIET_KEPT_MS ago (a live holder or
 * reservation makes it busy now).
 */
export function idle(record: GateRecord | undefined, now: number): boolean {
  return quietFor(record, now) >= QUIET_KEPT_MS;
}

/**
 * The latest instant the record can stay in use if nothing else happens: its holder's lease ended,
 * any reservation made under it (at most `reservationTtlMs` long) expired, and QUIET_KEPT_MS
 * passed after the last. The alarm that deletes the record is armed for it.
 */
export function idleBy(record: GateRecord, reservationTtlMs: number): number {
  return (
    Math.max(
      record.holder ? record.holder.expiresAt + reservationTtlMs : 0,
      record.busyAt ?? 0,
      ...record.reservations.map((r) => r.expiresAt),
    ) + QUIET_KEPT_MS
  );
}

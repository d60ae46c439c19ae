// The idempotency state machine, as pure functions over one record: what the Durable Object
// stores for one (environment, tenant, kind of create, Idempotency-Key). Kept free of storage and
// time so every transition can be tested in a table.
//
//   (none) ──begin──▶ pending ──attempt──▶ posting ──succeed──▶ succeeded (final, replayed)
//                       ▲  │                  │  └──fail────▶ failed    (final, replayed)
//                       │  └──release──▶ (none, when nothing was ever attempted)
//                       └────markAbsent───────┘  (reconciliation proved the create did not land)
//                       └──release(unsent)────┘  (the owner never sent the create it attempted)
//
// beginAttempt is begin and attempt in one transition, for a create whose checks run meanwhile.
//
// A lease (leaseId + expiry) says which request currently owns the key. `posting` means a create
// was sent and its outcome is unknown: whoever owns the key next must reconcile before posting
// again. Each attempt records `sendBy`, the instant by which every byte of its create has been
// sent (the create is cut off then), which is what a later owner's reconciliation waits out.

export type RecordState = "pending" | "posting" | "succeeded" | "failed";

/** The answer a final record replays: status and JSON body text (the created record or a problem). */
export interface StoredResponse {
  status: number;
  body: string;
}

export interface IdempotencyRecord {
  /** SHA-256 of the canonical request; a different body with the same key is refused. */
  hash: string;
  state: RecordState;
  /** The owner's lease; null when nobody owns the key. */
  leaseId: string | null;
  leaseExpiresAt: number;
  /** Create calls sent so far (each preceded by a durable `attempt`). */
  attempts: number;
  firstAttemptAt: number | null;
  lastAttemptAt: number | null;
  /** When the last attempt's create stopped sending, at the latest (its deadline). */
  lastSendBy: number | null;
  /** Invoices the create concerns: where reconciliation looks for what it made. */
  invoiceIds: number[];
  /** The marker every create under this key carries (recorded with the first attempt). */
  marker: string | null;
  /** The ServiceTitan id of what the create made. */
  resultId: number | null;
  response: StoredResponse | null;
  /**
   * A check refused the request before anything was sent (overpayment, inactive invoice…): the
   * same request again gets this answer until `until`, so duplicates fired together agree.
   */
  recentRefusal?: { response: StoredResponse; until: number };
  createdAt: number;
  updatedAt: number;
}

export type BeginResult =
  /** The caller owns the key. `mustReconcile`: an earlier create's outcome is unknown. */
  | {
      kind: "acquired";
      leaseId: string;
      mustReconcile: boolean;
      record: IdempotencyRecord;
      /** The attempt asked for with the claim was recorded too (see beginAttempt). */
      attempted?: true;
    }
  | { kind: "replay"; response: StoredResponse; resultId: number | null }
  | { kind: "mismatch" }
  | { kind: "busy"; retryAfterMs: number };

/** A transition's verdict and the record to store (undefined: delete; same object: unchanged). */
export interface Transition<R> {
  result: R;
  next: IdempotencyRecord | undefined;
}

const freshRecord = (hash: string, now: number): IdempotencyRecord => ({
  hash,
  state: "pending",
  leaseId: null,
  leaseExpiresAt: 0,
  attempts: 0,
  firstAttemptAt: null,
  lastAttemptAt: null,
  lastSendBy: null,
  invoiceIds: [],
  marker: null,
  resultId: null,
  response: null,
  createdAt: now,
  updatedAt: now,
});

const isFinal = (record: IdempotencyRecord) => record.state === "succeeded" || record.state === "failed";
const owns = (record: IdempotencyRecord, leaseId: string, now: number) =>
  record.leaseId === leaseId && record.leaseExpiresAt > now;

/**
 * A request arrives with `hash`: replay, refuse, report busy, or hand it the lease.
 *
 * @example begin(undefined, { hash, now, leaseMs: 10_000, leaseId: "a" }).result.kind // "acquired"
 */
export function begin(
  record: IdempotencyRecord | undefined,
  input: { hash: string; now: number; leaseMs: number; leaseId: string },
): Transition<BeginResult> {
  const { hash, now, leaseMs, leaseId } = input;
  const refusal = record?.recentRefusal;
  if (refusal && record.hash === hash && now < refusal.until) {
    return { result: { kind: "replay", response: refusal.response, resultId: null }, next: record };
  }
  // Nothing was ever sent under a refused key: another body, or the same one later, starts afresh.
  if (!record || refusal) {
    const fresh: IdempotencyRecord = { ...freshRecord(hash, now), leaseId, leaseExpiresAt: now + leaseMs };
    return { result: { kind: "acquired", leaseId, mustReconcile: false, record: fresh }, next: fresh };
  }
  if (record.hash !== hash) return { result: { kind: "mismatch" }, next: record };
  if (isFinal(record) && record.response) {
    return {
      result: { kind: "replay", response: record.response, resultId: record.resultId },
      next: record,
    };
  }
  if (record.leaseId !== null && record.leaseExpiresAt > now) {
    return { result: { kind: "busy", retryAfterMs: record.leaseExpiresAt - now }, next: record };
  }
  // Free, or the owner's lease ran out (the request died): take over.
  const next: IdempotencyRecord = { ...record, leaseId, leaseExpiresAt: now + leaseMs, updatedAt: now };
  return {
    result: { kind: "acquired", leaseId, mustReconcile: record.state === "posting", record: next },
    next,
  };
}

export type OwnerResult =
  | { ok: true; record: IdempotencyRecord }
  | { ok: false; reason: "lease-lost" | "wrong-state" };

/** The owner extends its lease (before slow steps). */
export function renew(
  record: IdempotencyRecord | undefined,
  input: { leaseId: string; now: number; leaseMs: number },
): Transition<OwnerResult> {
  if (!record || !owns(record, input.leaseId, input.now) || isFinal(record)) {
    return { result: { ok: false, reason: "lease-lost" }, next: record };
  }
  const next = { ...record, leaseExpiresAt: input.now + input.leaseMs, updatedAt: input.now };
  return { result: { ok: true, record: next }, next };
}

/**
 * The owner is about to send a create. Refused unless it holds the lease and no earlier create is
 * unsettled: this is the one gate in front of every POST to ServiceTitan.
 */
export function attempt(
  record: IdempotencyRecord | undefined,
  input: {
    leaseId: string;
    now: number;
    leaseMs: number;
    invoiceIds: number[];
    marker: string;
    /** The create will have stopped sending by then; the lease must outlast it. */
    sendBy: number;
  },
): Transition<OwnerResult> {
  if (!record || !owns(record, input.leaseId, input.now)) {
    return { result: { ok: false, reason: "lease-lost" }, next: record };
  }
  if (record.state !== "pending") return { result: { ok: false, reason: "wrong-state" }, next: record };
  const next: IdempotencyRecord = {
    ...record,
    state: "posting",
    attempts: record.attempts + 1,
    firstAttemptAt: record.firstAttemptAt ?? input.now,
    lastAttemptAt: input.now,
    lastSendBy: input.sendBy,
    invoiceIds: [...new Set([...record.invoiceIds, ...input.invoiceIds])],
    marker: input.marker,
    leaseExpiresAt: Math.max(input.now + input.leaseMs, input.sendBy),
    updatedAt: input.now,
  };
  return { result: { ok: true, record: next }, next };
}

/**
 * The owner's create call returned (an answer, an error or a cut-off) at `at`: its sending is over
 * then, so a later reconciliation need not wait out the whole send window.
 */
export function sendEnded(
  record: IdempotencyRecord | undefined,
  input: { leaseId: string; now: number; at: number },
): Transition<OwnerResult> {
  if (!record || !owns(record, input.leaseId, input.now)) {
    return { result: { ok: false, reason: "lease-lost" }, next: record };
  }
  if (record.state !== "posting") return { result: { ok: false, reason: "wrong-state" }, next: record };
  if (record.lastSendBy !== null && record.lastSendBy <= input.at)
    return { result: { ok: true, record }, next: record };
  const next: IdempotencyRecord = { ...record, lastSendBy: input.at, updatedAt: input.now };
  return { result: { ok: true, record: next }, next };
}

/** An attempt recorded with the claim (see beginAttempt). */
export interface EarlyAttempt {
  leaseMs: number;
  invoiceIds: number[];
  marker: string;
  sendBy: number;
}

/**
 * begin, then, when it hands the key over with nothing to settle, attempt at once: one write
 * instead of two for a create whose checks run meanwhile. An attempt whose create is never sent
 * is taken back by release({ unsent }); one whose owner dies is settled by the next, as any.
 */
export function beginAttempt(
  record: IdempotencyRecord | undefined,
  input: { hash: string; now: number; leaseMs: number; leaseId: string; attempt?: EarlyAttempt },
): Transition<BeginResult> {
  const begun = begin(record, input);
  if (!input.attempt || begun.result.kind !== "acquired" || begun.result.mustReconcile) return begun;
  const attempted = attempt(begun.next, { leaseId: input.leaseId, now: input.now, ...input.attempt });
  if (!attempted.result.ok) return begun;
  return {
    result: { ...begun.result, record: attempted.result.record, attempted: true },
    next: attempted.next,
  };
}

/** Reconciliation proved nothing from earlier creates exists: the owner may create again. */
export function markAbsent(
  record: IdempotencyRecord | undefined,
  input: { leaseId: string; now: number; leaseMs: number },
): Transition<OwnerResult> {
  if (!record || !owns(record, input.leaseId, input.now)) {
    return { result: { ok: false, reason: "lease-lost" }, next: record };
  }
  if (record.state !== "posting") return { result: { ok: false, reason: "wrong-state" }, next: record };
  const next: IdempotencyRecord = {
    ...record,
    state: "pending",
    leaseExpiresAt: input.now + input.leaseMs,
    updatedAt: input.now,
  };
  return { result: { ok: true, record: next }, next };
}

export type FinalResult = { stored: StoredResponse; resultId: number | null; first: boolean };

/**
 * The record exists: store the success. Accepted from anyone, lease or not, because it is a fact
 * about ServiceTitan (a late owner may learn it after a takeover). The first success wins.
 */
export function succeed(
  record: IdempotencyRecord | undefined,
  input: { now: number; resultId: number; response: StoredResponse; hash: string },
): Transition<FinalResult> {
  if (record && isFinal(record) && record.response) {
    return { result: { stored: record.response, resultId: record.resultId, first: false }, next: record };
  }
  const next: IdempotencyRecord = {
    ...(record ?? freshRecord(input.hash, input.now)),
    state: "succeeded",
    leaseId: null,
    leaseExpiresAt: 0,
    resultId: input.resultId,
    response: input.response,
    updatedAt: input.now,
  };
  return { result: { stored: input.response, resultId: input.resultId, first: true }, next };
}

/** A definite, final refusal (ServiceTitan rejected the create): replayed to every retry. Owner only. */
export function fail(
  record: IdempotencyRecord | undefined,
  input: { leaseId: string; now: number; response: StoredResponse },
): Transition<FinalResult | { lost: true }> {
  if (record && isFinal(record) && record.response) {
    return { result: { stored: record.response, resultId: record.resultId, first: false }, next: record };
  }
  if (!record || !owns(record, input.leaseId, input.now)) return { result: { lost: true }, next: record };
  const next: IdempotencyRecord = {
    ...record,
    state: "failed",
    leaseId: null,
    leaseExpiresAt: 0,
    response: input.response,
    updatedAt: input.now,
  };
  return { result: { stored: input.response, resultId: null, first: true }, next };
}

/**
 * How long a check's refusal answers the same request again: duplicates fired together (and their
 * quick retries) get one answer, while a caller who fixed the invoice can retry a minute later.
 */
export const REFUSAL_REMEMBERED_MS = 60_000;

/**
 * The owner lets go without a final answer. A record with no create attempted is deleted (the key
 * is free again), or, with the check's `refusal`, keeps that answer for the same request a while;
 * otherwise it keeps its state (`posting` stays posting: the next owner reconciles).
 */
export function release(
  record: IdempotencyRecord | undefined,
  input: {
    leaseId: string;
    now: number;
    refusal?: StoredResponse;
    /** The owner's last attempt was recorded and its create never sent: it is taken back. */
    unsent?: boolean;
  },
): Transition<{ released: boolean }> {
  if (!record || record.leaseId !== input.leaseId || isFinal(record)) {
    return { result: { released: false }, next: record };
  }
  if (input.unsent && record.state === "posting")
    return release(unattempted(record), { ...input, unsent: false });
  if (record.attempts === 0) {
    if (!input.refusal) return { result: { released: true }, next: undefined };
    const recentRefusal = { response: input.refusal, until: input.now + REFUSAL_REMEMBERED_MS };
    return {
      result: { released: true },
      next: { ...record, leaseId: null, leaseExpiresAt: 0, recentRefusal, updatedAt: input.now },
    };
  }
  return {
    result: { released: true },
    next: { ...record, leaseId: null, leaseExpiresAt: 0, updatedAt: input.now },
  };
}

/** The record as it was before its last attempt, whose create was never sent. */
function unattempted(record: IdempotencyRecord): IdempotencyRecord {
  const attempts = record.attempts - 1;
  return attempts > 0
    ? { ...record, state: "pending", attempts }
    : { ...record, state: "pending", attempts, firstAttemptAt: null, lastAttemptAt: null, lastSendBy: null };
}

/** Whether the retention alarm may delete the record: never while a create's outcome is unknown. */
export function expirable(record: IdempotencyRecord | undefined, now: number): boolean {
  if (!record) return true;
  if (record.state === "posting") return false;
  return !(record.leaseId !== null && record.leaseExpiresAt > now);
}

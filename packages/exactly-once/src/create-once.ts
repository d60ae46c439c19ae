// One create in ServiceTitan per Idempotency-Key, whatever happens to requests and answers. The
// steps, for any kind of create (payments, adjustment invoices):
//
// 1. Claim the key in its Durable Object: replay a final answer, refuse a different body (422),
//    wait briefly for a concurrent owner then 409, or own the key under a lease. Meanwhile the
//    invoices' gates may already be taken (`holdEarly`), one round trip earlier. When the request
//    itself says what the create records (`intent`), the attempt and the reservations are recorded
//    with the claim (step 4 is then done), and taken back if nothing is sent.
// 2. If an earlier create's outcome is unknown, settle it first (search for our marker).
// 3. Prepare: the caller's reads and checks, under the gates of the invoices the create changes.
//    A refusal here (overpayment, inactive invoice…) answers the same request again for a minute.
// 4. Have a token in hand, then record durably, together: the reservations (the gates) and the
//    attempt with the instant its create stops sending (the key), unless the claim did.
// 5. Send the one create, cut off at that instant.
// 6. Success → answer 201; storing it and letting the gates go follow the answer (`succeeded`).
//    Definite refusal → store it. Not applied (429, auth) → let the key go. Lost answer → settle
//    it: found → 201; proven absent → let go, 503 (a retry creates); unsettled → 503, the next
//    retry settles it.
import {
  type LogFields,
  NO_TIMING,
  ProblemError,
  type ProblemInit,
  type ProblemType,
  problemResponse,
  type RequestTiming,
} from "@st-edge/edge";
import {
  type Deadline,
  ServiceTitanAuthError,
  ServiceTitanError,
  type TokenProvider,
  unlessAborted,
} from "@st-edge/servicetitan";
import { type HeldInvoices, sameInvoiceIds } from "./gate/hold.ts";
import type { Reservation } from "./gate/state.ts";
import type {
  BeginResult,
  EarlyAttempt,
  IdempotencyRecord,
  OwnerResult,
  StoredResponse,
} from "./idempotency/state.ts";
import type { IdempotencyStore } from "./idempotency/store.ts";
import { reconcile } from "./reconcile.ts";

export const REPLAYED_HEADER = "Idempotent-Replayed";
/** Kept back from the request's deadline after a create stops sending: recording its outcome. */
const SEND_RESERVE_MS = 500;
/** A create is not started with less time than this to send it (or than its timeout, if shorter). */
const MIN_SEND_MS = 1_000;
/** How long past the request's own deadline an owner keeps its key (its last writes to the key). */
const LEASE_MARGIN_MS = 5_000;

export interface CreateOnceSettings {
  /** Read-after-write wait before a missing record counts as absent. */
  reconcileWaitMs: number;
  /** How far before the first attempt reconciliation searches (clock skew). */
  reconcileSkewMs: number;
  /** How long a request waits for a concurrent one with the same key. */
  waitMs: number;
  /** ServiceTitan's per-call timeout: a create never sends for longer. */
  timeoutMs: number;
}

/**
 * What a create will record, known from the request before any check (e.g. every invoice named by
 * id): the attempt's invoices and one reservation per invoice, recorded with the claim.
 */
export interface CreateIntent {
  invoiceIds: number[];
  reservations: Map<number, Reservation>;
}

/** What `prepare` hands back: what to send, and where it lands. */
export interface Prepared<Plan> {
  plan: Plan;
  /** Invoices the create concerns: where reconciliation will look. */
  invoiceIds: number[];
  /** The held gates and the reservation to record on each before sending. */
  gates?: { held: HeldInvoices; reservations: Map<number, Reservation> };
}

export interface CreateOnceOptions<Plan, Created extends { id: number }, Found extends { id: number }> {
  store: DurableObjectStub<IdempotencyStore>;
  key: string;
  /** Fingerprint of the canonical request. */
  hash: string;
  marker: string;
  deadline: Deadline;
  tokens: TokenProvider;
  settings: CreateOnceSettings;
  /** This kind's problem for an outcome that is not known yet (e.g. "payment-outcome-unknown"). */
  outcomeUnknown: ProblemType;
  /** One line per transition; never given a secret. */
  log: (transition: string, fields?: Omit<LogFields, "event">, level?: "info" | "warn" | "error") => void;
  /** Server-Timing spans of the steps (claim, settle, checks, token, record, send, finish), when asked for. */
  timing?: RequestTiming;
  /**
   * Optional: takes the gates of the invoices the create changes while the key is claimed, never
   * waiting for a busy invoice (undefined then, or when they cannot be named yet); `prepare` gets
   * them. Given `reservations` (the intent's), records them with the locks. Let go again (taking
   * them back) when the key turns out to need no checks (a replay, a refusal, another owner).
   */
  holdEarly?(reservations?: ReadonlyMap<number, Reservation>): Promise<HeldInvoices | undefined>;
  /** Optional, with holdEarly: what the create will record, recorded with the claim. */
  intent?: CreateIntent;
  /**
   * Reads and checks before the create, under the gates (`held`: those `holdEarly` took, else
   * prepare takes them); throws problems for refusals. Called at most once.
   */
  prepare(held?: HeldInvoices): Promise<Prepared<Plan>>;
  /**
   * Where work that need not hold up the answer goes (waitUntil): recording a success and letting
   * the gates go; without it (or when the request is timed), it is awaited.
   */
  later?(work: Promise<unknown>): void;
  /** Sends the one create; `signal` cuts it off when it must stop sending. */
  send(plan: Plan, signal: AbortSignal): Promise<Created>;
  /** Records carrying the marker among `invoiceIds`, made since `since` (ISO date-time). */
  find(invoiceIds: readonly number[], since: string): Promise<Found[]>;
  /** The 201 body for what the create answered. */
  created(made: Created, plan: Plan): object;
  /** The 201 body for what reconciliation found. */
  found(record: Found): object;
  /** The final problem for a definite refusal (a 4xx other than 401/403/408/429). */
  refusal(error: ServiceTitanError): ProblemInit;
  /** The id a gate reservation should carry once the create is known to have landed. */
  reservationPaymentId?(made: { id: number }): number | null;
  /**
   * Told once per key, when its first success is stored (created, or found by reconciliation;
   * never on a replay): where a worker announces the new record (events). Must not throw.
   */
  announce?(resultId: number): void;
}

/** How a failed create call ended. */
type SendFailure =
  /** Not applied, and retrying may work (429, auth): let the key go. */
  | { kind: "not-applied" }
  /** Not applied, and retrying cannot change that: the key's final answer. */
  | { kind: "final"; problem: ProblemInit }
  /** May or may not have been applied. */
  | { kind: "unknown" };

/** The one predicate that decides what a failed create means. */
function classify(error: unknown, refusal: (error: ServiceTitanError) => ProblemInit): SendFailure {
  // The token endpoint failed: the create was never sent.
  if (error instanceof ServiceTitanAuthError) return { kind: "not-applied" };
  // Cut off (our deadline), dropped, timed out or 5xx: it may have landed.
  if (!(error instanceof ServiceTitanError) || error.outcomeUnknown) return { kind: "unknown" };
  if ([401, 403, 429].includes(error.status)) return { kind: "not-applied" };
  // "Request Timeout" may follow a partly received body.
  if (error.status === 408) return { kind: "unknown" };
  return { kind: "final", problem: refusal(error) };
}

function json(status: number, body: string, replayed: boolean): Response {
  const headers = new Headers({
    "Content-Type": status >= 400 ? "application/problem+json" : "application/json",
  });
  if (replayed) headers.set(REPLAYED_HEADER, "true");
  return new Response(body, { status, headers });
}

/** A stored answer, as sent again: the current request's id replaces the stored one in problems. */
function withRequestId(stored: StoredResponse, requestId: string): string {
  return stored.status >= 400 ? JSON.stringify({ ...JSON.parse(stored.body), requestId }) : stored.body;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : "unknown");

/**
 * Runs one exactly-once create and answers it. Throws ProblemError (and ServiceTitan errors for
 * not-applied refusals) for the edge to answer; every thrown path has let go of the key.
 *
 * @example
 * return createOnce({ store, key, hash, marker, deadline, tokens, settings, outcomeUnknown: "payment-outcome-unknown",
 *   log, prepare, send, find, created, found, refusal }, c.var.requestId);
 */
export async function createOnce<Plan, Created extends { id: number }, Found extends { id: number }>(
  options: CreateOnceOptions<Plan, Created, Found>,
  requestId: string,
): Promise<Response> {
  const { store, key, hash, marker, deadline, settings, log } = options;
  const timing = options.timing ?? NO_TIMING;
  const leaseMs = () => deadline.remainingMs() + LEASE_MARGIN_MS;
  const unknownOutcome = (detail: string) =>
    new ProblemError({ type: options.outcomeUnknown, detail, retryAfterSeconds: 2 });
  const keyTakenOver = () =>
    new ProblemError({
      type: "idempotency-key-in-use",
      detail: "Another request took over this Idempotency-Key; retry shortly.",
      retryAfterSeconds: 1,
    });

  const minSendMs = Math.min(MIN_SEND_MS, settings.timeoutMs);
  /**
   * The instant a create recorded now must have stopped sending by (what a later owner's
   * reconciliation waits out): the deadline, less the time kept to record the outcome. Undefined
   * when too little is left to send one at all.
   */
  const sendByFromNow = () => {
    const left = deadline.remainingMs() - SEND_RESERVE_MS;
    return left < minSendMs ? undefined : Date.now() + left;
  };

  // 1. Claim the key, with the intent's attempt when there is one.
  const earlySendBy = options.intent && sendByFromNow();
  const earlyAttempt =
    options.intent && earlySendBy !== undefined
      ? { leaseMs: leaseMs(), invoiceIds: options.intent.invoiceIds, marker, sendBy: earlySendBy }
      : undefined;
  const [begun, early] = await timing.span("claim", () => claimKey(options, leaseMs, earlyAttempt));
  if (begun.kind === "mismatch") {
    log("key-reused", {}, "warn");
    throw new ProblemError({
      type: "idempotency-key-reused",
      detail:
        "This Idempotency-Key was already used with a different request body. Nothing was written; use a new key for a new request.",
    });
  }
  if (begun.kind === "busy") {
    log("busy");
    throw new ProblemError({
      type: "idempotency-key-in-use",
      detail: "Another request with this Idempotency-Key is still being processed; retry shortly.",
      retryAfterSeconds: Math.min(10, Math.max(1, Math.ceil(begun.retryAfterMs / 1000))),
    });
  }
  if (begun.kind === "replay") {
    log("replayed", { status: begun.response.status, resultId: begun.resultId ?? undefined });
    return json(begun.response.status, withRequestId(begun.response, requestId), true);
  }
  const { leaseId } = begun;
  log(begun.mustReconcile ? "takeover" : "acquired", { attempts: begun.record.attempts });

  /**
   * Answers a success, and records it after the answer (with `alsoAfter`, e.g. the gates' outcome):
   * the answer does not depend on that write. Until it lands the key is still this request's, so a
   * same-key retry waits for it and replays it; if it never lands, the next owner's reconciliation
   * finds the record by its marker. A timed request waits for it, so its counts are complete.
   */
  const succeeded = async (
    resultId: number,
    body: object,
    replayed: boolean,
    alsoAfter?: () => Promise<void>,
  ) => {
    const response: StoredResponse = { status: 201, body: JSON.stringify({ ...body, idempotencyKey: key }) };
    const record = async () => {
      try {
        const result = await store.succeed({ hash, resultId, response });
        if (result.first) options.announce?.(resultId);
        // Only possible if two owners both sent (a lease lost mid-send): both records exist.
        if (result.resultId !== resultId) {
          log("duplicate-detected", { resultId, storedResultId: result.resultId ?? undefined }, "error");
        }
      } catch (error) {
        // The record exists either way; an unrecorded success is found again by the next reconcile.
        log("store-failed", { resultId, error: errorName(error) }, "error");
      }
    };
    log("succeeded", { resultId });
    const work = timing.span("after", () => Promise.all([record(), alsoAfter?.()]));
    if (options.later && timing === NO_TIMING) options.later(work);
    else await work;
    return json(response.status, response.body, replayed);
  };

  /** Stores a final refusal and answers with it. */
  const failed = async (problem: ProblemInit) => {
    const answer = problemResponse(problem);
    const response: StoredResponse = { status: answer.status, body: await answer.text() };
    // Unrecorded, the refusal is met again: the record stays "posting", the next retry settles
    // (absent) and sends, and ServiceTitan refuses once more.
    const result = await store.fail({ leaseId, response }).catch(() => ({ lost: true }) as const);
    log("failed", { problemType: String(problem.type), traceId: problem.traceId });
    const stored = "lost" in result ? response : result.stored;
    return json(stored.status, withRequestId(stored, requestId), false);
  };

  /** Settles earlier creates: the record found, or undefined once proven absent. */
  const settle = async (invoiceIds: readonly number[], firstAttemptAt: number, settledAt: number) => {
    let result: Awaited<ReturnType<typeof reconcile<Found>>>;
    try {
      result = await reconcile({
        find: (since) => options.find(invoiceIds, since),
        firstAttemptAt,
        settledAt,
        waitMs: settings.reconcileWaitMs,
        skewMs: settings.reconcileSkewMs,
        deadlineAt: deadline.at,
        renew: async () => (await store.renew({ leaseId, leaseMs: leaseMs() })).ok,
      });
    } catch (error) {
      const traceId = error instanceof ServiceTitanError ? error.traceId : undefined;
      log("reconcile-failed", { traceId, error: errorName(error) }, "warn");
      throw unknownOutcome(
        "ServiceTitan's answer to the create was lost and it could not be looked up yet. Retry with the same Idempotency-Key: it will be looked up again, never created twice.",
      );
    }
    if (result.kind === "found") {
      if (result.others.length > 0) {
        log("duplicates-found", { resultId: result.record.id, others: result.others.join(",") }, "error");
      }
      log("reconciled-found", { resultId: result.record.id, checks: result.checks });
      return result.record;
    }
    if (result.kind !== "absent") {
      log(result.kind, { checks: result.checks }, "warn");
      throw unknownOutcome(
        "The create's outcome could not be settled within this request's time budget. Retry with the same Idempotency-Key: it will be looked up again, never created twice.",
      );
    }
    log("reconciled-absent", { checks: result.checks });
    const absent = await storeCall(
      (): Promise<OwnerResult> => store.markAbsent({ leaseId, leaseMs: leaseMs() }),
    );
    if (!absent.ok) throw keyTakenOver();
    return undefined;
  };

  /** What a refused check answered, kept for the same request's duplicates. */
  let checkRefusal: StoredResponse | undefined;
  /** The attempt recorded by this request, until its create is sent (or it is taken back). */
  let unsentAttempt: IdempotencyRecord | undefined = begun.attempted ? begun.record : undefined;
  const run = async (): Promise<Response> => {
    // 2. An earlier create's outcome is unknown: settle it before anything else.
    if (begun.mustReconcile) {
      const record: IdempotencyRecord = begun.record;
      const first = record.firstAttemptAt ?? record.createdAt;
      const settledAt = record.lastSendBy ?? (record.lastAttemptAt ?? first) + settings.timeoutMs;
      const earlier = await timing.span("settle", () => settle(record.invoiceIds, first, settledAt));
      if (earlier) return succeeded(earlier.id, options.found(earlier), true);
    }

    // 3. Reads and checks, under the invoices' gates. A refusal is this request's answer for a while.
    const prepared = await timing
      .span("checks", () => options.prepare(early))
      .catch(async (error: unknown) => {
        checkRefusal = await refusalOf(error);
        throw error;
      });
    const gates = prepared.gates;
    const reserved = [...(gates?.reservations.values() ?? [])].map((reservation) => reservation.id);
    let gatesOpen = gates !== undefined;
    const finishGates = async (outcome: Parameters<HeldInvoices["finish"]>[0]) => {
      if (!gates) return;
      gatesOpen = false;
      await gates.held.finish(outcome);
    };
    /** The gates' outcome once the create is known to have landed as `landed`. */
    const appliedAs = (landed: { id: number }) => ({
      applied: reserved.map((id) => ({ id, paymentId: options.reservationPaymentId?.(landed) ?? null })),
    });
    try {
      // 4. A token in hand before the create (no token wait inside its send; usually in memory by
      // now), then the durable records the claim did not already make.
      await timing.span("token", () => unlessAborted(options.tokens.getToken(), [deadline.signal]));
      if (unsentAttempt && !sameInvoiceIds(prepared.invoiceIds, options.intent?.invoiceIds ?? [])) {
        // The checks chose other invoices than the request named: that attempt is taken back.
        await storeCall((): Promise<OwnerResult> => store.markAbsent({ leaseId, leaseMs: leaseMs() }));
        unsentAttempt = undefined;
      }
      const sendBy = unsentAttempt?.lastSendBy ?? sendByFromNow();
      if (sendBy === undefined) throw tooLateToSend();
      const keyAttempt = unsentAttempt
        ? undefined
        : storeCall(
            (): Promise<OwnerResult> =>
              store.attempt({ leaseId, leaseMs: leaseMs(), invoiceIds: prepared.invoiceIds, marker, sendBy }),
          );
      const gateReserve =
        gates && !gates.held.reservedWhenTaken(gates.reservations)
          ? gates.held.reserve(gates.reservations)
          : undefined;
      if (keyAttempt || gateReserve) {
        const [attempted] = await timing.span("record", () =>
          Promise.all([keyAttempt, gateReserve]).catch(async (error: unknown) => {
            // Nothing was sent: whatever got recorded is taken back.
            await store.markAbsent({ leaseId, leaseMs: leaseMs() }).catch(() => undefined);
            unsentAttempt = undefined;
            throw error;
          }),
        );
        if (attempted && !attempted.ok) {
          log("attempt-refused", { reason: attempted.reason }, "warn");
          throw keyTakenOver();
        }
        if (attempted) unsentAttempt = attempted.record;
      }
      const attemptedRecord = unsentAttempt;
      if (!attemptedRecord) throw keyTakenOver();
      log("attempt", { attempts: attemptedRecord.attempts });

      // 5. The one create, cut off after ServiceTitan's per-call timeout or at the recorded sendBy,
      // whichever comes first, however long recording and checking took. Not started with too
      // little of that window left: then nothing is sent.
      const leftMs = sendBy - Date.now();
      if (leftMs < minSendMs) {
        log("send-window-closed", {}, "warn");
        throw tooLateToSend();
      }
      const sendLeftMs = Math.min(settings.timeoutMs, leftMs);
      let made: Created;
      try {
        unsentAttempt = undefined;
        made = await timing.span("send", () =>
          options.send(prepared.plan, AbortSignal.any([AbortSignal.timeout(sendLeftMs), deadline.signal])),
        );
      } catch (error) {
        // 6. What a failed create means.
        const failure = classify(error, options.refusal);
        const traceId = error instanceof ServiceTitanError ? error.traceId : undefined;
        const upstreamStatus = error instanceof ServiceTitanError ? error.status : undefined;
        log("create-failed", { outcome: failure.kind, upstreamStatus, traceId }, "warn");
        if (failure.kind === "final") {
          await finishGates({ withdrawn: reserved });
          return await failed(failure.problem);
        }
        if (failure.kind === "not-applied") {
          await finishGates({ withdrawn: reserved });
          await storeCall(
            async (): Promise<OwnerResult> => store.markAbsent({ leaseId, leaseMs: leaseMs() }),
          );
          throw error;
        }
        // Unknown: the reservations stay (they count until settled); the gates are let go so the
        // invoices are not blocked while we look. The call has returned: its sending ended now,
        // which a later owner's reconciliation may count from too (best effort: sendBy bounds it).
        const endedAt = Math.min(Date.now(), sendBy);
        await Promise.all([
          finishGates({}),
          store.sendEnded({ leaseId, at: endedAt }).catch(() => undefined),
        ]);
        const record = await settle(prepared.invoiceIds, attemptedRecord.firstAttemptAt ?? endedAt, endedAt);
        if (record) {
          return await succeeded(record.id, options.found(record), false, () =>
            finishGates(appliedAs(record)),
          );
        }
        await gates?.held.finish({ withdrawn: reserved });
        throw new ProblemError({
          type: "upstream-unavailable",
          detail:
            "ServiceTitan did not record it (its answer was lost, and the record is provably absent). Retry with the same Idempotency-Key.",
          retryAfterSeconds: 1,
          traceId,
        });
      }
      return await succeeded(made.id, options.created(made, prepared.plan), false, () =>
        finishGates(appliedAs(made)),
      );
    } finally {
      if (gatesOpen) await finishGates({ withdrawn: reserved });
    }
  };

  try {
    return await run();
  } catch (error) {
    // Whatever happened, let go of the key. A record whose create is unsettled stays "posting",
    // so the next owner settles it; an attempt recorded here and never sent is taken back; a
    // record with no create attempted is deleted, or keeps the check's refusal for the same
    // request a while.
    await store
      .release({
        leaseId,
        ...(checkRefusal && { refusal: checkRefusal }),
        ...(unsentAttempt && { unsent: true }),
      })
      .catch(() => undefined);
    throw error;
  }
}

const tooLateToSend = () =>
  new ProblemError({
    type: "upstream-timeout",
    detail:
      "Too little of this request's time budget was left to send the create; nothing was written. Retry.",
    retryAfterSeconds: 1,
  });

/**
 * The answer to remember from a refused check: a refusal the request met in ServiceTitan's current
 * state (404, 422), not a busy, throttled or unavailable one, which a retry should run again.
 */
async function refusalOf(error: unknown): Promise<StoredResponse | undefined> {
  if (!(error instanceof ProblemError)) return undefined;
  const answer = problemResponse(error.init);
  if (answer.status !== 404 && answer.status !== 422) return undefined;
  return { status: answer.status, body: await answer.text() };
}

/**
 * Claims the key; with `holdEarly`, takes the invoices' gates at the same time, so that a request
 * that goes on to its checks finds them held (one Durable Object round trip instead of two in a
 * row). Why that is safe: a gate is only a lock; holding it decides nothing and reads nothing, so
 * taking it before the key is ours changes no check, only who waits. To keep that wait short:
 * the gates are tried without waiting for a busy invoice (prepare then waits for it, after the
 * key, as before), and the key is first claimed without waiting for a concurrent owner of the
 * key; when there is one, or the key's answer is already known (replay, another body), or an
 * earlier create must be settled first (which may take seconds), the early gates are let go
 * before anything else, and the key is claimed again, waiting, as before.
 *
 * With `attempt` (the intent's), the key is claimed and marked posting in one write, and the
 * gates record the intent's reservations with their locks. Both only ever count against a
 * balance (a reservation takes its amount off what other writers may use; an attempt makes a
 * later owner settle before posting), never for it, and both are taken back when nothing is sent:
 * the gates' (only those recorded here, never an earlier request's of the same key) when they are
 * let go, the attempt by release({ unsent }).
 */
async function claimKey<Plan, Created extends { id: number }, Found extends { id: number }>(
  options: CreateOnceOptions<Plan, Created, Found>,
  leaseMs: () => number,
  attempt?: EarlyAttempt,
): Promise<[BeginResult, HeldInvoices | undefined]> {
  const { store, hash, settings, deadline } = options;
  const waitMs = Math.max(0, Math.min(settings.waitMs, deadline.remainingMs() - MIN_SEND_MS));
  const begin = (wait: number, withAttempt?: EarlyAttempt) =>
    storeCall(
      (): Promise<BeginResult> =>
        store.begin({ hash, leaseMs: leaseMs(), waitMs: wait, ...(withAttempt && { attempt: withAttempt }) }),
    );
  if (!options.holdEarly) return [await begin(waitMs), undefined];
  const held = options.holdEarly(attempt && options.intent?.reservations).catch(() => undefined);
  const letGo = async () => {
    const release = held.then((gates) => gates?.letGo());
    if (options.later) options.later(release);
    else await release;
  };
  let first: BeginResult;
  try {
    first = await begin(0, attempt);
  } catch (error) {
    await letGo();
    throw error;
  }
  if (first.kind === "acquired" && !first.mustReconcile) return [first, await held];
  await letGo();
  return [first.kind === "busy" && waitMs > 0 ? await begin(waitMs) : first, undefined];
}

/**
 * A call to the idempotency store whose failure must stop the request before anything is sent:
 * answered as a retryable 503, never as an internal error.
 */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    throw new ProblemError({
      type: "idempotency-store-unavailable",
      detail:
        "The idempotency store did not answer. Retry with the same Idempotency-Key: nothing is written twice.",
      retryAfterSeconds: 1,
    });
  }
}

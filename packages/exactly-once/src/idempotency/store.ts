// The Durable Object behind Idempotency-Key: one instance per (environment, tenant, kind of create,
// key), holding one record (see state.ts). SQLite-backed synchronous storage makes every method read, decide and
// write without yielding, so two requests can never both own a key; a method's answer leaves the
// object only once its write is durable (output gate). Records are deleted by an alarm at least
// 48 hours after their last change, except while a create's outcome is unknown.
import { DurableObject } from "cloudflare:workers";
import {
  attempt,
  type BeginResult,
  beginAttempt,
  type EarlyAttempt,
  expirable,
  type FinalResult,
  fail,
  type IdempotencyRecord,
  markAbsent,
  type OwnerResult,
  release,
  renew,
  type StoredResponse,
  sendEnded,
  succeed,
  type Transition,
} from "./state.ts";

const RECORD = "record";
/** Records live at least this long after their last change: keys are honoured for ≥ 24 h, with margin. */
export const RETENTION_MS = 48 * 60 * 60 * 1000;
/** How long after creation a key's answer is normally final (a request's budget and its retries). */
const RETENTION_SLACK_MS = 10 * 60 * 1000;

export class IdempotencyStore extends DurableObject {
  /** Requests waiting for the owner to finish (in memory: lost on eviction, then they just time out). */
  private readonly waiters = new Set<() => void>();

  private read(): IdempotencyRecord | undefined {
    return this.ctx.storage.kv.get<IdempotencyRecord>(RECORD);
  }

  private async apply<R>(transition: Transition<R>, previous: IdempotencyRecord | undefined): Promise<R> {
    const { next } = transition;
    if (next !== previous) {
      if (next === undefined) this.ctx.storage.kv.delete(RECORD);
      else this.ctx.storage.kv.put(RECORD, next);
      // Retention counts from the last change, checked when the alarm fires (it re-arms for a
      // record changed since), so a replay stays possible ≥ 24 h after the answer. The alarm is
      // armed once, on creation, RETENTION_SLACK_MS past the retention: a key's answer is
      // normally final well within that of its creation, so one alarm deletes the record, and
      // no other transition (not even the final answer) pays a storage write for it.
      if (previous === undefined && next !== undefined)
        await this.ctx.storage.setAlarm(Date.now() + RETENTION_MS + RETENTION_SLACK_MS);
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    }
    return transition.result;
  }

  private changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.add(done);
    });
  }

  /**
   * Claims the key for a request with body hash `hash`. While another request owns it, waits up to
   * `waitMs` for that request to finish (then replays its answer or takes over), else reports busy.
   * With `attempt`, a key handed over with nothing to settle is also marked posting (see
   * state.beginAttempt): the caller must send its create only if told `attempted`.
   */
  async begin(input: {
    hash: string;
    leaseMs: number;
    waitMs: number;
    attempt?: EarlyAttempt;
  }): Promise<BeginResult> {
    const deadline = Date.now() + input.waitMs;
    for (;;) {
      const previous = this.read();
      const transition = beginAttempt(previous, {
        hash: input.hash,
        now: Date.now(),
        leaseMs: input.leaseMs,
        leaseId: crypto.randomUUID(),
        attempt: input.attempt,
      });
      const result = await this.apply(transition, previous);
      const remaining = deadline - Date.now();
      if (result.kind !== "busy" || remaining <= 0) return result;
      await this.changed(Math.min(remaining, result.retryAfterMs));
    }
  }

  /** Extends the owner's lease. */
  async renew(input: { leaseId: string; leaseMs: number }): Promise<OwnerResult> {
    const previous = this.read();
    return this.apply(renew(previous, { ...input, now: Date.now() }), previous);
  }

  /** Records, durably, that a create is about to be sent. The caller must not send it unless `ok`. */
  async attempt(input: {
    leaseId: string;
    leaseMs: number;
    invoiceIds: number[];
    marker: string;
    sendBy: number;
  }): Promise<OwnerResult> {
    const previous = this.read();
    return this.apply(attempt(previous, { ...input, now: Date.now() }), previous);
  }

  /** The create call returned at `at`: its sending ended then. */
  async sendEnded(input: { leaseId: string; at: number }): Promise<OwnerResult> {
    const previous = this.read();
    return this.apply(sendEnded(previous, { ...input, now: Date.now() }), previous);
  }

  /** Reconciliation found nothing from earlier creates. */
  async markAbsent(input: { leaseId: string; leaseMs: number }): Promise<OwnerResult> {
    const previous = this.read();
    return this.apply(markAbsent(previous, { ...input, now: Date.now() }), previous);
  }

  /** The record exists (created, or found by reconciliation). Returns the answer to give (first success wins). */
  async succeed(input: { hash: string; resultId: number; response: StoredResponse }): Promise<FinalResult> {
    const previous = this.read();
    return this.apply(succeed(previous, { ...input, now: Date.now() }), previous);
  }

  /** A final refusal, replayed to every retry. */
  async fail(input: { leaseId: string; response: StoredResponse }): Promise<FinalResult | { lost: true }> {
    const previous = this.read();
    return this.apply(fail(previous, { ...input, now: Date.now() }), previous);
  }

  /** Lets go of the key without a final answer, or with a check's refusal (see state.release). */
  async release(input: {
    leaseId: string;
    refusal?: StoredResponse;
    unsent?: boolean;
  }): Promise<{ released: boolean }> {
    const previous = this.read();
    return this.apply(release(previous, { ...input, now: Date.now() }), previous);
  }

  /** The stored record, for operators and tests. */
  async inspect(): Promise<IdempotencyRecord | null> {
    return this.read() ?? null;
  }

  override async alarm(): Promise<void> {
    const record = this.read();
    const now = Date.now();
    if (record && record.updatedAt + RETENTION_MS > now) {
      // Changed since the alarm was armed: keep it for the full period after that change.
      await this.ctx.storage.setAlarm(record.updatedAt + RETENTION_MS);
      return;
    }
    if (expirable(record, now)) {
      await this.ctx.storage.deleteAll();
      return;
    }
    // A create whose outcome nobody has settled: keep the record, or a late retry could post twice.
    await this.ctx.storage.setAlarm(now + RETENTION_MS);
  }
}

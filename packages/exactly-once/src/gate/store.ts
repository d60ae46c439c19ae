// The Durable Object behind the per-invoice gate: one instance per (environment, tenant, invoice),
// holding one record (see state.ts). SQLite-backed synchronous storage makes each method read,
// decide and write without yielding, so two requests can never both hold one invoice; an answer
// leaves the object only once its write is durable (output gate). Waiting for the lock happens in
// memory (woken on every change), so a busy invoice costs no polling.
import { DurableObject } from "cloudflare:workers";
import { RESERVATION_TTL_MS } from "../settings.ts";
import {
  type AcquireResult,
  acquire,
  confirm,
  finish,
  type GateRecord,
  type HolderResult,
  idle,
  idleBy,
  type Reservation,
  reserve,
  type Transition,
} from "./state.ts";

const RECORD = "gate";

export class InvoiceGate extends DurableObject {
  private readonly waiters = new Set<() => void>();

  private read(): GateRecord | undefined {
    return this.ctx.storage.kv.get<GateRecord>(RECORD);
  }

  private async apply<R>(transition: Transition<R>, previous: GateRecord | undefined): Promise<R> {
    const { next } = transition;
    if (next !== previous) {
      if (next === undefined) this.ctx.storage.kv.delete(RECORD);
      else this.ctx.storage.kv.put(RECORD, next);
      // The alarm only deletes a record nobody uses any more (an expired lease or reservation is
      // ignored by every transition meanwhile). Armed once, when the record is created, for when it
      // is idle at the latest, and re-armed by the alarm for a record still in use then: a write
      // on a fresh invoice pays one alarm write, one on an invoice in use none.
      if (previous === undefined && next !== undefined)
        await this.ctx.storage.setAlarm(idleBy(next, RESERVATION_TTL_MS));
      for (const wakeUp of this.waiters) wakeUp();
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
   * Takes the lock for `leaseMs`, waiting up to `waitMs` for the current holder to let go; with
   * `reservation`, records it with the lock (see state.acquire).
   */
  async acquire(input: {
    leaseMs: number;
    waitMs: number;
    reservation?: Reservation;
  }): Promise<AcquireResult> {
    const lease = crypto.randomUUID();
    const deadline = Date.now() + input.waitMs;
    for (;;) {
      const previous = this.read();
      const result = await this.apply(
        acquire(previous, { lease, now: Date.now(), leaseMs: input.leaseMs, reservation: input.reservation }),
        previous,
      );
      const remaining = deadline - Date.now();
      if (result.kind !== "busy" || remaining <= 0) return result;
      await this.changed(Math.min(remaining, result.retryAfterMs));
    }
  }

  /** Records a write about to be sent. The holder must not send it unless `ok`. */
  async reserve(input: { lease: string; reservation: Reservation }): Promise<HolderResult> {
    const previous = this.read();
    return this.apply(reserve(previous, { ...input, now: Date.now() }), previous);
  }

  /** Ends reservations whose writes reads now show, or proved absent. */
  async confirm(input: { lease: string; ended: string[] }): Promise<HolderResult> {
    const previous = this.read();
    return this.apply(confirm(previous, { ...input, now: Date.now() }), previous);
  }

  /** Records what became of writes, and lets go of the lock when `lease` still holds it. */
  async finish(input: {
    lease: string | null;
    applied?: { id: string; paymentId: number | null }[];
    withdrawn?: string[];
  }): Promise<{ released: boolean }> {
    const previous = this.read();
    return this.apply(finish(previous, { ...input, now: Date.now() }), previous);
  }

  /** The stored record, for operators and tests. */
  async inspect(): Promise<GateRecord | null> {
    return this.read() ?? null;
  }

  override async alarm(): Promise<void> {
    const previous = this.read();
    const now = Date.now();
    if (idle(previous, now)) {
      await this.ctx.storage.deleteAll();
      return;
    }
    // Still in use: expired reservations and a dead holder's lease are dropped, the rest stays.
    await this.apply(finish(previous, { lease: null, now }), previous);
    const record = this.read();
    if (record) await this.ctx.storage.setAlarm(Math.max(idleBy(record, RESERVATION_TTL_MS), now + 1_000));
  }
}

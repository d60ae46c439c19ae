// The TenantEvents Durable Object: one per (environment, tenant), holding everything the tenant's
// events need in SQLite: subscriptions, feed cursors, the versions seen, the events published
// (with their bodies), every delivery and its state, and received ServiceTitan event ids.
//
// It is the outbox of the delivery pipeline: a change and the deliveries it causes are written in
// one transaction, and only then are their queue messages sent, by the caller; a message lost
// after that is sent again by the sweeper (the alarm), so no delivery is lost between the two.
// The alarm also drives polling (feeds.ts), which is how the watcher runs under `pnpm start`
// with nothing to trigger it; deployed, a Cron Trigger only makes sure the alarm is armed.
// Decisions are pure functions (state.ts); methods here read, decide and write without yielding.
import { DurableObject } from "cloudflare:workers";
import { log } from "@st-edge/edge";
import type { EventName } from "@st-edge/events";
import { stampKey } from "@st-edge/servicetitan";
import { type DeliveryRef, dispatch } from "../dispatch.ts";
import { watchRound } from "../feeds.ts";
import { type Observation, payloadFor } from "../observations.ts";
import {
  type EventsBindings,
  type FeedName,
  pollSettings,
  targetConcurrency,
  tenantOf,
} from "../settings.ts";
import {
  type Claim,
  changesOf,
  claim,
  claimWebhook,
  type DeliveryRow,
  finish,
  isStranded,
  type Outcome,
  type VersionRow,
  type WebhookClaim,
} from "./state.ts";

const DAY_MS = 86_400_000;
/** How long versions and published events are remembered: a re-read within it never fires again. */
export const VERSION_RETENTION_MS = 40 * DAY_MS;
/** A record created before this horizon (or before watching began) is never "created". */
const CREATED_HORIZON_MS = 35 * DAY_MS;
const DELIVERED_RETENTION_MS = 7 * DAY_MS;
const DEAD_RETENTION_MS = 30 * DAY_MS;
/** A pending delivery this late, or an in-flight one past its lease, has its message sent again. */
const STRANDED_GRACE_MS = 10 * 60_000;
/** How long a received ServiceTitan event may take to reach the queue before its claim lapses. */
const WEBHOOK_LEASE_MS = 30_000;
/** A delivery released from waiting keeps its target's slot this long, for its message to arrive. */
const RELEASE_LEASE_MS = 30_000;
const MAX_HOOKS = 200;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hooks (id TEXT PRIMARY KEY, event TEXT NOT NULL, target_url TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (name TEXT PRIMARY KEY, cursor TEXT, polled_at INTEGER, error TEXT,
  failures INTEGER NOT NULL DEFAULT 0, retry_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS versions (kind TEXT NOT NULL, record_id INTEGER NOT NULL, version TEXT NOT NULL,
  exported INTEGER NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (kind, record_id));
CREATE TABLE IF NOT EXISTS events (key TEXT PRIMARY KEY, event TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, hook_id TEXT NOT NULL, event_key TEXT NOT NULL,
  target_url TEXT NOT NULL, origin TEXT NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL, due_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL, last_status INTEGER, last_error TEXT, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, replays INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (state, due_at);
CREATE INDEX IF NOT EXISTS deliveries_by_origin ON deliveries (origin, state);
CREATE TABLE IF NOT EXISTS webhooks (uid TEXT PRIMARY KEY, state TEXT NOT NULL, lease_until INTEGER NOT NULL, received_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dead_messages (id TEXT PRIMARY KEY, body TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
`;

export interface Hook {
  id: string;
  event: EventName;
  targetUrl: string;
  createdAt: string;
}

export interface FeedState {
  cursor: string | null;
  /** Epoch ms when watching began: the feeds start there. */
  baselineAt: number;
  retryAt: number;
  failures: number;
}

/** A delivery to send now, with what the consumer needs to post it. */
export interface GoClaim {
  kind: "go";
  deliveryId: string;
  attempt: number;
  hookId: string;
  event: string;
  targetUrl: string;
  body: string;
}

export type DeliveryClaim = Extract<Claim, { kind: "skip" }> | { kind: "held" } | GoClaim;

export interface DeadLetter {
  id: string;
  kind: "delivery" | "message";
  event: string | null;
  targetUrl: string | null;
  hookId: string | null;
  attempts: number;
  lastStatus: number | null;
  reason: string | null;
  at: string;
}

export interface WatcherStatus {
  baselineAt: string | null;
  alarmAt: string | null;
  hooks: number;
  deliveries: Record<string, number>;
  feeds: {
    name: string;
    cursor: boolean;
    polledAt: string | null;
    error: string | null;
    retryAt: string | null;
  }[];
}

type Row = Record<string, SqlStorageValue>;

const iso = (ms: number | null) => (ms === null || ms === 0 ? null : new Date(ms).toISOString());
const originOf = (target: string) => new URL(target).origin;

function deliveryRow(row: Row): DeliveryRow {
  return {
    id: String(row.id),
    hookId: String(row.hook_id),
    eventKey: String(row.event_key),
    targetUrl: String(row.target_url),
    origin: String(row.origin),
    state: String(row.state) as DeliveryRow["state"],
    attempt: Number(row.attempt),
    dueAt: Number(row.due_at),
    leaseUntil: Number(row.lease_until),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error === null ? null : String(row.last_error),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    replays: Number(row.replays),
  };
}

const hookOf = (row: Row): Hook => ({
  id: String(row.id),
  event: String(row.event) as EventName,
  targetUrl: String(row.target_url),
  createdAt: String(row.created_at),
});

export class TenantEvents extends DurableObject<EventsBindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: EventsBindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA.split(";")
      .map((s) => s.trim())
      .filter(Boolean))
      this.sql.exec(statement);
  }

  private rows(query: string, ...bindings: SqlStorageValue[]): Row[] {
    return this.sql.exec<Row>(query, ...bindings).toArray();
  }

  private meta(key: string): string | undefined {
    const row = this.rows("SELECT value FROM meta WHERE key = ?", key)[0];
    return row ? String(row.value) : undefined;
  }

  /** When watching began (set on first use): nothing that changed before is an event. */
  private baselineAt(now: number): number {
    const stored = this.meta("baseline_at");
    if (stored !== undefined) return Number(stored);
    this.sql.exec("INSERT INTO meta (key, value) VALUES ('baseline_at', ?)", String(now));
    return now;
  }

  private writeDelivery(row: DeliveryRow): void {
    this.sql.exec(
      `INSERT INTO deliveries (id, hook_id, event_key, target_url, origin, state, attempt, due_at, lease_until,
         last_status, last_error, created_at, updated_at, replays) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempt = excluded.attempt, due_at = excluded.due_at,
         lease_until = excluded.lease_until, last_status = excluded.last_status, last_error = excluded.last_error,
         updated_at = excluded.updated_at, replays = excluded.replays`,
      row.id,
      row.hookId,
      row.eventKey,
      row.targetUrl,
      row.origin,
      row.state,
      row.attempt,
      row.dueAt,
      row.leaseUntil,
      row.lastStatus,
      row.lastError,
      row.createdAt,
      row.updatedAt,
      row.replays,
    );
  }

  private delivery(id: string): DeliveryRow | undefined {
    const row = this.rows("SELECT * FROM deliveries WHERE id = ?", id)[0];
    return row ? deliveryRow(row) : undefined;
  }

  /**
   * Arms the alarm if it is not armed (the first poll comes one interval from now), and records
   * whose object this is: the alarm only ever polls with bindings of the same tenant.
   */
  async ensureWatching(input: { tenant: string; intervalSeconds: number }): Promise<void> {
    const now = Date.now();
    this.baselineAt(now);
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('tenant', ?)", input.tenant);
    const next = now + input.intervalSeconds * 1000;
    // Not armed, or armed further out than the interval allows (the setting was shortened).
    const armed = await this.ctx.storage.getAlarm();
    if (armed === null || armed > next) await this.ctx.storage.setAlarm(next);
  }

  // --- subscriptions -------------------------------------------------------------------------

  /** Subscribes `targetUrl` to `event`; the same pair again answers the existing hook. */
  async addHook(input: {
    event: EventName;
    targetUrl: string;
  }): Promise<{ hook: Hook; created: boolean } | { full: true }> {
    const existing = this.rows(
      "SELECT * FROM hooks WHERE event = ? AND target_url = ?",
      input.event,
      input.targetUrl,
    )[0];
    if (existing) return { hook: hookOf(existing), created: false };
    const count = Number(this.rows("SELECT COUNT(*) AS n FROM hooks")[0]?.n ?? 0);
    if (count >= MAX_HOOKS) return { full: true };
    const hook: Hook = {
      id: `hk_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`,
      event: input.event,
      targetUrl: input.targetUrl,
      createdAt: new Date().toISOString(),
    };
    this.sql.exec(
      "INSERT INTO hooks (id, event, target_url, created_at) VALUES (?, ?, ?, ?)",
      hook.id,
      hook.event,
      hook.targetUrl,
      hook.createdAt,
    );
    return { hook, created: true };
  }

  async listHooks(): Promise<Hook[]> {
    return this.rows("SELECT * FROM hooks ORDER BY created_at, id").map(hookOf);
  }

  /** Removes a subscription; its deliveries not yet made are cancelled. False when there was none. */
  async removeHook(id: string): Promise<boolean> {
    return this.unsubscribe(id, Date.now());
  }

  private unsubscribe(id: string, now: number): boolean {
    const removed = this.sql.exec("DELETE FROM hooks WHERE id = ?", id).rowsWritten > 0;
    this.sql.exec(
      "UPDATE deliveries SET state = 'cancelled', updated_at = ? WHERE hook_id = ? AND state IN ('pending', 'held', 'inflight')",
      now,
      id,
    );
    return removed;
  }

  // --- changes -------------------------------------------------------------------------------

  /**
   * Records what was observed and writes the deliveries it causes, in one transaction; returns
   * the deliveries whose messages the caller must send. `cursor` (with `feed`) is advanced in
   * the same transaction: a batch is either wholly processed or not at all.
   */
  async ingest(input: {
    observations: Observation[];
    feed?: FeedName;
    cursor?: string;
  }): Promise<DeliveryRef[]> {
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      const baselineAt = this.baselineAt(now);
      const cutoffs = {
        baseline: stampKey(new Date(baselineAt).toISOString()),
        created: stampKey(new Date(Math.max(baselineAt, now - CREATED_HORIZON_MS)).toISOString()),
      };
      const hooks = this.rows("SELECT * FROM hooks").map(hookOf);
      const refs: DeliveryRef[] = [];
      for (const observation of input.observations) {
        const seen = this.rows(
          "SELECT version, exported FROM versions WHERE kind = ? AND record_id = ?",
          observation.kind,
          observation.recordId,
        )[0];
        const previous: VersionRow | undefined = seen
          ? { version: String(seen.version), exported: Number(seen.exported) === 1 }
          : undefined;
        const { events, record } = changesOf(previous, observation, cutoffs);
        if (record) {
          this.sql.exec(
            `INSERT INTO versions (kind, record_id, version, exported, seen_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (kind, record_id) DO UPDATE SET version = excluded.version, exported = excluded.exported,
               seen_at = excluded.seen_at`,
            observation.kind,
            observation.recordId,
            observation.version,
            observation.exported ? 1 : 0,
            now,
          );
        }
        for (const event of events) {
          const payload = payloadFor(observation, event);
          const key = `${event}|${payload.id}`;
          // One event per version, whichever path saw it first.
          if (this.rows("SELECT 1 FROM events WHERE key = ?", key).length > 0) continue;
          this.sql.exec(
            "INSERT INTO events (key, event, body, created_at) VALUES (?, ?, ?, ?)",
            key,
            event,
            JSON.stringify(payload),
            now,
          );
          for (const hook of hooks.filter((h) => h.event === event)) {
            const row: DeliveryRow = {
              id: `dl_${crypto.randomUUID().replace(/-/g, "")}`,
              hookId: hook.id,
              eventKey: key,
              targetUrl: hook.targetUrl,
              origin: originOf(hook.targetUrl),
              state: "pending",
              attempt: 1,
              dueAt: now,
              leaseUntil: 0,
              lastStatus: null,
              lastError: null,
              createdAt: now,
              updatedAt: now,
              replays: 0,
            };
            this.writeDelivery(row);
            refs.push({ deliveryId: row.id, attempt: 1 });
          }
        }
      }
      if (input.feed !== undefined && input.cursor !== undefined) {
        this.sql.exec(
          `INSERT INTO feeds (name, cursor, polled_at, error, failures, retry_at) VALUES (?, ?, ?, NULL, 0, 0)
           ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, polled_at = excluded.polled_at, error = NULL,
             failures = 0, retry_at = 0`,
          input.feed,
          input.cursor,
          now,
        );
      }
      return refs;
    });
  }

  async feedState(feed: FeedName): Promise<FeedState> {
    const row = this.rows("SELECT * FROM feeds WHERE name = ?", feed)[0];
    return {
      cursor: row?.cursor === null || row?.cursor === undefined ? null : String(row.cursor),
      baselineAt: this.baselineAt(Date.now()),
      retryAt: Number(row?.retry_at ?? 0),
      failures: Number(row?.failures ?? 0),
    };
  }

  /** A feed's read failed: keep its cursor, remember why, and wait `retryInMs` before the next try. */
  async feedFailed(input: { feed: FeedName; error: string; retryInMs: number }): Promise<void> {
    const now = Date.now();
    this.sql.exec(
      `INSERT INTO feeds (name, cursor, polled_at, error, failures, retry_at) VALUES (?, NULL, ?, ?, 1, ?)
       ON CONFLICT (name) DO UPDATE SET polled_at = excluded.polled_at, error = excluded.error,
         failures = feeds.failures + 1, retry_at = excluded.retry_at`,
      input.feed,
      now,
      input.error,
      now + input.retryInMs,
    );
  }

  // --- deliveries ----------------------------------------------------------------------------

  /**
   * Slots of `origin`'s cap taken, `except` by one delivery: in flight under a live lease, or
   * released and on its way (a pending delivery with a lease; see release).
   */
  private slotsTaken(origin: string, now: number, except = ""): number {
    return Number(
      this.rows(
        `SELECT COUNT(*) AS n FROM deliveries WHERE origin = ? AND state IN ('inflight', 'pending') AND lease_until > ?
         AND id != ?`,
        origin,
        now,
        except,
      )[0]?.n ?? 0,
    );
  }

  /**
   * Releases the oldest deliveries held back for `origin` into its free slots: each becomes
   * pending again, keeping its slot for a while (so neither a new delivery nor the next release
   * takes it), and its message is the caller's to send. One whose message is lost frees the slot
   * when that lease ends, and is swept like any pending delivery.
   */
  private release(origin: string, cap: number, now: number): DeliveryRef[] {
    const free = cap - this.slotsTaken(origin, now);
    if (free <= 0) return [];
    return this.rows(
      "SELECT * FROM deliveries WHERE origin = ? AND state = 'held' ORDER BY created_at, id LIMIT ?",
      origin,
      free,
    )
      .map(deliveryRow)
      .map((row) => {
        this.writeDelivery({
          ...row,
          state: "pending",
          dueAt: now,
          leaseUntil: now + RELEASE_LEASE_MS,
          updatedAt: now,
        });
        return { deliveryId: row.id, attempt: row.attempt };
      });
  }

  /**
   * May this delivery message post now? `go` carries the target and body and holds a lease;
   * `held` means the target is at its cap and the delivery waits here for a release (see
   * finishDelivery), so the message is done with.
   */
  async claimDelivery(input: {
    deliveryId: string;
    attempt: number;
    cap: number;
    leaseMs: number;
  }): Promise<DeliveryClaim> {
    const now = Date.now();
    const row = this.delivery(input.deliveryId);
    const inflight = row ? this.slotsTaken(row.origin, now, row.id) : 0;
    const decision = claim(row, { ...input, now, inflight });
    if (decision.kind === "held") {
      this.writeDelivery(decision.row);
      return { kind: "held" };
    }
    if (decision.kind !== "go") return decision;
    this.writeDelivery(decision.row);
    const event = this.rows("SELECT event, body FROM events WHERE key = ?", decision.row.eventKey)[0];
    if (!event) {
      // The body was pruned (a delivery older than the retention): nothing left to send.
      this.writeDelivery({ ...decision.row, state: "dead", lastError: "event expired", updatedAt: now });
      return { kind: "skip", reason: "finished" };
    }
    return {
      kind: "go",
      deliveryId: decision.row.id,
      attempt: decision.row.attempt,
      hookId: decision.row.hookId,
      event: String(event.event),
      targetUrl: decision.row.targetUrl,
      body: String(event.body),
    };
  }

  /**
   * Records how an attempt ended. Returns the next attempt to queue (with its delay) when one is
   * due, the deliveries held back for the target that may go now that its slot is free (their
   * messages are the caller's to send), and whether the subscription was removed (410 Gone).
   */
  async finishDelivery(input: {
    deliveryId: string;
    attempt: number;
    outcome: Outcome;
    delaysSeconds: number[];
    cap: number;
  }): Promise<{ retry?: DeliveryRef; released: DeliveryRef[]; unsubscribed: boolean; state: string }> {
    const now = Date.now();
    const row = this.delivery(input.deliveryId);
    // Only the holder of this attempt's lease may finish it; the slot it held is free either way.
    if (row?.state !== "inflight" || row.attempt !== input.attempt) {
      const released = row ? this.release(row.origin, input.cap, now) : [];
      return { released, unsubscribed: false, state: row?.state ?? "unknown" };
    }
    const result = finish(row, input.outcome, { ...input, now, random: Math.random() });
    this.writeDelivery(result.next);
    if (result.unsubscribe) this.unsubscribe(row.hookId, now);
    return {
      ...(result.retry
        ? {
            retry: {
              deliveryId: row.id,
              attempt: result.retry.attempt,
              delaySeconds: result.retry.delaySeconds,
            },
          }
        : {}),
      released: this.release(row.origin, input.cap, now),
      unsubscribed: result.unsubscribe,
      state: result.next.state,
    };
  }

  /** A delivery message the queue gave up on (its consumer kept failing): dead, listed, replayable. */
  async deliveryAbandoned(input: { deliveryId: string; reason: string }): Promise<void> {
    const row = this.delivery(input.deliveryId);
    if (!row || ["delivered", "gone", "cancelled"].includes(row.state)) return;
    this.writeDelivery({
      ...row,
      state: "dead",
      lastError: input.reason,
      leaseUntil: 0,
      updatedAt: Date.now(),
    });
  }

  /** An EVENTS message the queue gave up on (ServiceTitan unreachable for its whole retry span). */
  async messageAbandoned(input: { id: string; body: string; reason: string }): Promise<void> {
    this.sql.exec(
      "INSERT OR REPLACE INTO dead_messages (id, body, reason, at) VALUES (?, ?, ?, ?)",
      input.id,
      input.body,
      input.reason,
      Date.now(),
    );
  }

  /** Dead deliveries and abandoned messages, newest first. */
  async deadLetters(input: { limit: number }): Promise<DeadLetter[]> {
    const deliveries = this.rows(
      `SELECT d.*, e.event FROM deliveries d LEFT JOIN events e ON e.key = d.event_key
       WHERE d.state = 'dead' ORDER BY d.updated_at DESC LIMIT ?`,
      input.limit,
    ).map(
      (row): DeadLetter => ({
        id: String(row.id),
        kind: "delivery",
        event: row.event === null ? null : String(row.event),
        targetUrl: String(row.target_url),
        hookId: String(row.hook_id),
        attempts: Number(row.attempt),
        lastStatus: row.last_status === null ? null : Number(row.last_status),
        reason: row.last_error === null ? null : String(row.last_error),
        at: new Date(Number(row.updated_at)).toISOString(),
      }),
    );
    const messages = this.rows("SELECT * FROM dead_messages ORDER BY at DESC LIMIT ?", input.limit).map(
      (row): DeadLetter => ({
        id: String(row.id),
        kind: "message",
        event: null,
        targetUrl: null,
        hookId: null,
        attempts: 0,
        lastStatus: null,
        reason: String(row.reason),
        at: new Date(Number(row.at)).toISOString(),
      }),
    );
    return [...deliveries, ...messages].sort((a, b) => b.at.localeCompare(a.at)).slice(0, input.limit);
  }

  /**
   * Puts a dead letter back: a delivery starts its attempts again (same X-Delivery-Id, to the
   * subscription's current target), an abandoned message is handed back to be queued again.
   */
  async replayDeadLetter(
    id: string,
  ): Promise<{ kind: "delivery"; ref: DeliveryRef } | { kind: "message"; body: string } | { kind: "none" }> {
    const now = Date.now();
    const row = this.delivery(id);
    if (row?.state === "dead") {
      const hook = this.rows("SELECT target_url FROM hooks WHERE id = ?", row.hookId)[0];
      if (!hook) return { kind: "none" };
      const targetUrl = String(hook.target_url);
      this.writeDelivery({
        ...row,
        targetUrl,
        origin: originOf(targetUrl),
        state: "pending",
        attempt: 1,
        dueAt: now,
        leaseUntil: 0,
        replays: row.replays + 1,
        updatedAt: now,
      });
      return { kind: "delivery", ref: { deliveryId: row.id, attempt: 1 } };
    }
    const message = this.rows("SELECT body FROM dead_messages WHERE id = ?", id)[0];
    if (message) {
      this.sql.exec("DELETE FROM dead_messages WHERE id = ?", id);
      return { kind: "message", body: String(message.body) };
    }
    return { kind: "none" };
  }

  /**
   * Deliveries whose messages must be sent again (see isStranded), made due now, and held ones
   * whose target has a free slot that no ending attempt released (its consumer died, or it was
   * cancelled in flight). The alarm sweeps with the standard grace; `graceMs` is for operators
   * and tests.
   */
  async sweep(input: { graceMs?: number } = {}): Promise<DeliveryRef[]> {
    return this.stranded(Date.now(), input.graceMs ?? STRANDED_GRACE_MS);
  }

  private stranded(now: number, graceMs: number): DeliveryRef[] {
    const stranded = this.rows(
      `SELECT * FROM deliveries WHERE (state = 'pending' AND due_at < ?) OR (state = 'inflight' AND lease_until < ?)
       LIMIT 500`,
      now - graceMs,
      now,
    )
      .map(deliveryRow)
      .filter((row) => isStranded(row, now, graceMs))
      .map((row) => {
        this.writeDelivery({ ...row, state: "pending", leaseUntil: 0, dueAt: now, updatedAt: now });
        return { deliveryId: row.id, attempt: row.attempt };
      });
    const cap = targetConcurrency(this.env);
    const held = this.rows("SELECT DISTINCT origin FROM deliveries WHERE state = 'held'");
    return [...stranded, ...held.flatMap((row) => this.release(String(row.origin), cap, now))];
  }

  // --- ServiceTitan webhooks -----------------------------------------------------------------

  /** A ServiceTitan event arrives with this userassignedid; see claimWebhook. */
  async claimWebhook(uid: string): Promise<WebhookClaim> {
    const now = Date.now();
    const row = this.rows("SELECT * FROM webhooks WHERE uid = ?", uid)[0];
    const verdict = claimWebhook(
      row
        ? {
            state: String(row.state) as "pending" | "queued",
            leaseUntil: Number(row.lease_until),
            receivedAt: Number(row.received_at),
          }
        : undefined,
      now,
    );
    if (verdict === "fresh") {
      this.sql.exec(
        "INSERT OR REPLACE INTO webhooks (uid, state, lease_until, received_at) VALUES (?, 'pending', ?, ?)",
        uid,
        now + WEBHOOK_LEASE_MS,
        now,
      );
    }
    return verdict;
  }

  /** The event is in the queue: every later delivery of it is a duplicate. */
  async webhookQueued(uid: string): Promise<void> {
    this.sql.exec("UPDATE webhooks SET state = 'queued' WHERE uid = ?", uid);
  }

  /** Queuing failed: the next delivery of the event is fresh again. */
  async webhookReleased(uid: string): Promise<void> {
    this.sql.exec("DELETE FROM webhooks WHERE uid = ? AND state = 'pending'", uid);
  }

  // --- status and upkeep ---------------------------------------------------------------------

  async status(): Promise<WatcherStatus> {
    const baseline = this.meta("baseline_at");
    const deliveries: Record<string, number> = {};
    for (const row of this.rows("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")) {
      deliveries[String(row.state)] = Number(row.n);
    }
    return {
      baselineAt: baseline === undefined ? null : iso(Number(baseline)),
      alarmAt: iso(await this.ctx.storage.getAlarm()),
      hooks: Number(this.rows("SELECT COUNT(*) AS n FROM hooks")[0]?.n ?? 0),
      deliveries,
      feeds: this.rows("SELECT * FROM feeds ORDER BY name").map((row) => ({
        name: String(row.name),
        cursor: row.cursor !== null,
        polledAt: iso(row.polled_at === null ? null : Number(row.polled_at)),
        error: row.error === null ? null : String(row.error),
        retryAt: iso(Number(row.retry_at)),
      })),
    };
  }

  private prune(now: number): void {
    this.sql.exec("DELETE FROM versions WHERE seen_at < ?", now - VERSION_RETENTION_MS);
    this.sql.exec("DELETE FROM events WHERE created_at < ?", now - VERSION_RETENTION_MS);
    this.sql.exec(
      "DELETE FROM deliveries WHERE state IN ('delivered', 'gone', 'cancelled') AND updated_at < ?",
      now - DELIVERED_RETENTION_MS,
    );
    this.sql.exec("DELETE FROM deliveries WHERE state = 'dead' AND updated_at < ?", now - DEAD_RETENTION_MS);
    this.sql.exec("DELETE FROM webhooks WHERE received_at < ?", now - DELIVERED_RETENTION_MS);
    this.sql.exec("DELETE FROM dead_messages WHERE at < ?", now - DEAD_RETENTION_MS);
  }

  /**
   * One round of watching (feeds.ts, with this deployment's bindings), then the messages of
   * stranded deliveries sent again, what is past retention forgotten, and the next round armed.
   * A round that fails is logged and retried one interval later; it never stops the alarm. An
   * object whose tenant is not the bindings' (a misconfiguration) is never polled.
   */
  override async alarm(): Promise<void> {
    let intervalSeconds = 60;
    try {
      const settings = pollSettings(this.env);
      intervalSeconds = settings.intervalSeconds;
      const { key } = tenantOf(this.env);
      const mine = this.meta("tenant");
      if (mine !== undefined && mine !== key) {
        log("error", { event: "watcher-tenant-mismatch", tenant: mine });
        return;
      }
      await watchRound({ env: this.env, store: this, feeds: settings.feeds });
      const now = Date.now();
      await dispatch(this.env.DELIVERIES, key, this.stranded(now, STRANDED_GRACE_MS));
      this.prune(now);
    } catch (error) {
      log("error", { event: "watcher-round-failed", error: error instanceof Error ? error.name : "unknown" });
    }
    await this.ctx.storage.setAlarm(Date.now() + intervalSeconds * 1000);
  }
}

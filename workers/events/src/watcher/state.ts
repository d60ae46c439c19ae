// The watcher's decisions, as pure functions over plain rows, so each rule is tested in a table
// (state.test.ts) and the Durable Object (store.ts) only reads, calls and writes.
//
// Record versions:  unseen ──observe──▶ seen(version, exported) ──newer version──▶ seen(…)
//   A newer version fires `<kind>.created` (the record is new to the tenant) or `<kind>.updated`,
//   plus `invoice.exported` when an invoice turned Exported; a version already seen fires nothing.
//
// Deliveries (one per subscriber and event version; the id never changes, so neither does
// X-Delivery-Id):
//   pending ──claim──▶ inflight ──2xx──▶ delivered
//    ▲ ▲                  ├──410──▶ gone (subscription removed)
//    │ └──retryable───────┤  (5xx, 408, 429, timeout, network; attempt + 1 after a growing delay)
//    │                    └──refused / other 4xx / last attempt──▶ dead (listed, replayable)
//    └──released── held ◀──claim, the target at its cap── pending
// A held delivery waits in the Durable Object, not in the queue (its message is acked): it is
// released, and its one message sent, when an attempt to the same origin ends, or by the sweeper
// into a free slot; however long the target's backlog, it costs one message more.
import type { EventName } from "@st-edge/events";
import { EVENTS_OF, type Observation } from "../observations.ts";

/** What the tenant has seen of one record. */
export interface VersionRow {
  version: string;
  exported: boolean;
}

export interface Cutoffs {
  /** stampKey of when watching began: versions older than this were already there, not changes. */
  baseline: string;
  /** stampKey before which a record counts as existing, not created (baseline, or the retention horizon). */
  created: string;
}

export interface Changes {
  /** Events this observation fires, before the published-set check. */
  events: EventName[];
  /** True when the version is new to the tenant and must be stored. */
  record: boolean;
}

/**
 * The events one observation fires, given what was seen of the record before.
 *
 * @example changesOf(undefined, paymentCreatedToday, cutoffs).events // ["payment.created"]
 */
export function changesOf(
  previous: VersionRow | undefined,
  observation: Observation,
  cutoffs: Cutoffs,
): Changes {
  const isNew = previous === undefined || observation.version > previous.version;
  const events: EventName[] = [];
  const { created, updated } = EVENTS_OF[observation.kind];
  const claimed = observation.claimed;
  if (isNew && (observation.fresh === true || observation.version >= cutoffs.baseline)) {
    const derived = previous !== undefined || observation.created < cutoffs.created ? updated : created;
    // Our own write knows whether it created or changed the record: that wins over the guess.
    events.push(claimed === created || claimed === updated ? claimed : derived);
    // Exported fires on a seen transition, or for an invoice new since watching began. An older
    // invoice first seen already Exported may have been exported long ago (a payment touched
    // it): only ServiceTitan's webhook or our own write can say it was exported just now.
    const turned = previous ? !previous.exported : derived === created;
    if (observation.kind === "invoice" && observation.exported && turned) events.push("invoice.exported");
  }
  if (claimed && !events.includes(claimed)) events.push(claimed);
  return { events, record: isNew };
}

export type DeliveryState = "pending" | "held" | "inflight" | "delivered" | "gone" | "dead" | "cancelled";

export interface DeliveryRow {
  id: string;
  hookId: string;
  /** `<event>|<version id>`: the event row holding the body. */
  eventKey: string;
  targetUrl: string;
  /** scheme://host:port of the target: the unit of the concurrency cap. */
  origin: string;
  state: DeliveryState;
  /** The attempt to make next (1-based); a message names the attempt it is for. */
  attempt: number;
  dueAt: number;
  leaseUntil: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  replays: number;
}

export type Claim =
  | { kind: "skip"; reason: "unknown" | "finished" | "superseded" | "in-flight" | "held" }
  | { kind: "held"; row: DeliveryRow }
  | { kind: "go"; row: DeliveryRow };

export interface ClaimInput {
  attempt: number;
  now: number;
  /** Slots of this row's origin taken now: deliveries in flight, or released to go next. */
  inflight: number;
  cap: number;
  leaseMs: number;
}

const FINISHED: readonly DeliveryState[] = ["delivered", "gone", "dead", "cancelled"];

/**
 * Whether a delivery message may send now. Stale copies (an attempt already made, a delivery
 * finished, one already held back) are skipped, so a message delivered twice by the queue posts
 * once. Over the target's cap the delivery is held: it waits for a release, not in the queue.
 */
export function claim(row: DeliveryRow | undefined, input: ClaimInput): Claim {
  if (!row) return { kind: "skip", reason: "unknown" };
  if (FINISHED.includes(row.state)) return { kind: "skip", reason: "finished" };
  if (input.attempt !== row.attempt) return { kind: "skip", reason: "superseded" };
  if (row.state === "inflight" && row.leaseUntil > input.now) return { kind: "skip", reason: "in-flight" };
  if (row.state === "held") return { kind: "skip", reason: "held" };
  if (input.inflight >= input.cap) {
    return { kind: "held", row: { ...row, state: "held", leaseUntil: 0, updatedAt: input.now } };
  }
  return {
    kind: "go",
    row: { ...row, state: "inflight", leaseUntil: input.now + input.leaseMs, updatedAt: input.now },
  };
}

/** How one attempt ended (delivery.ts decides which from the target's answer). */
export type Outcome =
  | { kind: "delivered"; status: number }
  | { kind: "gone"; status: number }
  | { kind: "retryable"; status?: number; error: string; retryAfterSeconds?: number }
  | { kind: "rejected"; status?: number; error: string };

export interface FinishInput {
  attempt: number;
  now: number;
  /** Delay before each retry; attempts = delays + 1. */
  delaysSeconds: readonly number[];
  random: number;
}

export interface Finish {
  next: DeliveryRow;
  /** Set when another attempt is due: send its message with this delay. */
  retry?: { attempt: number; delaySeconds: number };
  /** The target said 410 Gone: remove its subscription. */
  unsubscribe: boolean;
}

/** Longest wait a target's Retry-After may ask for (an hour), and Cloudflare Queues' delay limit. */
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * The delay before retry number `attempt` (1-based): the configured step with ±10 % jitter, or
 * the target's Retry-After when that is longer (at most an hour).
 *
 * @example retryDelaySeconds([10, 30], 1, undefined, 0.5) // 10
 */
export function retryDelaySeconds(
  delays: readonly number[],
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: number,
): number {
  const step = delays[Math.min(attempt, delays.length) - 1] ?? 0;
  const jittered = Math.round(step * (0.9 + 0.2 * random));
  const asked = Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS);
  return Math.max(jittered, asked);
}

/** What the row becomes after the attempt `input.attempt` ended with `outcome`. */
export function finish(row: DeliveryRow, outcome: Outcome, input: FinishInput): Finish {
  const base = {
    ...row,
    leaseUntil: 0,
    updatedAt: input.now,
    lastStatus: "status" in outcome && outcome.status !== undefined ? outcome.status : null,
    lastError: outcome.kind === "retryable" || outcome.kind === "rejected" ? outcome.error : null,
  };
  if (outcome.kind === "delivered") return { next: { ...base, state: "delivered" }, unsubscribe: false };
  if (outcome.kind === "gone") return { next: { ...base, state: "gone" }, unsubscribe: true };
  const attempts = input.delaysSeconds.length + 1;
  if (outcome.kind === "rejected" || row.attempt >= attempts) {
    return { next: { ...base, state: "dead" }, unsubscribe: false };
  }
  const delaySeconds = retryDelaySeconds(
    input.delaysSeconds,
    row.attempt,
    outcome.retryAfterSeconds,
    input.random,
  );
  const attempt = row.attempt + 1;
  return {
    next: { ...base, state: "pending", attempt, dueAt: input.now + delaySeconds * 1000 },
    retry: { attempt, delaySeconds },
    unsubscribe: false,
  };
}

/**
 * Whether the sweeper must send a delivery's message again: pending long past due (its message
 * was lost, or never sent after a crash), or in flight past its lease (the consumer died).
 */
export function isStranded(row: DeliveryRow, now: number, graceMs: number): boolean {
  return (
    (row.state === "pending" && row.dueAt + graceMs < now) ||
    (row.state === "inflight" && row.leaseUntil < now)
  );
}

/** A received ServiceTitan event, by its userassignedid. */
export interface WebhookRow {
  state: "pending" | "queued";
  leaseUntil: number;
  receivedAt: number;
}

export type WebhookClaim = "fresh" | "duplicate" | "in-flight";

/**
 * A ServiceTitan delivery arrives: fresh (queue it), a duplicate of one already queued (answer
 * 200, do nothing), or one whose twin is being queued right now (ask ServiceTitan to retry).
 * A claim whose receiver died before queuing expires after the lease, so the retry is fresh.
 */
export function claimWebhook(row: WebhookRow | undefined, now: number): WebhookClaim {
  if (!row) return "fresh";
  if (row.state === "queued") return "duplicate";
  return row.leaseUntil > now ? "in-flight" : "fresh";
}

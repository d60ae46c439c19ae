// The knobs every exactly-once writer reads from its vars (optional, with safe defaults; tests
// shrink them so fault scenarios finish in milliseconds), and the time a write may hold a gate.
import { ConfigError } from "@st-edge/edge";
import type { Deadline } from "@st-edge/servicetitan";
import type { CreateOnceSettings } from "./create-once.ts";

/** Optional vars; unset means the default. */
export interface CreateOnceKnobs {
  /** Per-call ServiceTitan timeout in ms (default 30000); a create never sends longer. */
  ST_TIMEOUT_MS?: string;
  /** Read-after-write wait before a missing record counts as absent (default 2000 ms). */
  RECONCILE_WAIT_MS?: string;
  /** How far before the first create attempt reconciliation searches (clock skew; default 10 min). */
  RECONCILE_SKEW_MS?: string;
  /** How long a request waits for a concurrent one with the same key, or on the same invoice (default 8000 ms). */
  IDEMPOTENCY_WAIT_MS?: string;
}

/**
 * An integer knob: the fallback when unset, a ConfigError (a 500 misconfigured problem) when invalid.
 *
 * @example integerKnob(env.PAYMENT_TYPES_TTL_MS, "PAYMENT_TYPES_TTL_MS", 60_000, 0)
 */
export function integerKnob(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new ConfigError(`${name} must be an integer ≥ ${min}`);
  return parsed;
}

/** Reads and checks the knobs. */
export function readCreateOnceSettings(env: CreateOnceKnobs): CreateOnceSettings {
  return {
    timeoutMs: integerKnob(env.ST_TIMEOUT_MS, "ST_TIMEOUT_MS", 30_000, 100),
    reconcileWaitMs: integerKnob(env.RECONCILE_WAIT_MS, "RECONCILE_WAIT_MS", 2_000, 0),
    reconcileSkewMs: integerKnob(env.RECONCILE_SKEW_MS, "RECONCILE_SKEW_MS", 10 * 60_000, 0),
    waitMs: integerKnob(env.IDEMPOTENCY_WAIT_MS, "IDEMPOTENCY_WAIT_MS", 8_000, 0),
  };
}

/** Reservations end after this at the latest, shown by reads or not: far beyond any read lag. */
export const RESERVATION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a request may hold an invoice's gate (until its own deadline, plus a margin) and wait
 * for one another write holds (its wait setting, within its budget).
 *
 * @example holdInvoices(gates, ids, holdTimes(tenant.deadline, settings.waitMs))
 */
export function holdTimes(deadline: Deadline, waitMs: number): { leaseMs: number; waitMs: number } {
  return {
    leaseMs: deadline.remainingMs() + 5_000,
    waitMs: Math.max(0, Math.min(waitMs, deadline.remainingMs() - 2_000)),
  };
}

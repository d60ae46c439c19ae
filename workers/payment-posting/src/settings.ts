// This worker's bindings and tuning knobs. The knobs are optional vars with safe defaults; tests
// shrink them so fault scenarios finish in milliseconds.
import { ConfigError, type EdgeBindings } from "@st-edge/edge";
import type { IdempotencyStore } from "./idempotency/store.ts";

export interface PaymentBindings extends EdgeBindings {
  IDEMPOTENCY: DurableObjectNamespace<IdempotencyStore>;
  /** Read-after-write wait before a missing payment counts as absent (default 2000 ms). */
  RECONCILE_WAIT_MS?: string;
  /** How far before the first create attempt reconciliation searches (clock skew; default 10 min). */
  RECONCILE_SKEW_MS?: string;
  /** How long a request waits for a concurrent one with the same key before answering 409 (default 8000 ms). */
  IDEMPOTENCY_WAIT_MS?: string;
  /** How long ago payment types were read before they are read again (default 60000 ms). */
  PAYMENT_TYPES_TTL_MS?: string;
}

export interface PaymentSettings {
  reconcileWaitMs: number;
  reconcileSkewMs: number;
  waitMs: number;
  paymentTypesTtlMs: number;
  /** Per-call ServiceTitan timeout, as the client uses it. */
  timeoutMs: number;
  /**
   * How long a request owns its key without renewing. Covers one create call (timeout) plus the
   * read-after-write wait, so a takeover never races a create that may still be in flight.
   */
  leaseMs: number;
}

function number(env: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}`);
  return value;
}

/** Reads and checks the knobs; throws ConfigError (a 500 misconfigured problem) when one is invalid. */
export function readSettings(env: PaymentBindings): PaymentSettings {
  const vars = env as unknown as Record<string, unknown>;
  const timeoutMs = number(vars, "ST_TIMEOUT_MS", 30_000, 100);
  const reconcileWaitMs = number(vars, "RECONCILE_WAIT_MS", 2_000, 0);
  return {
    reconcileWaitMs,
    reconcileSkewMs: number(vars, "RECONCILE_SKEW_MS", 10 * 60_000, 0),
    waitMs: number(vars, "IDEMPOTENCY_WAIT_MS", 8_000, 0),
    paymentTypesTtlMs: number(vars, "PAYMENT_TYPES_TTL_MS", 60_000, 0),
    timeoutMs,
    leaseMs: Math.max(10_000, 2 * timeoutMs + reconcileWaitMs + 5_000),
  };
}

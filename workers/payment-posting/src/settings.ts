// This worker's bindings and tuning knobs. Bindings come from the generated Env
// (worker-configuration.d.ts, `pnpm gen`); the knobs are optional vars with safe defaults, which
// tests shrink so fault scenarios finish in milliseconds.
import { ConfigError } from "@st-edge/edge";
import type { CreateOnceSettings } from "@st-edge/exactly-once";

/** Optional vars; unset means the default. */
export interface PaymentKnobs {
  /** Per-call ServiceTitan timeout in ms (default 30000); a create never sends longer. */
  ST_TIMEOUT_MS?: string;
  /** Read-after-write wait before a missing payment counts as absent (default 2000 ms). */
  RECONCILE_WAIT_MS?: string;
  /** How far before the first create attempt reconciliation searches (clock skew; default 10 min). */
  RECONCILE_SKEW_MS?: string;
  /** How long a request waits for a concurrent one with the same key, or on the same invoice (default 8000 ms). */
  IDEMPOTENCY_WAIT_MS?: string;
  /** How long ago payment types were read before they are read again (default 60000 ms). */
  PAYMENT_TYPES_TTL_MS?: string;
  REQUEST_BUDGET_MS?: string;
  /** "on": Server-Timing for callers that ask (benchmarks; packages/edge/src/server-timing.ts). */
  SERVER_TIMING?: string;
}

export type PaymentBindings = Env & PaymentKnobs;

export interface PaymentSettings extends CreateOnceSettings {
  paymentTypesTtlMs: number;
}

function number(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new ConfigError(`${name} must be an integer ≥ ${min}`);
  return parsed;
}

/** Reads and checks the knobs; throws ConfigError (a 500 misconfigured problem) when one is invalid. */
export function readSettings(env: PaymentKnobs): PaymentSettings {
  return {
    timeoutMs: number(env.ST_TIMEOUT_MS, "ST_TIMEOUT_MS", 30_000, 100),
    reconcileWaitMs: number(env.RECONCILE_WAIT_MS, "RECONCILE_WAIT_MS", 2_000, 0),
    reconcileSkewMs: number(env.RECONCILE_SKEW_MS, "RECONCILE_SKEW_MS", 10 * 60_000, 0),
    waitMs: number(env.IDEMPOTENCY_WAIT_MS, "IDEMPOTENCY_WAIT_MS", 8_000, 0),
    paymentTypesTtlMs: number(env.PAYMENT_TYPES_TTL_MS, "PAYMENT_TYPES_TTL_MS", 60_000, 0),
  };
}

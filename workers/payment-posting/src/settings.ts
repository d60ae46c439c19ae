// This worker's bindings and tuning knobs. Bindings come from the generated Env
// (worker-configuration.d.ts, `pnpm gen`); the knobs are optional vars with safe defaults, which
// tests shrink so fault scenarios finish in milliseconds (the exactly-once ones are shared:
// @st-edge/exactly-once settings.ts).
import {
  type CreateOnceKnobs,
  type CreateOnceSettings,
  integerKnob,
  readCreateOnceSettings,
} from "@st-edge/exactly-once";

/** Optional vars; unset means the default. */
export interface PaymentKnobs extends CreateOnceKnobs {
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

/** Reads and checks the knobs; throws ConfigError (a 500 misconfigured problem) when one is invalid. */
export function readSettings(env: PaymentKnobs): PaymentSettings {
  return {
    ...readCreateOnceSettings(env),
    paymentTypesTtlMs: integerKnob(env.PAYMENT_TYPES_TTL_MS, "PAYMENT_TYPES_TTL_MS", 60_000, 0),
  };
}

// What posting and updating a payment share for one request: the tenant's client (bound to the
// request's deadline), the settings, the Durable Objects, and one log line per transition.
import {
  countCalls,
  countedNamespace,
  type LogFields,
  log,
  NO_TIMING,
  type RequestTiming,
  serviceTitanFor,
  type TenantClient,
  type WorkerEnv,
} from "@st-edge/edge";
import { type GateOptions, holdTimes } from "@st-edge/exactly-once";
import type { Context } from "hono";
import { type PaymentBindings, type PaymentSettings, readSettings } from "../settings.ts";

export type Ctx = Context<WorkerEnv<PaymentBindings>>;

export interface Posting {
  /** The bindings, with the idempotency store, the gates and the events queue counted when timed. */
  env: PaymentBindings;
  tenant: TenantClient;
  /** This request's Server-Timing spans and counters (a no-op unless asked for). */
  timing: RequestTiming;
  settings: PaymentSettings;
  gates: GateOptions;
  requestId: string;
  /** The cache key of the tenant's payment types. */
  typesKey: string;
  /** Work that finishes after the answer (announcing events); outlives a caller who hangs up. */
  later(work: Promise<unknown>): void;
}

export async function postingFor(c: Ctx): Promise<Posting> {
  const settings = readSettings(c.env);
  const tenant = await serviceTitanFor(c);
  const scope = `${tenant.environment}:${tenant.tenantId}`;
  const timing = c.var.timing ?? NO_TIMING;
  const env = timed(c.env, timing);
  return {
    env,
    tenant,
    timing,
    settings,
    gates: { namespace: env.INVOICE_GATES, scope },
    requestId: c.var.requestId,
    typesKey: scope,
    later: (work) => {
      try {
        c.executionCtx.waitUntil(work);
      } catch {
        // No execution context (app.request in unit tests): the work simply runs on.
      }
    },
  };
}

/** The bindings whose calls cost money, counted (Server-Timing); the same bindings when not timed. */
function timed(env: PaymentBindings, timing: RequestTiming): PaymentBindings {
  if (timing === NO_TIMING) return env;
  return {
    ...env,
    IDEMPOTENCY: countedNamespace(env.IDEMPOTENCY, timing, "key"),
    INVOICE_GATES: countedNamespace(env.INVOICE_GATES, timing, "gate"),
    ...(env.EVENTS ? { EVENTS: countCalls(env.EVENTS, () => timing.count("queue")) } : {}),
  };
}

/** Logs one transition of a payment write, by the key's hash (never the key itself). */
export function transitionLog(requestId: string, fields: Omit<LogFields, "event">) {
  return (
    transition: string,
    more: Omit<LogFields, "event"> = {},
    level: "info" | "warn" | "error" = "info",
  ) => log(level, { event: "payment-idempotency", transition, requestId, ...fields, ...more });
}

/** How long a request may hold an invoice's gate and wait for another write's. */
export const gateTimes = (posting: Posting) => holdTimes(posting.tenant.deadline, posting.settings.waitMs);

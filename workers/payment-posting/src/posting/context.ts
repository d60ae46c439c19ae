// What posting and updating a payment share for one request: the tenant's client (bound to the
// request's deadline), the settings, the Durable Objects, and one log line per transition.
import { type LogFields, log, serviceTitanFor, type TenantClient, type WorkerEnv } from "@st-edge/edge";
import { type GateOptions, holdTimes } from "@st-edge/exactly-once";
import type { Context } from "hono";
import { type PaymentBindings, type PaymentSettings, readSettings } from "../settings.ts";

export type Ctx = Context<WorkerEnv<PaymentBindings>>;

export interface Posting {
  env: PaymentBindings;
  tenant: TenantClient;
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
  return {
    env: c.env,
    tenant,
    settings,
    gates: { namespace: c.env.INVOICE_GATES, scope },
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

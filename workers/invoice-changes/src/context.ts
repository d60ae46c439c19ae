// What every invoice write shares for one request (this worker's and invoice-adjustments'): the
// tenant's client (bound to the request's deadline), the settings, the shared invoice gates, and
// one log line per transition.
import {
  type EdgeBindings,
  type LogFields,
  log,
  serviceTitanFor,
  type TenantClient,
  type WorkerEnv,
} from "@st-edge/edge";
import {
  type CreateOnceKnobs,
  type CreateOnceSettings,
  type GateOptions,
  holdTimes,
  type InvoiceGate,
  readCreateOnceSettings,
} from "@st-edge/exactly-once";
import type { Context } from "hono";

/** What an invoice writer binds: the deployment's settings, the knobs and the shared gates. */
export interface InvoiceWriterBindings extends EdgeBindings, CreateOnceKnobs {
  INVOICE_GATES: DurableObjectNamespace<InvoiceGate>;
}

export type Ctx<B extends InvoiceWriterBindings = InvoiceWriterBindings> = Context<WorkerEnv<B>>;

export interface Change {
  tenant: TenantClient;
  settings: CreateOnceSettings;
  gates: GateOptions;
  /** Environment and tenant, e.g. "production:1000001": what Durable Object names start with. */
  scope: string;
  requestId: string;
}

/** @example const change = await changeFor(c); */
export async function changeFor<B extends InvoiceWriterBindings>(c: Ctx<B>): Promise<Change> {
  const settings = readCreateOnceSettings(c.env);
  const tenant = await serviceTitanFor(c);
  const scope = `${tenant.environment}:${tenant.tenantId}`;
  return {
    tenant,
    settings,
    gates: { namespace: c.env.INVOICE_GATES, scope },
    scope,
    requestId: c.var.requestId,
  };
}

/** How long a request may hold an invoice's gate and wait for another write's. */
export const gateTimes = (change: Change) => holdTimes(change.tenant.deadline, change.settings.waitMs);

/** Logs one transition of a write (never a key or a secret: keys appear only as their hash). */
export function transitionLog(event: string, requestId: string, fields: Omit<LogFields, "event">) {
  return (
    transition: string,
    more: Omit<LogFields, "event"> = {},
    level: "info" | "warn" | "error" = "info",
  ) => log(level, { event, transition, requestId, ...fields, ...more });
}

// Shared by the integration tests: one simulator for all test files (they run in one isolate),
// the worker's env wired to it, an env whose accounting calls carry an `X-Sim-Fault`, and the
// invoices and call counts the tests compare against.
import { env } from "cloudflare:test";
import type { EdgeBindings } from "@st-edge/edge";
import { DEMO_TENANT, faultBinding, readServiceTitanJson, simulatorEnv } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";

// Generous token throttle: fault tests build fresh clients, each asking for its own token.
export const sim = createSimulator({ tokenRateLimit: { requests: 1000, perSeconds: 60 } });

let shared: Promise<EdgeBindings> | undefined;

/** The demo deployment (tenant 1000001), one binding per file so the client and its token are reused. */
export const testEnv = (): Promise<EdgeBindings> => {
  shared ??= simulatorEnv(env as EdgeBindings, sim);
  return shared;
};

/** The demo deployment with `fault` on every accounting call (tokens are left alone). */
export const faultEnv = (fault: string, overrides: Partial<EdgeBindings> = {}): Promise<EdgeBindings> =>
  simulatorEnv(env as EdgeBindings, sim, { SERVICETITAN: faultBinding(sim, fault), ...overrides });

/** Every invoice of a tenant as ServiceTitan has it now, active or not. */
export async function allInvoices(tenant = DEMO_TENANT): Promise<Invoice[]> {
  const page = await readServiceTitanJson<{ data: Invoice[] }>(
    sim,
    "/invoices?pageSize=5000&activeState=All",
    {
      tenant,
    },
  );
  return page.data;
}

/** Upstream calls made so far, by ServiceTitan operation id. */
export const upstreamCalls = (operationId: string): number => sim.stats().calls[operationId] ?? 0;

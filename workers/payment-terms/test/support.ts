// Test helpers for this worker: bindings wired to a simulator, optionally with a fault header on
// every accounting call.
import { env } from "cloudflare:test";
import { simulatorEnv } from "@st-edge/edge/testing";
import { DEMO_TENANTS, FAULT_HEADER, type Simulator } from "@st-edge/simulator";

export const DEMO = DEMO_TENANTS[0] ?? {
  tenantId: 1000001,
  clientId: "demo-client",
  clientSecret: "demo-secret",
};
export const OTHER = DEMO_TENANTS[1] ?? {
  tenantId: 2000002,
  clientId: "other-client",
  clientSecret: "other-secret",
};

/** Bindings for the demo tenant; every call gets a fresh ServiceTitan client. */
export const demoEnv = (sim: Simulator, overrides: Record<string, unknown> = {}) =>
  simulatorEnv(env, sim, overrides);

/** Bindings for the other tenant, to find ids that are not the demo tenant's. */
export const otherEnv = (sim: Simulator) =>
  simulatorEnv(env, sim, {
    ST_TENANT_ID: String(OTHER.tenantId),
    ST_CLIENT_ID: OTHER.clientId,
    ST_CLIENT_SECRET: OTHER.clientSecret,
  });

/** Bindings whose accounting calls (not token requests) carry `X-Sim-Fault: <fault>`. */
export const faultEnv = (sim: Simulator, fault: string, overrides: Record<string, unknown> = {}) =>
  simulatorEnv(env, sim, {
    SERVICETITAN: {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (!new URL(request.url).pathname.endsWith("/connect/token"))
          request.headers.set(FAULT_HEADER, fault);
        return sim.fetch(request);
      },
      connect() {
        throw new Error("no sockets");
      },
    },
    ...overrides,
  });

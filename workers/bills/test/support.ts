// Test helpers for this worker: bindings wired to a simulator, optionally with a fault header on
// every accounting call, and a direct reader of the simulator for expected values.
import { env } from "cloudflare:test";
import { simulatorEnv } from "@st-edge/edge/testing";
import { DEMO_APP_KEY, DEMO_TENANTS, FAULT_HEADER, type Simulator } from "@st-edge/simulator";

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

/** GET straight from the simulator as the demo tenant: the expected side of a comparison. */
export async function readSimulator<T>(sim: Simulator, path: string): Promise<T> {
  const tokenResponse = await sim.fetch(
    new Request("https://servicetitan.simulator/connect/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: DEMO.clientId,
        client_secret: DEMO.clientSecret,
      }),
    }),
  );
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const response = await sim.fetch(
    new Request(`https://servicetitan.simulator/accounting/v2/tenant/${DEMO.tenantId}${path}`, {
      headers: { Authorization: access_token, "ST-App-Key": DEMO_APP_KEY },
    }),
  );
  if (!response.ok) throw new Error(`simulator answered ${response.status} for ${path}`);
  return (await response.json()) as T;
}

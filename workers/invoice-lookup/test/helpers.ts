// Shared by the integration tests: one simulator per test file, the worker's env wired to it, an
// env whose accounting calls carry an `X-Sim-Fault`, and a direct ServiceTitan reader that
// gives the tests their expected answers.
import { env } from "cloudflare:test";
import type { EdgeBindings } from "@st-edge/edge";
import { simulatorEnv } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { createSimulator, DEMO_APP_KEY, DEMO_TENANTS } from "@st-edge/simulator";

// Generous token throttle: fault tests build fresh clients, each asking for its own token.
export const sim = createSimulator({ tokenRateLimit: { requests: 1000, perSeconds: 60 } });

export const DEMO = DEMO_TENANTS[0] ?? { tenantId: 0, clientId: "", clientSecret: "" };
export const OTHER = DEMO_TENANTS[1] ?? { tenantId: 0, clientId: "", clientSecret: "" };

let shared: Promise<EdgeBindings> | undefined;

/** The demo deployment (tenant 1000001), one binding per file so the client and its token are reused. */
export const testEnv = (): Promise<EdgeBindings> => {
  shared ??= simulatorEnv(env as EdgeBindings, sim);
  return shared;
};

/** The demo deployment with `fault` on every accounting call (tokens are left alone). */
export const faultEnv = (fault: string, overrides: Partial<EdgeBindings> = {}): Promise<EdgeBindings> =>
  simulatorEnv(env as EdgeBindings, sim, {
    SERVICETITAN: {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (new URL(request.url).pathname.startsWith("/accounting/"))
          request.headers.set("X-Sim-Fault", fault);
        return sim.fetch(request);
      },
      connect() {
        throw new Error("no sockets");
      },
    },
    ...overrides,
  });

const tokens = new Map<number, string>();

/** Calls the simulator as a ServiceTitan client of `tenant` would: the source of expected answers. */
export async function serviceTitan(
  path: string,
  init: RequestInit = {},
  tenant: { tenantId: number; clientId: string; clientSecret: string } = DEMO,
): Promise<Response> {
  let token = tokens.get(tenant.tenantId);
  if (!token) {
    const response = await sim.fetch(
      new Request("https://servicetitan.simulator/connect/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: tenant.clientId,
          client_secret: tenant.clientSecret,
        }),
      }),
    );
    token = (await response.json<{ access_token: string }>()).access_token;
    tokens.set(tenant.tenantId, token);
  }
  const request = new Request(
    `https://servicetitan.simulator/accounting/v2/tenant/${tenant.tenantId}${path}`,
    init,
  );
  request.headers.set("Authorization", token);
  request.headers.set("ST-App-Key", DEMO_APP_KEY);
  return sim.fetch(request);
}

/** Every invoice of a tenant as ServiceTitan has it now, active or not. */
export async function allInvoices(tenant = DEMO): Promise<Invoice[]> {
  const response = await serviceTitan("/invoices?pageSize=5000&activeState=All", {}, tenant);
  return (await response.json<{ data: Invoice[] }>()).data;
}

/** Upstream calls made so far, by ServiceTitan operation id. */
export const upstreamCalls = (operationId: string): number => sim.stats().calls[operationId] ?? 0;

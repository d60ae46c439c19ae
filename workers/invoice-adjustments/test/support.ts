// Test helpers for this worker: an env wired to a simulator (real local Durable Object and KV
// bindings; INVOICE_GATES hosted by the test worker), a caller that posts with an Idempotency-Key,
// and what ServiceTitan holds of an invoice's adjustments. Test-only.
import { env } from "cloudflare:test";
import { callWorker, readServiceTitanJson, simulatorEnv } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { DEMO_APP_KEY, DEMO_TENANTS, type Simulator } from "@st-edge/simulator";
import worker from "../src/index.ts";
import type { AdjustmentBindings } from "../src/settings.ts";

export const TENANT = DEMO_TENANTS[0]?.tenantId ?? 1000001;

export type TestEnv = AdjustmentBindings;

/** Bindings against `sim`, with short timeouts and waits so faults resolve fast. */
export async function testEnv(sim: Simulator, overrides: Partial<TestEnv> = {}): Promise<TestEnv> {
  const base = await simulatorEnv(env as unknown as TestEnv, sim, { ST_TIMEOUT_MS: "300" });
  return { ...base, RECONCILE_WAIT_MS: "40", ...overrides };
}

/** Like testEnv, but `fault(request)` may name an X-Sim-Fault for any upstream request. */
export function faultyEnv(
  sim: Simulator,
  fault: (request: Request) => string | undefined,
  overrides: Partial<TestEnv> = {},
): Promise<TestEnv> {
  const binding = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const name = fault(request);
      if (name) request.headers.set("X-Sim-Fault", name);
      return sim.fetch(request);
    },
    connect: () => {
      throw new Error("no sockets");
    },
  } as unknown as Fetcher;
  return testEnv(sim, { SERVICETITAN: binding, ...overrides });
}

export const isCreate = (request: Request) =>
  request.method === "POST" && new URL(request.url).pathname.endsWith("/invoices");

/** Creates an adjustment of `invoiceId` under `key` (no header when the key is null). */
export function adjust(e: TestEnv, invoiceId: number, key: string | null, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (key !== null) headers["Idempotency-Key"] = key;
  return callWorker(worker, e, `/invoices/${invoiceId}/adjustments`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
}

let serial = 0;
/** A key no other test uses (Durable Object storage is shared within a test file). */
export const freshKey = (label: string) => `${label}-${++serial}-${crypto.randomUUID()}`;

/** Every invoice of the demo tenant as ServiceTitan has it now, active or not. */
export async function invoices(sim: Simulator): Promise<Invoice[]> {
  return (await readServiceTitanJson<{ data: Invoice[] }>(sim, "/invoices?pageSize=5000&activeState=All"))
    .data;
}

/** The same, read with a token of its own (after a test revoked the tokens the reader holds). */
export async function invoicesWithNewToken(sim: Simulator): Promise<Invoice[]> {
  const tenant = DEMO_TENANTS[0];
  if (!tenant) throw new Error("no demo tenant");
  const issued = await sim.fetch(
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
  const { access_token } = (await issued.json()) as { access_token: string };
  const response = await sim.fetch(
    new Request(
      `https://servicetitan.simulator/accounting/v2/tenant/${tenant.tenantId}/invoices?pageSize=5000&activeState=All`,
      {
        headers: { Authorization: access_token, "ST-App-Key": DEMO_APP_KEY },
      },
    ),
  );
  return ((await response.json()) as { data: Invoice[] }).data;
}

/** The adjustments ServiceTitan holds of `invoiceId`. */
export async function adjustmentsOf(sim: Simulator, invoiceId: number): Promise<Invoice[]> {
  return (
    await readServiceTitanJson<{ data: Invoice[] }>(
      sim,
      `/invoices?adjustmentToId=${invoiceId}&activeState=All&pageSize=500`,
    )
  ).data;
}

/** Hands out a different active original invoice (not an adjustment) to each caller. */
export function originalPicker(sim: Simulator, taken = new Set<number>()) {
  return async (): Promise<Invoice> => {
    const found = (await invoices(sim)).find(
      (candidate) => !taken.has(candidate.id) && candidate.active && candidate.adjustmentToId == null,
    );
    if (!found) throw new Error("no original invoice left");
    taken.add(found.id);
    return found;
  };
}

/** A write-off of `amount` (a negative line), the shape most adjustments take. */
export const writeOff = (amount: string, memo = "write-off") => ({
  summary: "Balance written off",
  royaltyMemo: memo,
  items: [{ skuName: "PM-PROMO", description: "Write-off", quantity: "1", unitPrice: `-${amount}` }],
});

export interface CreatedBody extends Invoice {
  idempotencyKey: string;
  marker: string | null;
}

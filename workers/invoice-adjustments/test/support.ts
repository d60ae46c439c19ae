// Test helpers for this worker: an env wired to a simulator (real local Durable Object and KV
// bindings; INVOICE_GATES hosted by the test worker), a caller that posts with an Idempotency-Key,
// and what ServiceTitan holds of an invoice's adjustments. Test-only.
import { env } from "cloudflare:test";
import { callWorker, readServiceTitanJson, writerEnv } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { DEMO_TENANTS, type Simulator } from "@st-edge/simulator";
import worker from "../src/index.ts";
import type { AdjustmentBindings } from "../src/settings.ts";

export const TENANT = DEMO_TENANTS[0]?.tenantId ?? 1000001;

export type TestEnv = AdjustmentBindings;

/** Bindings against `sim`, with short timeouts and waits so faults resolve fast. */
export function testEnv(sim: Simulator, overrides: Partial<TestEnv> = {}): Promise<TestEnv> {
  return writerEnv(env as unknown as TestEnv, sim, overrides);
}

/** Like testEnv, but `fault(request)` may name an X-Sim-Fault for any upstream request. */
export function faultyEnv(
  sim: Simulator,
  fault: (request: Request) => string | undefined,
  overrides: Partial<TestEnv> = {},
): Promise<TestEnv> {
  return writerEnv(env as unknown as TestEnv, sim, overrides, fault);
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

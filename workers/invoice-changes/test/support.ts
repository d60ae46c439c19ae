// Test helpers for this worker: an env wired to a simulator (real local Durable Object and KV
// bindings; INVOICE_GATES hosted by the test worker, as payment-posting hosts it when deployed),
// callers for this worker and for payment-posting's app on the same env, and invoice picking from
// the simulator's own reads. Test-only.
import { env } from "cloudflare:test";
import { callWorker, readServiceTitanJson, writerEnv } from "@st-edge/edge/testing";
import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { DEMO_TENANTS, type InvoiceLocks, type Simulator } from "@st-edge/simulator";
import paymentPosting from "@st-edge/worker-payment-posting/app";
import worker from "../src/index.ts";
import type { InvoiceChangeBindings } from "../src/settings.ts";

export const TENANT = DEMO_TENANTS[0]?.tenantId ?? 1000001;

export type TestEnv = InvoiceChangeBindings & { IDEMPOTENCY: DurableObjectNamespace };

/** Bindings for both workers against `sim`, with short timeouts and waits so faults resolve fast. */
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

const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** Calls this worker. */
export function call(e: TestEnv, path: string, init: RequestInit = {}): Promise<Response> {
  return callWorker(worker, e, path, init);
}

export const send = (e: TestEnv, method: string, path: string, body: unknown) =>
  call(e, path, json(method, body));

/** Posts a payment through payment-posting's app, on the same env (the same INVOICE_GATES). */
export function postPayment(e: TestEnv, key: string, body: unknown): Promise<Response> {
  return callWorker(paymentPosting, e as never, "/payments", json("POST", body, { "Idempotency-Key": key }));
}

let serial = 0;
/** A key no other test uses (Durable Object storage is shared within a test file). */
export const freshKey = (label: string) => `${label}-${++serial}-${crypto.randomUUID()}`;

/** Every invoice of the demo tenant as ServiceTitan has it now, active or not. */
export async function invoices(sim: Simulator): Promise<Invoice[]> {
  return (await readServiceTitanJson<{ data: Invoice[] }>(sim, "/invoices?pageSize=5000&activeState=All"))
    .data;
}

/** One invoice as ServiceTitan has it now. */
export async function invoice(sim: Simulator, id: number): Promise<Invoice> {
  const [found] = (
    await readServiceTitanJson<{ data: Invoice[] }>(sim, `/invoices?ids=${id}&activeState=All`)
  ).data;
  if (!found) throw new Error(`no invoice ${id}`);
  return found;
}

/**
 * Hands out a different invoice to each caller matching `wanted` (active, not an adjustment, with
 * taxable items), so tests do not share invoices.
 */
export function invoicePicker(sim: Simulator, taken = new Set<number>()) {
  return async (wanted: (invoice: Invoice) => boolean): Promise<Invoice> => {
    const found = (await invoices(sim)).find(
      (candidate) =>
        !taken.has(candidate.id) &&
        candidate.active &&
        candidate.adjustmentToId == null &&
        (candidate.items ?? []).length >= 2 &&
        wanted(candidate),
    );
    if (!found) throw new Error("no invoice left that fits");
    taken.add(found.id);
    return found;
  };
}

export const money = (text: string | null | undefined) => Decimal.fromServiceTitan(text) ?? Decimal.ZERO;
/** Nothing paid yet: the balance is the whole total. */
export const unpaid = (candidate: Invoice) =>
  money(candidate.total).isPositive() && money(candidate.balance).equals(money(candidate.total));

/** The simulator's default invoice locks (items of posted and exported invoices). */
export const DEFAULT_LOCKS: InvoiceLocks = { items: ["Posted", "Exported"], fields: [] };
/** No invoice locked: most seeded invoices are posted or exported, and item tests need some to change. */
export const NO_LOCKS: InvoiceLocks = { items: [], fields: [] };

/** A changed invoice as this worker answers it. */
export type ChangedView = Invoice & { itemId: number | null };

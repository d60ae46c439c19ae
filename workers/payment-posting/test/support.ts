// Test helpers for this worker: an env wired to a simulator (real local Durable Object and KV
// bindings from wrangler.jsonc), a caller that posts with an Idempotency-Key, invoice picking and
// ledger arithmetic. Test-only.
import { env } from "cloudflare:test";
import { callWorker, writerEnv } from "@st-edge/edge/testing";
import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { DEMO_APP_KEY, DEMO_TENANTS, type LedgerInvoice, type Simulator } from "@st-edge/simulator";
import worker from "../src/index.ts";
import type { PaymentBindings } from "../src/settings.ts";

export const TENANT = DEMO_TENANTS[0]?.tenantId ?? 1000001;
export const OTHER_TENANT = DEMO_TENANTS[1]?.tenantId ?? 2000002;

export type TestEnv = typeof env & PaymentBindings;

/** Bindings for the worker against `sim`, with short timeouts and waits so faults resolve fast. */
export function testEnv(sim: Simulator, overrides: Partial<PaymentBindings> = {}): Promise<TestEnv> {
  return writerEnv(env, sim, overrides);
}

/** Like testEnv, but `fault(request)` may name an X-Sim-Fault for any upstream request. */
export function faultyEnv(
  sim: Simulator,
  fault: (request: Request) => string | undefined,
  overrides: Partial<PaymentBindings> = {},
): Promise<TestEnv> {
  return writerEnv(env, sim, overrides, fault);
}

export const isCreate = (request: Request) =>
  request.method === "POST" && new URL(request.url).pathname.endsWith("/payments");

export function post(e: TestEnv, key: string | null, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (key !== null) headers["Idempotency-Key"] = key;
  return callWorker(worker, e, "/payments", { method: "POST", headers, body: JSON.stringify(body) });
}

export function call(e: TestEnv, path: string, init: RequestInit = {}): Promise<Response> {
  return callWorker(worker, e, path, init);
}

let serial = 0;
/** A key no other test uses (Durable Object storage is shared within a test file). */
export const freshKey = (label: string) =>
  `${label}-${Date.now().toString(36)}-${++serial}-${crypto.randomUUID()}`;

/** Active invoices of `tenant` with at least `minBalance` left, skipping `taken` ones. */
export function openInvoices(sim: Simulator, minBalance = "50.00", tenant = TENANT): LedgerInvoice[] {
  const min = Decimal.parse(minBalance);
  return sim
    .ledger(tenant)
    .invoices.filter((invoice) => invoice.active && Decimal.parse(invoice.balance).compare(min) >= 0);
}

/** Hands out a different open invoice to each caller, so tests do not share balances. */
export function invoicePicker(sim: Simulator, minBalance = "50.00", taken = new Set<number>()) {
  const queue = openInvoices(sim, minBalance);
  return () => {
    let next = queue.shift();
    while (next && taken.has(next.id)) next = queue.shift();
    if (!next) throw new Error("ran out of open invoices");
    taken.add(next.id);
    return next;
  };
}

/** API-created payments in the ledger that apply to `invoiceId`. */
export function apiPaymentsOn(sim: Simulator, invoiceId: number, tenant = TENANT) {
  return sim
    .ledger(tenant)
    .payments.filter(
      (payment) => payment.origin === "api" && payment.splits.some((s) => s.invoiceId === invoiceId),
    );
}

export function invoiceOf(sim: Simulator, invoiceId: number, tenant = TENANT): LedgerInvoice {
  const invoice = sim.ledger(tenant).invoices.find((candidate) => candidate.id === invoiceId);
  if (!invoice) throw new Error(`no invoice ${invoiceId}`);
  return invoice;
}

/** Seeded balance minus current balance: what API payments took off the invoice. */
export function takenOff(sim: Simulator, invoiceId: number): string {
  const invoice = invoiceOf(sim, invoiceId);
  return Decimal.parse(invoice.seededBalance).minus(Decimal.parse(invoice.balance)).toFixed(2);
}

export interface CreatedBody {
  id: number;
  amount: string;
  memo: string | null;
  marker: string | null;
  typeId: number | null;
  status: string | null;
  idempotencyKey: string;
  splits: { invoiceId: number; amount: string }[];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads the simulator directly, as ServiceTitan would answer (for facts the ledger does not carry). */
export async function simGet<T>(sim: Simulator, path: string, tenant = TENANT): Promise<T> {
  const tenantInfo = DEMO_TENANTS.find((candidate) => candidate.tenantId === tenant);
  if (!tenantInfo) throw new Error(`no tenant ${tenant}`);
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: tenantInfo.clientId,
    client_secret: tenantInfo.clientSecret,
  });
  const token = await sim.fetch(
    new Request("https://servicetitan.simulator/connect/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    }),
  );
  const { access_token } = (await token.json()) as { access_token: string };
  const response = await sim.fetch(
    new Request(`https://servicetitan.simulator/accounting/v2/tenant/${tenant}${path}`, {
      headers: { Authorization: access_token, "ST-App-Key": DEMO_APP_KEY },
    }),
  );
  if (!response.ok) throw new Error(`simulator answered ${response.status} to ${path}`);
  return (await response.json()) as T;
}

/** Two open invoices of one customer (a payment belongs to one customer), read 50 at a time. */
export async function sameCustomerInvoices(
  sim: Simulator,
  taken: Set<number>,
): Promise<[LedgerInvoice, LedgerInvoice]> {
  const open = openInvoices(sim).filter((invoice) => !taken.has(invoice.id));
  const byCustomer = new Map<number, LedgerInvoice[]>();
  for (let start = 0; start < open.length; start += 50) {
    const chunk = open.slice(start, start + 50);
    const page = await simGet<{ data: Invoice[] }>(
      sim,
      `/invoices?ids=${chunk.map((i) => i.id).join(",")}&pageSize=50`,
    );
    for (const invoice of page.data) {
      const customer = invoice.customer?.id;
      const ledger = chunk.find((candidate) => candidate.id === invoice.id);
      if (customer === undefined || !ledger) continue;
      const mine = [...(byCustomer.get(customer) ?? []), ledger];
      byCustomer.set(customer, mine);
      const [a, b] = mine;
      if (a && b) {
        taken.add(a.id);
        taken.add(b.id);
        return [a, b];
      }
    }
  }
  throw new Error("no customer with two open invoices");
}

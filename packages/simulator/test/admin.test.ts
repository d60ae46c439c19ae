import type { PaymentType } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import type { SimulatorLedger, SimulatorStats } from "../src/index.ts";
import { allPages, ORIGIN, type Problem, session, TENANT, testSimulator, tokenRequest } from "./helpers.ts";

const admin = (method: string, path: string, body?: unknown) =>
  new Request(`${ORIGIN}/__sim${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("/__sim admin endpoints", () => {
  it("stats counts calls per operationId and token requests; reset clears them and restores data", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    await s.get("/invoices?pageSize=1");
    await s.get("/invoices?pageSize=1");
    await s.get("/tax-zones");
    await s.get("/invoices?pageSize=1", { headers: { "X-Sim-Fault": "status=503" } });
    const stats = await (await sim.fetch(admin("GET", "/stats"))).json<SimulatorStats>();
    expect(stats).toEqual({
      tokenRequests: { total: 1, byClient: { "demo-client": 1 } },
      calls: { Invoices_GetList: 3, TaxZones_GetList: 1 },
      faults: { "status:503": 1 },
    });
    expect(stats).toEqual(sim.stats());
    const [type] = await allPages<PaymentType>(s, "/payment-types");
    const [invoice] = sim.ledger(TENANT).invoices.filter((entry) => entry.active && entry.balance !== "0.00");
    await s.post("/payments", { typeId: type?.id, splits: [{ invoiceId: invoice?.id, amount: 2 }] });
    expect((await sim.fetch(admin("POST", "/reset"))).status).toBe(200);
    expect(sim.stats()).toEqual({ tokenRequests: { total: 0, byClient: {} }, calls: {}, faults: {} });
    const ledger = await (await sim.fetch(admin("GET", `/tenants/${TENANT}/ledger`))).json<SimulatorLedger>();
    expect(ledger.payments.filter((payment) => payment.origin === "api")).toEqual([]);
    expect(ledger.invoices.every((entry) => entry.balance === entry.seededBalance)).toBe(true);
    // Tokens survive a reset; revoke them explicitly.
    expect((await s.get("/invoices?pageSize=1")).status).toBe(200);
  });

  it("the ledger lists every payment with splits and every invoice's seeded and current balance", async () => {
    const { sim } = testSimulator();
    const ledger = sim.ledger(TENANT);
    expect(ledger.tenantId).toBe(TENANT);
    expect(ledger.invoices).toHaveLength(300);
    expect(ledger.payments.length).toBeGreaterThan(200);
    const split = ledger.payments.find((payment) => payment.splits.length > 1);
    expect(split?.splits.every((entry) => entry.invoiceNumber !== null)).toBe(true);
    for (const entry of ledger.invoices) expect(entry.balance).toBe(entry.seededBalance);
    expect((await sim.fetch(admin("GET", "/tenants/42/ledger"))).status).toBe(404);
    expect(() => sim.ledger(42)).toThrow();
  });

  it("PUT /__sim/config changes token lifetime and rate limit; bad values are a 400", async () => {
    const { sim } = testSimulator();
    const response = await sim.fetch(
      admin("PUT", "/config", { tokenLifetimeSeconds: 30, tokenRateLimit: { requests: 1, perSeconds: 10 } }),
    );
    expect(await response.json()).toEqual({
      tokenLifetimeSeconds: 30,
      tokenRateLimit: { requests: 1, perSeconds: 10 },
      invoiceLocks: { items: ["Posted", "Exported"], fields: [] },
    });
    const body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
    expect(await (await sim.fetch(tokenRequest(body))).json()).toMatchObject({ expires_in: 30 });
    expect((await sim.fetch(tokenRequest(body))).status).toBe(429);
    const bad = await sim.fetch(admin("PUT", "/config", { tokenLifetimeSeconds: 0 }));
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors.body?.[0]).toContain("tokenLifetimeSeconds");
    expect(() => sim.configure({ tokenRateLimit: { requests: -1, perSeconds: 1 } })).toThrow(RangeError);
    sim.reset();
    expect(await (await sim.fetch(admin("GET", "/config"))).json()).toEqual({
      tokenLifetimeSeconds: 900,
      tokenRateLimit: { requests: 20, perSeconds: 60 },
      invoiceLocks: { items: ["Posted", "Exported"], fields: [] },
    });
  });

  it("PUT /__sim/config sets the invoice locks; unknown locks or settings are a 400", async () => {
    const { sim } = testSimulator();
    const response = await sim.fetch(admin("PUT", "/config", { invoiceLocks: { fields: ["Paid"] } }));
    expect((await response.json<{ invoiceLocks: unknown }>()).invoiceLocks).toEqual({
      items: ["Posted", "Exported"],
      fields: ["Paid"],
    });
    const bad = await sim.fetch(
      admin("PUT", "/config", { invoiceLocks: { items: ["Sent"] }, lockEverything: true }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json<Problem>()).errors).sort()).toEqual([
      "invoiceLocks.items",
      "lockEverything",
    ]);
    expect(() => sim.configure({ invoiceLocks: { items: ["Paid"], fields: [] } })).not.toThrow();
    expect(sim.settings().invoiceLocks.items).toEqual(["Paid"]);
  });

  it("POST /__sim/tenants/{tenant}/revoke-tokens makes cached tokens fail with 401", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    expect((await sim.fetch(admin("POST", `/tenants/${TENANT}/revoke-tokens`))).status).toBe(200);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(401);
    const other = await session(sim, 2000002);
    await sim.fetch(admin("POST", "/revoke-tokens"));
    expect((await other.get("/invoices?pageSize=1")).status).toBe(401);
  });

  it("unknown admin paths are a 404", async () => {
    const { sim } = testSimulator();
    expect((await sim.fetch(admin("GET", "/nope"))).status).toBe(404);
  });
});

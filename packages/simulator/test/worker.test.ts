// The wrangler-dev entry: settings from env vars, and the Durable Object that journals every write
// so that a restarted simulator (an evicted object, as after a `pnpm start` restart) holds
// exactly what it held before: ledger, invoices, export marks, even a write whose answer was lost.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { Invoice } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { DEMO_APP_KEY } from "../src/index.ts";
import worker, { PersistentSimulator, simulatorFromEnv } from "../src/worker.ts";
import { ORIGIN, TENANT, tokenRequest } from "./helpers.ts";

type Stub = DurableObjectStub<PersistentSimulator>;

function simulatorStub(): Stub {
  if (!env.SIMULATOR) throw new Error("no SIMULATOR binding");
  return env.SIMULATOR.get(env.SIMULATOR.idFromName(crypto.randomUUID()));
}

/** A signed-in caller of the simulator behind `stub`, as a worker reaches it over its binding. */
async function caller(stub: Stub) {
  const token = await stub.fetch(
    tokenRequest("grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"),
  );
  const { access_token } = await token.json<{ access_token: string }>();
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    stub.fetch(
      new Request(`${ORIGIN}/accounting/v2/tenant/${TENANT}${path}`, {
        method,
        headers: {
          "ST-App-Key": DEMO_APP_KEY,
          Authorization: access_token,
          "Content-Type": "application/json",
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return { call, text: async (path: string) => (await call("GET", path)).text() };
}

/** The status of a response whose body is read to the end (an unread body keeps the object busy). */
const statusOf = async (response: Response | Promise<Response>): Promise<number> => {
  const done = await response;
  await done.arrayBuffer();
  return done.status;
};

/** What must survive a restart, as text. */
async function snapshot(stub: Stub): Promise<string[]> {
  const c = await caller(stub);
  const ledger = await (await stub.fetch(`${ORIGIN}/__sim/tenants/${TENANT}/ledger`)).text();
  return [
    ledger,
    await c.text("/invoices?activeState=All&pageSize=5000"),
    await c.text("/ap-bills?billType=NotSet&pageSize=5000"),
    await c.text("/export/invoice-items?includeRecentChanges=true"),
  ];
}

async function persistence(stub: Stub) {
  return (await stub.fetch(`${ORIGIN}/__sim/persistence`)).json<{
    anchor: string | null;
    replayed: number;
    journaled: number;
    problem: string | null;
  }>();
}

describe("worker entry", () => {
  it("serves the simulator from its default export, through the Durable Object", async () => {
    const response = await worker.fetch(new Request(`${ORIGIN}/`), env);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "servicetitan-simulator" });
  });

  it("reads its settings from env vars", async () => {
    const sim = simulatorFromEnv({
      SIM_TOKEN_LIFETIME_SECONDS: "120",
      SIM_TOKEN_RATE_LIMIT: "1/60",
      SIM_APP_KEYS: "a, b",
      SIM_INVOICE_COUNT: "30",
      SIM_INVOICE_ITEM_LOCKS: "exported, Paid",
      SIM_INVOICE_FIELD_LOCKS: "none",
    });
    const body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
    expect(await (await sim.fetch(tokenRequest(body))).json()).toMatchObject({ expires_in: 120 });
    expect((await sim.fetch(tokenRequest(body))).status).toBe(429);
    expect(sim.ledger(1000001).invoices).toHaveLength(30);
    expect(sim.settings().invoiceLocks).toEqual({ items: ["Exported", "Paid"], fields: [] });
    expect(() => simulatorFromEnv({ SIM_SEED: "forty-two" })).toThrow("SIM_SEED");
    expect(() => simulatorFromEnv({ SIM_INVOICE_ITEM_LOCKS: "Sent" })).toThrow("SIM_INVOICE_ITEM_LOCKS");
  });
});

describe("persistence", () => {
  it("holds exactly what it held after a restart, a write with a lost answer included", async () => {
    const stub = simulatorStub();
    const c = await caller(stub);
    const { data } = await (await c.call("GET", "/invoices?statuses=Pending&pageSize=2")).json<{
      data: Invoice[];
    }>();
    const [first, second] = data;
    const types = await (await c.call("GET", "/payment-types")).json<{ data: { id: number }[] }>();
    expect(
      await statusOf(
        c.call("POST", "/payments", {
          typeId: types.data[0]?.id,
          splits: [{ invoiceId: first?.id, amount: 12.5 }],
        }),
      ),
    ).toBe(200);
    expect(await statusOf(c.call("PATCH", `/invoices/${first?.id}`, { summary: "<p>kept</p>" }))).toBe(200);
    expect(
      await statusOf(
        c.call("PATCH", `/invoices/${second?.id}/items`, {
          skuName: "SVC-DIAG",
          description: "Trip",
          quantity: 1,
        }),
      ),
    ).toBe(200);
    await expect(
      c.call(
        "POST",
        "/invoices",
        { adjustmentToId: second?.id, summary: "<p>[ste:lost]</p>" },
        { "X-Sim-Fault": "commit-then-drop" },
      ),
    ).rejects.toThrow();
    const before = await snapshot(stub);
    expect(await persistence(stub)).toMatchObject({ replayed: 0, journaled: 4, problem: null });

    await evictDurableObject(stub);
    expect(await persistence(stub)).toMatchObject({ replayed: 4, journaled: 4, problem: null });
    expect(await snapshot(stub)).toEqual(before);
    // The lost create is there to be found again by its marker.
    const adjustments = await (
      await (await caller(stub)).call("GET", `/invoices?adjustmentToId=${second?.id}`)
    ).json<{
      data: Invoice[];
    }>();
    expect(adjustments.data.map((invoice) => invoice.summary)).toContain("<p>[ste:lost]</p>");
  });

  it("starts from the seed again after POST /__sim/reset, and after a restart too", async () => {
    const stub = simulatorStub();
    const seeded = await snapshot(stub);
    const c = await caller(stub);
    const { data } = await (await c.call("GET", "/invoices?statuses=Pending&pageSize=1")).json<{
      data: Invoice[];
    }>();
    expect(await statusOf(c.call("PATCH", `/invoices/${data[0]?.id}`, { summary: "<p>gone soon</p>" }))).toBe(
      200,
    );
    expect(await snapshot(stub)).not.toEqual(seeded);
    expect(await statusOf(stub.fetch(`${ORIGIN}/__sim/reset`, { method: "POST" }))).toBe(200);
    expect(await persistence(stub)).toMatchObject({ journaled: 0 });
    await evictDurableObject(stub);
    expect(await snapshot(stub)).toEqual(seeded);
  });

  it("refuses loudly a saved state made with other seed settings, until reset", async () => {
    const stub = simulatorStub();
    const c = await caller(stub);
    const { data } = await (await c.call("GET", "/invoices?statuses=Pending&pageSize=1")).json<{
      data: Invoice[];
    }>();
    expect(await statusOf(c.call("PATCH", `/invoices/${data[0]?.id}`, { summary: "<p>seed 42</p>" }))).toBe(
      200,
    );
    await runInDurableObject(stub, async (_, state) => {
      // The same storage, started with another SIM_SEED: as if wrangler.jsonc changed between runs.
      const restarted = new PersistentSimulator(state, { ...env, SIM_SEED: "7" });
      const refused = await restarted.fetch(new Request(`${ORIGIN}/`));
      expect(refused.status).toBe(500);
      expect((await refused.json<{ title: string }>()).title).toContain("other seed settings");
      expect((await restarted.fetch(new Request(`${ORIGIN}/__sim/reset`, { method: "POST" }))).status).toBe(
        200,
      );
      expect((await restarted.fetch(new Request(`${ORIGIN}/`))).status).toBe(200);
      expect(restarted.persistence()).toMatchObject({ journaled: 0, problem: null });
    });
  });
});

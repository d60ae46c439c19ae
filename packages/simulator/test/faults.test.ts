import { Decimal, type Invoice, type PaymentType } from "@st-edge/servicetitan";
import { beforeEach, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../src/index.ts";
import {
  allPages,
  type FakeClock,
  fakeClock,
  ORIGIN,
  type Problem,
  type Session,
  session,
  TENANT,
  testSimulator,
  tokenRequest,
} from "./helpers.ts";

let sim: Simulator;
let clock: FakeClock;
let s: Session;

beforeEach(async () => {
  ({ sim, clock } = testSimulator());
  s = await session(sim);
});

const fault = (value: string) => ({ headers: { "X-Sim-Fault": value } });
const openInvoice = async () => {
  const [invoice] = (await allPages<Invoice>(s, "/invoices")).filter((candidate) =>
    Decimal.parse(candidate.balance ?? "0").isPositive(),
  );
  if (!invoice) throw new Error("seed has open invoices");
  return invoice;
};
const paymentBody = async (invoice: Invoice) => {
  const cash = (await allPages<PaymentType>(s, "/payment-types")).find((type) => type.name === "Cash");
  return { typeId: cash?.id, memo: "fault test", splits: [{ invoiceId: invoice.id, amount: 1 }] };
};
const apiPayments = () => sim.ledger(TENANT).payments.filter((payment) => payment.origin === "api");

describe("X-Sim-Fault header", () => {
  it.each([
    ["status=503", 503, "Service Unavailable"],
    ["status=500", 500, "Internal Server Error"],
    ["status=502", 502, "Bad Gateway"],
  ])("%s answers the envelope", async (header, status, title) => {
    const response = await s.get("/invoices", fault(header));
    expect(response.status).toBe(status);
    expect(await response.json<Problem>()).toMatchObject({ status, title, errors: {} });
    expect(sim.stats().faults).toEqual({ [`status:${status}`]: 1 });
  });

  it("status=429 sends Retry-After and a ServiceTitan-style seconds hint in the title", async () => {
    const response = await s.get("/invoices", fault("status=429;retry-after=2"));
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("2");
    expect((await response.json<Problem>()).title).toBe("Rate limit is exceeded. Try again in 2 seconds.");
    const bare = await s.get("/invoices", fault("status=429;retry-after=none"));
    expect(bare.headers.get("Retry-After")).toBeNull();
    expect((await bare.json<Problem>()).title).toBe("Rate limit is exceeded. Try again in 1 seconds.");
  });

  it("latency waits on the injected clock, then answers normally", async () => {
    const before = clock.now();
    const response = await s.get("/invoices?pageSize=1", fault("latency=50"));
    expect(response.status).toBe(200);
    expect(clock.now() - before).toBe(50);
    const both = await s.get("/invoices", fault("latency=20, status=503"));
    expect(both.status).toBe(503);
    expect(sim.stats().faults).toEqual({ latency: 2, "status:503": 1 });
  });

  it("hang never answers; the fetch rejects once the caller aborts", async () => {
    const controller = new AbortController();
    let settled = false;
    const pending = s.get("/invoices", { ...fault("hang"), signal: controller.signal }).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(sim.stats().faults).toEqual({ hang: 1 });
  });

  it("an aborted latency rejects too", async () => {
    const controller = new AbortController();
    controller.abort(new DOMException("timed out", "TimeoutError"));
    await expect(
      s.get("/invoices", { ...fault("latency=10"), signal: controller.signal }),
    ).rejects.toMatchObject({
      name: "TimeoutError",
    });
  });

  it("commit-then-fail applies the write, then answers 5xx", async () => {
    const invoice = await openInvoice();
    const response = await s.post("/payments", await paymentBody(invoice), fault("commit-then-fail=502"));
    expect(response.status).toBe(502);
    expect(apiPayments()).toHaveLength(1);
    const after = sim.ledger(TENANT).invoices.find((entry) => entry.id === invoice.id);
    expect(after?.balance).toBe(
      Decimal.parse(invoice.balance ?? "0")
        .minus(Decimal.parse("1"))
        .toFixed(2),
    );
    expect((await s.post("/payments", await paymentBody(invoice), fault("commit-then-fail"))).status).toBe(
      500,
    );
    expect(apiPayments()).toHaveLength(2);
  });

  it("commit-then-fail keeps a rejected write's 400 (nothing was committed)", async () => {
    const response = await s.post("/payments", { typeId: 1 }, fault("commit-then-fail=503"));
    expect(response.status).toBe(400);
    expect(apiPayments()).toHaveLength(0);
  });

  it("commit-then-drop applies the write, then rejects the fetch like a dropped connection", async () => {
    const invoice = await openInvoice();
    await expect(s.post("/payments", await paymentBody(invoice), fault("commit-then-drop"))).rejects.toThrow(
      TypeError,
    );
    expect(apiPayments()).toEqual([expect.objectContaining({ memo: "fault test", total: "1.00" })]);
  });

  it("invalid-json and empty-body answer the handler's 2xx with a body that cannot be read", async () => {
    const garbled = await s.get("/invoices?pageSize=2", fault("invalid-json"));
    expect(garbled.status).toBe(200);
    const text = await garbled.text();
    expect(text.length).toBeGreaterThan(10);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const empty = await s.get("/invoices?pageSize=2", fault("empty-body"));
    expect(empty.status).toBe(200);
    expect(empty.headers.get("Content-Length")).toBeNull();
    expect(await empty.text()).toBe("");
    expect(sim.stats().faults).toEqual({ "invalid-json": 1, "empty-body": 1 });
  });

  it("truncate-body sends the headers and half the body, then errors once the caller aborts", async () => {
    const whole = await (await s.get("/invoices?pageSize=2")).text();
    const controller = new AbortController();
    const response = await s.get("/invoices?pageSize=2", {
      ...fault("truncate-body"),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const head = await reader.read();
    expect(new TextDecoder().decode(head.value)).toBe(whole.slice(0, Math.floor(whole.length / 2)));
    let settled = false;
    const rest = reader.read().finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    controller.abort(new DOMException("timed out", "TimeoutError"));
    await expect(rest).rejects.toMatchObject({ name: "TimeoutError" });
    expect(sim.stats().faults).toEqual({ "truncate-body": 1 });
  });

  it("a mangled answer to a write still applied it; a refused write keeps its 400", async () => {
    const invoice = await openInvoice();
    const response = await s.post("/payments", await paymentBody(invoice), fault("invalid-json"));
    expect(response.ok).toBe(true);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(apiPayments()).toHaveLength(1);
    const refused = await s.post("/payments", { typeId: 1 }, fault("empty-body"));
    expect(refused.status).toBe(400);
    expect(await refused.json<Problem>()).toMatchObject({ status: 400 });
  });

  it("not-licensed answers 403", async () => {
    const response = await s.get("/ap-bills", fault("not-licensed"));
    expect(response.status).toBe(403);
    expect((await response.json<Problem>()).title).toBe("The tenant is not licensed for this module.");
  });

  it("token-outage answers 503 on /connect/token only", async () => {
    const body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
    const response = await sim.fetch(tokenRequest(body, { "X-Sim-Fault": "token-outage" }));
    expect(response.status).toBe(503);
    expect((await s.get("/invoices?pageSize=1", fault("token-outage"))).status).toBe(200);
    expect(sim.stats().tokenRequests.total).toBe(2);
  });

  it("a malformed header is a 400 naming it", async () => {
    for (const header of ["explode", "status=200", "latency=-1", "hang=5", "status=429;after=2"]) {
      const response = await s.get("/invoices", fault(header));
      expect(response.status).toBe(400);
      expect((await response.json<Problem>()).errors).toHaveProperty(["X-Sim-Fault"]);
    }
  });
});

describe("per-tenant fault rules", () => {
  it("match operationId and method, and run out after `times`", async () => {
    sim.setFaults(TENANT, [
      { fault: "status=503", operationId: "Invoices_GetList", method: "GET", times: 2 },
    ]);
    expect((await s.get("/payments?pageSize=1")).status).toBe(200);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(503);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(503);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(200);
    expect(sim.stats().calls).toMatchObject({ Invoices_GetList: 3, Payments_GetList: 1 });
    expect(sim.stats().faults).toEqual({ "status:503": 2 });
  });

  it("apply to their tenant only", async () => {
    sim.setFaults(TENANT, [{ fault: "not-licensed" }]);
    const other = await session(sim, 2000002);
    expect((await other.get("/invoices?pageSize=1")).status).toBe(200);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(403);
    sim.setFaults(TENANT, []);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(200);
  });

  it("fire with a seeded probability: the same rules give the same sequence", async () => {
    const outcomes = async (simulator: Simulator) => {
      simulator.setFaults(TENANT, [{ fault: "status=503", probability: 0.5 }]);
      const t = await session(simulator);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await t.get("/payment-types")).status);
      return statuses;
    };
    const first = await outcomes(createSimulator({ clock: fakeClock() }));
    const second = await outcomes(createSimulator({ clock: fakeClock() }));
    expect(second).toEqual(first);
    const failures = first.filter((status) => status === 503).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it("token-outage and throttling rules reach the token endpoint through the client's tenant", async () => {
    sim.setFaults(TENANT, [
      { fault: "token-outage", times: 1 },
      { fault: "status=429;retry-after=3", operationId: "OAuth_Token", times: 1 },
    ]);
    const body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
    // The token-outage rule waits for the token endpoint; accounting calls pass.
    expect((await s.get("/invoices?pageSize=1")).status).toBe(200);
    expect((await sim.fetch(tokenRequest(body))).status).toBe(503);
    const throttled = await sim.fetch(tokenRequest(body));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toBe("3");
    expect((await sim.fetch(tokenRequest(body))).status).toBe(200);
    const other = "grant_type=client_credentials&client_id=other-client&client_secret=other-secret";
    sim.setFaults(TENANT, [{ fault: "token-outage" }]);
    expect((await sim.fetch(tokenRequest(other))).status).toBe(200);
  });

  it("reject bad rules", () => {
    expect(() => sim.setFaults(TENANT, [{ fault: "status=abc" }])).toThrow("bad status");
    expect(() => sim.setFaults(TENANT, [{ fault: "hang", probability: 2 }])).toThrow("probability");
    expect(() => sim.setFaults(999, [])).toThrow("unknown tenant");
  });

  it("can be set, listed and cleared over HTTP", async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      sim.fetch(
        new Request(`${ORIGIN}/__sim${path}`, {
          method,
          headers: body === undefined ? {} : { "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    const put = await admin("PUT", `/tenants/${TENANT}/faults`, {
      rules: [{ fault: "status=502", times: 1 }],
    });
    expect(await put.json()).toEqual({ rules: [{ fault: "status=502", times: 1, remaining: 1 }] });
    expect((await s.get("/invoices?pageSize=1")).status).toBe(502);
    expect(await (await admin("GET", `/tenants/${TENANT}/faults`)).json()).toEqual({
      rules: [{ fault: "status=502", times: 1, remaining: 0 }],
    });
    await admin("PUT", `/tenants/${TENANT}/faults`, [{ fault: "status=503" }]);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(503);
    await admin("DELETE", `/tenants/${TENANT}/faults`);
    expect((await s.get("/invoices?pageSize=1")).status).toBe(200);
    const bad = await admin("PUT", `/tenants/${TENANT}/faults`, { rules: [{ fault: "boom" }] });
    expect(bad.status).toBe(400);
    expect((await admin("PUT", "/tenants/42/faults", { rules: [] })).status).toBe(404);
  });
});

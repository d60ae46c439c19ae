// ServiceTitan failing: each failure reaches the caller as the shared problem types, with
// Retry-After passed through, on every endpoint.
import { env as baseEnv } from "cloudflare:test";
import type { EdgeBindings } from "@st-edge/edge";
import {
  callWorker,
  DEMO_TENANT,
  expectProblem,
  readServiceTitan,
  readServiceTitanJson,
  simulatorEnv,
} from "@st-edge/edge/testing";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { allInvoices, faultEnv, sim, testEnv } from "./helpers.ts";

const PATHS = [
  "/invoices/11000001",
  "/invoices?number=100001",
  "/invoices/batch?ids=11000001,11000002",
  "/invoices/poll",
];

describe("ServiceTitan failures", () => {
  it.each(PATHS)("403 (module not licensed) → not-entitled: %s", async (path) => {
    const response = await callWorker(worker, await faultEnv("not-licensed"), path);
    const body = await expectProblem(response, 403, "not-entitled");
    expect(body.detail).toContain("Invoices_GetList");
  });

  it.each(PATHS)("429 → upstream-rate-limited with ServiceTitan's Retry-After: %s", async (path) => {
    // Longer than the client's retry budget, so it is handed to the caller at once.
    const response = await callWorker(worker, await faultEnv("status=429;retry-after=37"), path);
    await expectProblem(response, 429, "upstream-rate-limited");
    expect(response.headers.get("Retry-After")).toBe("37");
  });

  it("503 → upstream-unavailable with Retry-After", async () => {
    const response = await callWorker(
      worker,
      await faultEnv("status=503;retry-after=45"),
      "/invoices/11000001",
    );
    await expectProblem(response, 503, "upstream-unavailable");
    expect(response.headers.get("Retry-After")).toBe("45");
  });

  it("no answer → upstream-timeout (504)", async () => {
    const env = await faultEnv("hang", { ST_TIMEOUT_MS: "100" });
    await expectProblem(await callWorker(worker, env, "/invoices/poll"), 504, "upstream-timeout");
  });

  it("a failure on the payments read fails the whole answer, not just its payments", async () => {
    const invoice = (await allInvoices())[0];
    sim.setFaults(DEMO_TENANT.tenantId, [{ fault: "not-licensed", operationId: "Payments_GetList" }]);
    try {
      const env = await testEnv();
      expect((await callWorker(worker, env, `/invoices/${invoice?.id}`)).status).toBe(200);
      const response = await callWorker(worker, env, `/invoices/${invoice?.id}?include=payments`);
      const body = await expectProblem(response, 403, "not-entitled");
      expect(body.detail).toContain("Payments_GetList");
    } finally {
      sim.setFaults(DEMO_TENANT.tenantId, []);
    }
  });
});

// Found in use: these answered 500 internal-error. They are ServiceTitan's faults, named as such.
describe("ServiceTitan answers that cannot be read", () => {
  it.each(PATHS)(
    "a 2xx that is not JSON → 502 upstream-invalid-response naming the operation: %s",
    async (path) => {
      const response = await callWorker(worker, await faultEnv("invalid-json"), path);
      const body = await expectProblem(response, 502, "upstream-invalid-response");
      expect(body.detail).toContain("Invoices_GetList");
    },
  );

  it.each(PATHS)(
    "a 2xx with no body → 502 upstream-invalid-response naming the operation: %s",
    async (path) => {
      const response = await callWorker(worker, await faultEnv("empty-body"), path);
      const body = await expectProblem(response, 502, "upstream-invalid-response");
      expect(body.detail).toContain("Invoices_GetList");
    },
  );

  // Retried like any timeout (four attempts and their backoff, in real time): two paths show it.
  it.each(["/invoices/11000001", "/invoices/poll"])(
    "a body cut off by the timeout → 504 upstream-timeout naming the operation: %s",
    async (path) => {
      const env = await faultEnv("truncate-body", { ST_TIMEOUT_MS: "100" });
      const body = await expectProblem(await callWorker(worker, env, path), 504, "upstream-timeout");
      expect(body.detail).toContain("Invoices_GetList");
    },
  );

  it("an invoice's payments past the page limit → 502 naming the operation, not a partial list", async () => {
    // Its own simulator: 501 payments on one invoice would change other files' balances.
    const crowded = createSimulator();
    const [invoice] = crowded
      .ledger(DEMO_TENANT.tenantId)
      .invoices.filter((entry) => Decimal.parse(entry.balance).compare(Decimal.parse("10")) > 0);
    const { data: types } = await readServiceTitanJson<{ data: { id: number }[] }>(crowded, "/payment-types");
    if (!invoice || !types[0]) throw new Error("the seed has no open invoice or payment type");
    for (let i = 0; i < 501; i++) {
      const created = await readServiceTitan(crowded, "/payments", {
        init: {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ typeId: types[0].id, splits: [{ invoiceId: invoice.id, amount: 0.01 }] }),
        },
      });
      expect(created.ok).toBe(true);
    }
    const env = await simulatorEnv(baseEnv as EdgeBindings, crowded);
    expect((await callWorker(worker, env, `/invoices/${invoice.id}`)).status).toBe(200);
    const response = await callWorker(worker, env, `/invoices/${invoice.id}?include=payments`);
    const body = await expectProblem(response, 502, "upstream-invalid-response");
    expect(body.detail).toContain("Payments_GetList");
    // 501 writes to the simulator: quick alone, slow on a busy machine.
  }, 30_000);
});

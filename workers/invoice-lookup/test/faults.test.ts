// ServiceTitan failing: each failure reaches the caller as the shared problem types, with
// Retry-After passed through, on every endpoint.
import { callWorker, DEMO_TENANT, expectProblem } from "@st-edge/edge/testing";
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

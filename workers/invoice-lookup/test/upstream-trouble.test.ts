// ServiceTitan in trouble, counted at the simulator: a 429 storm costs each caller request at
// most the client's attempts (no retry amplification) and ends in a 429 with Retry-After; a
// token endpoint outage leaves a cached token working, and without one fails fast with a 503
// problem after one sign-in's attempts, however many callers are waiting. Sign-ins go through the
// tenant's token broker, so its cool-down after a failed sign-in holds for every isolate.
import { env } from "cloudflare:test";
import type { EdgeBindings } from "@st-edge/edge";
import {
  callWorker,
  DEMO_TENANT,
  expectProblem,
  forgetCachedTokens,
  simulatorEnv,
} from "@st-edge/edge/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { allInvoices, sim, upstreamCalls } from "./helpers.ts";

/** The client's attempts per idempotent call (transport/retry.ts), the first included. */
const CLIENT_MAX_ATTEMPTS = 4;
/** Attempts of one sign-in (requestToken's maxAttempts). */
const TOKEN_MAX_ATTEMPTS = 3;

/** A new isolate of the demo deployment: its own client and token memory, the shared KV. */
const deployment = (): Promise<EdgeBindings> => simulatorEnv(env as EdgeBindings, sim);

const clearCachedTokens = () => forgetCachedTokens(env);

const tokenRequests = () => sim.stats().tokenRequests.byClient[DEMO_TENANT.clientId] ?? 0;
const faultsServed = (kind: string) => sim.stats().faults[kind] ?? 0;

let path = "";
beforeEach(async () => {
  const invoice = (await allInvoices())[0];
  if (!invoice) throw new Error("the seed has no invoices");
  // One ServiceTitan call per caller request: GET /invoices/{id} is one Invoices_GetList.
  path = `/invoices/${invoice.id}`;
});
afterEach(() => sim.setFaults(DEMO_TENANT.tenantId, []));

describe("a 429 storm", () => {
  it("costs each caller request exactly the client's attempts, then answers 429 with Retry-After", async () => {
    const e = await deployment();
    expect((await callWorker(worker, e, path)).status).toBe(200);
    sim.setFaults(DEMO_TENANT.tenantId, [
      { fault: "status=429;retry-after=1", operationId: "Invoices_GetList" },
    ]);
    const calls = upstreamCalls("Invoices_GetList");
    const served = faultsServed("status:429");
    const callers = 3;
    const responses = await Promise.all(Array.from({ length: callers }, () => callWorker(worker, e, path)));
    for (const response of responses) {
      await expectProblem(response, 429, "upstream-rate-limited");
      expect(response.headers.get("Retry-After")).toBe("1");
    }
    expect(upstreamCalls("Invoices_GetList") - calls).toBe(callers * CLIENT_MAX_ATTEMPTS);
    expect(faultsServed("status:429") - served).toBe(callers * CLIENT_MAX_ATTEMPTS);
  });

  it("asked to wait longer than the retry budget: one call, and the wait handed to the caller", async () => {
    const e = await deployment();
    expect((await callWorker(worker, e, path)).status).toBe(200);
    sim.setFaults(DEMO_TENANT.tenantId, [
      { fault: "status=429;retry-after=45", operationId: "Invoices_GetList" },
    ]);
    const calls = upstreamCalls("Invoices_GetList");
    const response = await callWorker(worker, e, path);
    await expectProblem(response, 429, "upstream-rate-limited");
    expect(response.headers.get("Retry-After")).toBe("45");
    expect(upstreamCalls("Invoices_GetList") - calls).toBe(1);
  });

  it("waits out a short one and answers: one retry per 429", async () => {
    const e = await deployment();
    expect((await callWorker(worker, e, path)).status).toBe(200);
    sim.setFaults(DEMO_TENANT.tenantId, [
      { fault: "status=429;retry-after=1", operationId: "Invoices_GetList", times: 1 },
    ]);
    const calls = upstreamCalls("Invoices_GetList");
    expect((await callWorker(worker, e, path)).status).toBe(200);
    expect(upstreamCalls("Invoices_GetList") - calls).toBe(2);
  });
});

describe("a token endpoint outage", () => {
  beforeEach(clearCachedTokens);
  afterEach(clearCachedTokens);

  it("leaves a cached token working, in the isolate that holds it and in a new one (from KV)", async () => {
    const e = await deployment();
    expect((await callWorker(worker, e, path)).status).toBe(200);
    sim.setFaults(DEMO_TENANT.tenantId, [{ fault: "token-outage" }]);
    const tokens = tokenRequests();
    for (let n = 0; n < 5; n++) expect((await callWorker(worker, e, path)).status).toBe(200);
    expect((await callWorker(worker, await deployment(), path)).status).toBe(200);
    expect(tokenRequests() - tokens).toBe(0);
  });

  it("without a cached token: a 503 problem with Retry-After, one sign-in for a burst of callers, no call", async () => {
    const e = await deployment();
    sim.setFaults(DEMO_TENANT.tenantId, [{ fault: "token-outage" }]);
    const tokens = tokenRequests();
    const outages = faultsServed("token-outage");
    const calls = upstreamCalls("Invoices_GetList");
    const responses = await Promise.all(Array.from({ length: 20 }, () => callWorker(worker, e, path)));
    for (const response of responses) {
      expect(response.headers.get("Retry-After")).toBe("5");
      const body = await expectProblem(response, 503, "upstream-unavailable");
      expect(body.detail).toBe("ServiceTitan's token endpoint is unavailable");
      expect(JSON.stringify(body)).not.toContain(DEMO_TENANT.clientSecret);
    }
    // The callers shared one sign-in, which gave up after its bounded attempts: no hot loop.
    expect(tokenRequests() - tokens).toBe(TOKEN_MAX_ATTEMPTS);
    expect(faultsServed("token-outage") - outages).toBe(TOKEN_MAX_ATTEMPTS);
    expect(upstreamCalls("Invoices_GetList") - calls).toBe(0);
  });

  it("after the outage, every isolate waits out the one cool-down, then one sign-in answers them", async () => {
    const e = await deployment();
    sim.setFaults(DEMO_TENANT.tenantId, [{ fault: "token-outage", operationId: "OAuth_Token", times: 3 }]);
    await expectProblem(await callWorker(worker, e, path), 503, "upstream-unavailable");
    // A new isolate shares the tenant's cool-down (the broker's): no new sign-in yet.
    const tokens = tokenRequests();
    await expectProblem(await callWorker(worker, await deployment(), path), 503, "upstream-unavailable");
    expect(tokenRequests() - tokens).toBe(0);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 6_000 });
    try {
      const answers = await Promise.all(
        [deployment(), deployment()].map(async (d) => callWorker(worker, await d, path)),
      );
      for (const answer of answers) expect(answer.status).toBe(200);
      expect(tokenRequests() - tokens).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

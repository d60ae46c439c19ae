// The request deadline against the simulator: a hanging call, a long Retry-After and a hanging
// token endpoint all end by the deadline, as a timeout that names the budget.
import { describe, expect, it } from "vitest";
import { createSimulator, DEMO_APP_KEY, DEMO_TENANTS, SIMULATOR_HOSTS } from "../../simulator/src/index.ts";
import { createServiceTitanClient } from "../src/client.ts";
import { type Clock, manualClock, systemClock } from "../src/clock.ts";
import { deadlineIn, unlessAborted } from "../src/deadline.ts";
import { ServiceTitanError } from "../src/errors.ts";
import { createMemoryTokenProvider } from "../src/token-provider.ts";
import type { Fetch } from "../src/transport/fetch.ts";
import { recording, withFault } from "./helpers.ts";

const demo = DEMO_TENANTS[0] ?? { tenantId: 0, clientId: "", clientSecret: "", name: "" };

function setup(clock: Clock, budgetMs: number, fault?: [string, (request: Request) => boolean]) {
  const sim = createSimulator({ clock });
  const simFetch: Fetch = (request) => sim.fetch(request);
  const upstream = fault ? withFault(simFetch, fault[0], fault[1]) : simFetch;
  const recorder = recording(upstream);
  const tokens = createMemoryTokenProvider({
    tokenUrl: `${SIMULATOR_HOSTS.authBaseUrl}/connect/token`,
    credentials: { clientId: demo.clientId, clientSecret: demo.clientSecret },
    fetch: recorder.fetch,
    clock,
  });
  const deadline = deadlineIn(budgetMs, clock);
  const st = createServiceTitanClient({
    environment: SIMULATOR_HOSTS,
    tenantId: demo.tenantId,
    appKey: DEMO_APP_KEY,
    tokens,
    fetch: recorder.fetch,
    clock,
    timeoutMs: 30_000,
    deadline,
  });
  return { st, requests: recorder.requests, deadline };
}

const isApiCall = (request: { url: string }) => new URL(request.url).pathname.startsWith("/accounting/");
const isTokenCall = (request: { url: string }) => new URL(request.url).pathname === "/connect/token";

describe("the request deadline", () => {
  it("cuts a hanging call at the deadline, not at the 30 s per-call timeout, and does not retry past it", async () => {
    const { st, requests } = setup(systemClock, 150, ["hang", isApiCall]);
    const started = Date.now();
    const error = await st.GET("/tenant/{tenant}/invoices", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({ failure: "timeout", budgetMs: 150, operationId: "Invoices_GetList" });
    // Far below the 30 s timeout: the deadline ended it.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(requests.filter(isApiCall)).toHaveLength(1);
  });

  it("hands a 429 back at once when its Retry-After reaches past the deadline", async () => {
    const clock = manualClock();
    const { st, requests } = setup(clock, 1_000, ["status=429;retry-after=2", isApiCall]);
    const error = await st.GET("/tenant/{tenant}/invoices", {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 2 });
    expect(clock.sleeps).toEqual([]);
    expect(requests.filter(isApiCall)).toHaveLength(1);
  });

  it("stops waiting for a hanging token endpoint at the deadline", async () => {
    const { st, requests } = setup(systemClock, 150, ["hang", isTokenCall]);
    const error = await st.GET("/tenant/{tenant}/invoices", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({ failure: "timeout", budgetMs: 150 });
    // The accounting call was never sent: there was no token to sign it with.
    expect(requests.filter(isApiCall)).toHaveLength(0);
  });

  it("refuses to start a call once the deadline has passed", async () => {
    const clock = manualClock();
    const { st, requests } = setup(clock, 1_000);
    clock.advance(1_001);
    const error = await st.GET("/tenant/{tenant}/invoices", {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "timeout", budgetMs: 1_000 });
    expect(requests.filter(isApiCall)).toHaveLength(0);
  });
});

describe("unlessAborted", () => {
  it("gives up waiting when a signal aborts, leaving the shared promise to finish", async () => {
    let finish: (value: string) => void = () => {};
    const shared = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const controller = new AbortController();
    const waiting = unlessAborted(shared, [controller.signal, undefined]);
    controller.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
    finish("token");
    await expect(shared).resolves.toBe("token");
    await expect(unlessAborted(Promise.resolve(1), [new AbortController().signal])).resolves.toBe(1);
  });
});

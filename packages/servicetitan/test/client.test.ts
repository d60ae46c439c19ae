// The client against the simulator: what it sends, how it retries, how it pages and follows
// export feeds, and how ServiceTitan's errors surface.
// A relative import: the simulator depends on this package, so a package dependency back would be a cycle.

import { describe, expect, it } from "vitest";
import { createSimulator, DEMO_APP_KEY, DEMO_TENANTS, SIMULATOR_HOSTS } from "../../simulator/src/index.ts";
import { createServiceTitanClient, type ServiceTitanClientOptions } from "../src/client.ts";
import { manualClock } from "../src/clock.ts";
import { ServiceTitanError } from "../src/errors.ts";
import { allPages, exportFeed, fetchByIds, fetchOneById, unwrap } from "../src/paging.ts";
import { createMemoryTokenProvider, requestToken } from "../src/token-provider.ts";
import type { Fetch } from "../src/transport/fetch.ts";
import { recording, withFault } from "./helpers.ts";

const demo = DEMO_TENANTS[0] ?? { tenantId: 0, clientId: "", clientSecret: "", name: "" };

type SetupOptions = Partial<ServiceTitanClientOptions> & {
  fault?: [string, (r: Request, i: number) => boolean];
};

function setup({ fault, ...overrides }: SetupOptions = {}) {
  const clock = manualClock();
  const sim = createSimulator({ clock });
  const simFetch: Fetch = (request) => sim.fetch(request);
  const upstream = fault ? withFault(simFetch, ...fault) : simFetch;
  const recorder = recording(upstream);
  const tokens = createMemoryTokenProvider({
    tokenUrl: `${SIMULATOR_HOSTS.authBaseUrl}/connect/token`,
    credentials: { clientId: demo.clientId, clientSecret: demo.clientSecret },
    fetch: simFetch,
    clock,
  });
  const st = createServiceTitanClient({
    environment: SIMULATOR_HOSTS,
    tenantId: demo.tenantId,
    appKey: DEMO_APP_KEY,
    tokens,
    fetch: recorder.fetch,
    clock,
    ...overrides,
  });
  return { sim, st, clock, requests: recorder.requests };
}

const listInvoices = (st: ReturnType<typeof setup>["st"], query: Record<string, unknown> = {}) =>
  st.GET("/tenant/{tenant}/invoices", { params: { query } });

describe("every call", () => {
  it("carries the token, the app key and the tenant in the path", async () => {
    const { st, requests } = setup();
    await listInvoices(st, { pageSize: 1 });
    await st.GET("/tenant/{tenant}/tax-zones", {});
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.headers.get("ST-App-Key")).toBe(DEMO_APP_KEY);
      expect(request.headers.get("Authorization")).toMatch(/^[^\s]+$/); // raw token by default
      expect(new URL(request.url).pathname).toMatch(`/accounting/v2/tenant/${demo.tenantId}/`);
    }
  });

  it("sends `Bearer <token>` when configured", async () => {
    const { st, requests } = setup({ authorizationScheme: "bearer" });
    unwrap(await listInvoices(st, { pageSize: 1 }));
    expect(requests[0]?.headers.get("Authorization")).toMatch(/^Bearer \S+$/);
  });

  it("refuses a tenant id that is not a safe integer", () => {
    expect(() => setup({ tenantId: 2 ** 53 })).toThrow(/positive integer/);
  });

  it("fetches a new token once after a 401 and retries the call", async () => {
    const { sim, st } = setup();
    unwrap(await listInvoices(st, { pageSize: 1 }));
    const before = sim.stats().tokenRequests.total;
    sim.revokeTokens(demo.tenantId);
    unwrap(await listInvoices(st, { pageSize: 1 }));
    expect(sim.stats().tokenRequests.total).toBe(before + 1);
  });

  it("sends a POST again with its whole body after a 401, under a new token", async () => {
    const { sim, st, requests } = setup();
    unwrap(await listInvoices(st, { pageSize: 1 }));
    const payment = sim.ledger(demo.tenantId).payments[0];
    if (!payment) throw new Error("the simulator has no payment");
    const status = payment.status === "Posted" ? "Pending" : "Posted";
    sim.revokeTokens(demo.tenantId);
    const sent = requests.length;
    const answer = await st.POST("/tenant/{tenant}/payments/status", {
      body: { paymentIds: [payment.id], status },
    });
    expect(answer.response.status).toBe(200);
    const [refused, retried, ...more] = requests.slice(sent);
    expect(more).toHaveLength(0);
    expect(retried?.headers.get("Authorization")).not.toBe(refused?.headers.get("Authorization"));
    // The body reached ServiceTitan on the retry: the status changed.
    expect(sim.ledger(demo.tenantId).payments.find((p) => p.id === payment.id)?.status).toBe(status);
  });
});

describe("retries", () => {
  it("retries a GET on 429, waiting as Retry-After says", async () => {
    const { st, clock, requests } = setup({ fault: ["status=429;retry-after=2", (_, i) => i < 2] });
    const page = unwrap(await listInvoices(st, { pageSize: 5 }));
    expect(page.data).toHaveLength(5);
    expect(requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([2000, 2000]);
  });

  it.each([502, 503, 504])("retries a GET on %i with bounded exponential backoff", async (status) => {
    const { st, clock, requests } = setup({
      fault: [`status=${status}`, () => true],
      retry: { maxAttempts: 4, random: () => 1 },
    });
    const error = await listInvoices(st).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([250, 500, 1000]);
  });

  it("gives the 429 back when ServiceTitan asks for a longer wait than the budget", async () => {
    const { st, requests } = setup({ fault: ["status=429;retry-after=120", () => true] });
    const error = await listInvoices(st).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect(requests).toHaveLength(1);
  });

  it("does not retry on 500 or 400", async () => {
    for (const fault of ["status=500"]) {
      const { st, requests } = setup({ fault: [fault, () => true] });
      await expect(listInvoices(st)).rejects.toBeInstanceOf(ServiceTitanError);
      expect(requests).toHaveLength(1);
    }
    const { st, requests } = setup();
    await expect(listInvoices(st, { pageSize: -1 })).rejects.toMatchObject({ status: 400 });
    expect(requests).toHaveLength(1);
  });

  it("never retries a POST, even on 503", async () => {
    const { st, requests, sim } = setup({ fault: ["status=503", () => true] });
    const before = sim.ledger(demo.tenantId).payments.length;
    const error = await st
      .POST("/tenant/{tenant}/payments/status", { body: { paymentIds: [1], status: "Posted" } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, outcomeUnknown: true });
    expect(requests).toHaveLength(1);
    expect(sim.ledger(demo.tenantId).payments.length).toBe(before);
  });

  it("times out a hanging call and retries it when it is a GET", async () => {
    const { st, requests } = setup({
      timeoutMs: 30,
      fault: ["hang", (_, i) => i === 0],
    });
    const page = unwrap(await listInvoices(st, { pageSize: 2 }));
    expect(page.data).toHaveLength(2);
    expect(requests).toHaveLength(2);
  });

  it("reports a timeout on a POST as an unknown outcome, without retrying", async () => {
    const { st, requests } = setup({ timeoutMs: 30, fault: ["hang", () => true] });
    const error = await st
      .POST("/tenant/{tenant}/payments/status", { body: { paymentIds: [1], status: "Posted" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({
      failure: "timeout",
      outcomeUnknown: true,
      operationId: "Payments_UpdateStatus",
    });
    expect(requests).toHaveLength(1);
  });
});

describe("errors", () => {
  it("carries ServiceTitan's problem fields and the operation id", async () => {
    const { st } = setup();
    const error = await listInvoices(st, { pageSize: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    if (!(error instanceof ServiceTitanError)) return;
    expect(error.status).toBe(400);
    expect(error.operationId).toBe("Invoices_GetList");
    expect(error.traceId).toEqual(expect.any(String));
    expect(Object.keys(error.problem.errors ?? {})).not.toHaveLength(0);
    expect(error.notEntitled).toBe(false);
  });

  it("tells a 403 'module not licensed' apart", async () => {
    const { st } = setup({ fault: ["not-licensed", () => true] });
    const error = await st.GET("/tenant/{tenant}/ap-bills", {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, notEntitled: true, operationId: "ApBills_GetListPaginated" });
  });

  it("never puts the token in an error or its message", async () => {
    const { st, requests } = setup({ fault: ["status=500", () => true] });
    const error = await listInvoices(st).catch((e: unknown) => e);
    const token = requests[0]?.headers.get("Authorization") ?? "missing";
    expect(JSON.stringify(error)).not.toContain(token);
    expect(String(error)).not.toContain(token);
    expect(error instanceof Error ? error.message : "").not.toContain(token);
  });
});

describe("answers we cannot read", () => {
  it("a 2xx whose body is not JSON is an invalid-response error naming the operation", async () => {
    const { st, requests } = setup({ fault: ["invalid-json", () => true] });
    const error = await listInvoices(st, { pageSize: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({
      failure: "invalid-response",
      operationId: "Invoices_GetList",
      method: "GET",
    });
    expect(String(error)).toContain("Invoices_GetList");
    expect(requests).toHaveLength(1);
  });

  it("a 2xx with no body where one is expected is an invalid-response error naming the operation", async () => {
    const { st } = setup({ fault: ["empty-body", () => true] });
    const error = await listInvoices(st, { pageSize: 5 })
      .then(unwrap)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({
      failure: "invalid-response",
      operationId: "Invoices_GetList",
      status: 200,
    });
  });

  it("a body cut off by the timeout is a timeout of that operation, and a GET is retried", async () => {
    const retried = setup({ timeoutMs: 30, fault: ["truncate-body", (_, i) => i === 0] });
    const page = unwrap(await listInvoices(retried.st, { pageSize: 2 }));
    expect(page.data).toHaveLength(2);
    expect(retried.requests).toHaveLength(2);
    const { st } = setup({ timeoutMs: 30, retry: false, fault: ["truncate-body", () => true] });
    const error = await listInvoices(st, { pageSize: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({ failure: "timeout", operationId: "Invoices_GetList" });
  });

  it("an unreadable answer to a write leaves its outcome unknown (it was applied)", async () => {
    const { st, sim } = setup({ fault: ["invalid-json", (request) => request.method === "POST"] });
    const before = sim.ledger(demo.tenantId).payments.length;
    const [invoice] = sim.ledger(demo.tenantId).invoices.filter((entry) => entry.balance !== "0.00");
    const [type] = unwrap(await st.GET("/tenant/{tenant}/payment-types", {})).data;
    const error = await st
      .POST("/tenant/{tenant}/payments", {
        body: { typeId: type?.id ?? 0, amount: 1, splits: [{ invoiceId: invoice?.id ?? 0, amount: 1 }] },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      failure: "invalid-response",
      outcomeUnknown: true,
      operationId: "Payments_Create",
    });
    expect(sim.ledger(demo.tenantId).payments.length).toBe(before + 1);
  });

  it("a listing that does not end within maxPages is a page-limit error naming the operation", async () => {
    const { st } = setup();
    const pages = allPages((page) => listInvoices(st, { page, pageSize: 50 }).then(unwrap), { maxPages: 2 });
    let read = 0;
    const error = await (async () => {
      for await (const _ of pages) read++;
    })().catch((e: unknown) => e);
    expect(read).toBe(100);
    expect(error).toBeInstanceOf(ServiceTitanError);
    expect(error).toMatchObject({ failure: "page-limit", operationId: "Invoices_GetList" });
  });
});

describe("reading helpers", () => {
  it("walks every page of a list", async () => {
    const { st } = setup();
    const first = unwrap(await listInvoices(st, { pageSize: 50, includeTotal: true }));
    let count = 0;
    for await (const invoice of allPages((page) => listInvoices(st, { page, pageSize: 50 }).then(unwrap))) {
      expect(invoice.id).toEqual(expect.any(Number));
      count++;
    }
    expect(first.totalCount).toBeGreaterThan(100);
    expect(count).toBe(first.totalCount);
  });

  it("fetches by id in chunks of 50 and finds one by id", async () => {
    const { st, requests } = setup();
    const all = unwrap(await listInvoices(st, { pageSize: 120 })).data.map((invoice) => invoice.id);
    requests.length = 0;
    const found = await fetchByIds([...all, ...all.slice(0, 10)], (ids) =>
      listInvoices(st, { ids, pageSize: 50 }).then((r) => unwrap(r).data),
    );
    expect(found.size).toBe(120);
    expect(requests).toHaveLength(3);
    const id = all[7] ?? 0;
    const one = await fetchOneById(id, (ids) => listInvoices(st, { ids }).then((r) => unwrap(r).data));
    expect(one?.id).toBe(id);
    expect(
      await fetchOneById(1, (ids) => listInvoices(st, { ids }).then((r) => unwrap(r).data)),
    ).toBeUndefined();
  });

  it("follows an export feed until it is caught up", async () => {
    const { st } = setup();
    const exportInvoices = (from?: string) =>
      st
        .GET("/tenant/{tenant}/export/invoices", { params: { query: { from, includeRecentChanges: true } } })
        .then(unwrap);
    const ids = new Set<number>();
    let batches = 0;
    let cursor: string | undefined;
    for await (const batch of exportFeed(exportInvoices)) {
      batches++;
      for (const invoice of batch.data) ids.add(invoice.id);
      cursor = batch.continueFrom;
    }
    const total = unwrap(
      await listInvoices(st, { pageSize: 1, includeTotal: true, activeState: "All" }),
    ).totalCount;
    expect(batches).toBeGreaterThan(1);
    expect(ids.size).toBe(total);
    // Resuming from the saved token yields nothing new until something changes.
    let again = 0;
    for await (const batch of exportFeed(exportInvoices, { from: cursor })) again += batch.data.length;
    expect(again).toBe(0);
  });
});

describe("token requests", () => {
  it("counts a token's life from when it was asked for, not from when the answer arrived", async () => {
    const clock = manualClock();
    const sim = createSimulator({ clock });
    const sentAt = clock.now();
    // The answer takes 3 s to arrive: ServiceTitan's 900 s started somewhere in those 3 s.
    const slow: Fetch = async (request) => {
      const response = await sim.fetch(request);
      clock.advance(3_000);
      return response;
    };
    const token = await requestToken({
      tokenUrl: `${SIMULATOR_HOSTS.authBaseUrl}/connect/token`,
      credentials: { clientId: demo.clientId, clientSecret: demo.clientSecret },
      fetch: slow,
      clock,
    });
    expect(token.issuedAt).toBe(sentAt);
    expect(token.expiresAt).toBe(sentAt + 900_000);
  });
});

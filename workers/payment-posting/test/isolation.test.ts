// Tenant isolation between deployments that share Cloudflare resources: two tenants' deployments
// on one KV namespace never read or write each other's tokens, and on one Durable Object
// namespace never share an idempotency record. (Other tenants' ids answering 404 is tested per
// endpoint in each worker's own tests.)
import { env } from "cloudflare:test";
import {
  DEMO_TENANT,
  expectProblem,
  forgetCachedTokens,
  OTHER_TENANT,
  tenantBindings,
} from "@st-edge/edge/testing";
import { markerFor } from "@st-edge/exactly-once";
import { createSimulator, type SimulatorTenant } from "@st-edge/simulator";
import { beforeEach, describe, expect, it } from "vitest";
import { type CreatedBody, call, freshKey, openInvoices, post, type TestEnv, testEnv } from "./support.ts";

const sim = createSimulator();

/** One ServiceTitan request as a deployment sent it. */
interface Sent {
  /** The tenant in the request's path. */
  tenant: number;
  authorization: string | null;
}

/**
 * A deployment of this worker for `tenant` (a new isolate each call: its own client and token
 * memory), sharing the test's KV and Durable Object bindings, recording what it sends upstream.
 */
function deployment(tenant: SimulatorTenant, sent: Sent[] = []): Promise<TestEnv> {
  const recording: Fetcher = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const inPath = new URL(request.url).pathname.match(/\/tenant\/(\d+)\//)?.[1];
      if (inPath) sent.push({ tenant: Number(inPath), authorization: request.headers.get("Authorization") });
      return sim.fetch(request);
    },
    connect: () => {
      throw new Error("the simulator binding has no sockets");
    },
  };
  // Plaintext tokens in KV, so the test can compare them with what went upstream.
  return testEnv(sim, { ...tenantBindings(tenant), SERVICETITAN: recording, TOKEN_ENCRYPTION_KEY: "" });
}

/** Every cached token in KV, by key. */
async function cachedTokens(): Promise<Map<string, string | undefined>> {
  const { keys } = await env.TOKENS.list({ prefix: "st-token:" });
  const tokens = new Map<string, string | undefined>();
  for (const { name } of keys)
    tokens.set(name, (await env.TOKENS.get<{ token?: string }>(name, "json"))?.token);
  return tokens;
}

/** The one cached token whose key names `tenant`. */
async function cachedTokenOf(tenant: SimulatorTenant): Promise<string | undefined> {
  const mine = [...(await cachedTokens())].filter(([key]) => key.includes(`:${tenant.tenantId}:`));
  expect(mine).toHaveLength(1);
  return mine[0]?.[1];
}

const tokenRequestsOf = (tenant: SimulatorTenant) => sim.stats().tokenRequests.byClient[tenant.clientId] ?? 0;

describe("tokens: two tenants' deployments sharing one KV namespace", () => {
  beforeEach(() => forgetCachedTokens(env));

  it("each KV key names its own tenant, and each deployment sends only its own tenant's token", async () => {
    const sentA: Sent[] = [];
    const sentB: Sent[] = [];
    const [a, b] = await Promise.all([deployment(DEMO_TENANT, sentA), deployment(OTHER_TENANT, sentB)]);
    for (let round = 0; round < 3; round++) {
      expect((await call(a, "/payments/poll?limit=5")).status).toBe(200);
      expect((await call(b, "/payments/poll?limit=5")).status).toBe(200);
    }

    const keys = [...(await cachedTokens()).keys()];
    expect(keys).toHaveLength(2);
    expect(
      keys.filter((key) => key.startsWith(`st-token:v1:simulator:${DEMO_TENANT.tenantId}:`)),
    ).toHaveLength(1);
    expect(
      keys.filter((key) => key.startsWith(`st-token:v1:simulator:${OTHER_TENANT.tenantId}:`)),
    ).toHaveLength(1);
    const tokenA = await cachedTokenOf(DEMO_TENANT);
    const tokenB = await cachedTokenOf(OTHER_TENANT);
    expect(tokenA).toBeTruthy();
    expect(tokenB).toBeTruthy();
    expect(tokenA).not.toBe(tokenB);

    expect(sentA.length).toBeGreaterThan(0);
    expect(sentB.length).toBeGreaterThan(0);
    expect(new Set(sentA.map((s) => `${s.tenant} ${s.authorization}`))).toEqual(
      new Set([`${DEMO_TENANT.tenantId} ${tokenA}`]),
    );
    expect(new Set(sentB.map((s) => `${s.tenant} ${s.authorization}`))).toEqual(
      new Set([`${OTHER_TENANT.tenantId} ${tokenB}`]),
    );
  });

  it("the simulator refuses a token on another tenant's path, so those 200s mean something", async () => {
    const b = await deployment(OTHER_TENANT);
    expect((await call(b, "/payments/poll?limit=1")).status).toBe(200);
    const tokenB = await cachedTokenOf(OTHER_TENANT);
    const response = await sim.fetch(
      new Request(`https://servicetitan.simulator/accounting/v2/tenant/${DEMO_TENANT.tenantId}/payments`, {
        headers: { Authorization: tokenB ?? "", "ST-App-Key": "demo-app-key" },
      }),
    );
    expect(response.status).toBe(403);
  });

  it("new isolates pick their own tenant's token from KV; revoking one tenant's leaves the other's alone", async () => {
    await Promise.all([
      deployment(DEMO_TENANT).then((a) => call(a, "/payments/poll?limit=1")),
      deployment(OTHER_TENANT).then((b) => call(b, "/payments/poll?limit=1")),
    ]);
    const tokenA = await cachedTokenOf(DEMO_TENANT);
    const tokenB = await cachedTokenOf(OTHER_TENANT);

    const sentA: Sent[] = [];
    const sentB: Sent[] = [];
    const [a, b] = await Promise.all([deployment(DEMO_TENANT, sentA), deployment(OTHER_TENANT, sentB)]);
    const before = { a: tokenRequestsOf(DEMO_TENANT), b: tokenRequestsOf(OTHER_TENANT) };
    expect((await call(a, "/payments/poll?limit=1")).status).toBe(200);
    expect((await call(b, "/payments/poll?limit=1")).status).toBe(200);
    expect(sentA.map((s) => s.authorization)).toEqual([tokenA]);
    expect(sentB.map((s) => s.authorization)).toEqual([tokenB]);
    expect(tokenRequestsOf(DEMO_TENANT)).toBe(before.a);
    expect(tokenRequestsOf(OTHER_TENANT)).toBe(before.b);

    // ServiceTitan revokes the demo tenant's tokens: its deployment signs in again and replaces
    // only its own entry; the other tenant's token and deployment are untouched.
    sim.revokeTokens(DEMO_TENANT.tenantId);
    expect((await call(a, "/payments/poll?limit=1")).status).toBe(200);
    expect((await call(b, "/payments/poll?limit=1")).status).toBe(200);
    const renewedA = await cachedTokenOf(DEMO_TENANT);
    expect(renewedA).not.toBe(tokenA);
    expect(await cachedTokenOf(OTHER_TENANT)).toBe(tokenB);
    expect(tokenRequestsOf(DEMO_TENANT)).toBe(before.a + 1);
    expect(tokenRequestsOf(OTHER_TENANT)).toBe(before.b);
    expect(sentB.every((s) => s.authorization === tokenB)).toBe(true);
  });
});

describe("idempotency records: two tenants' deployments sharing one Durable Object namespace", () => {
  const apiPaymentsWith = async (tenant: SimulatorTenant, key: string) => {
    const marker = await markerFor(tenant.tenantId, key);
    return sim
      .ledger(tenant.tenantId)
      .payments.filter((payment) => payment.origin === "api" && payment.memo?.includes(marker));
  };

  it("one Idempotency-Key makes two payments, one per tenant, each replayed only to its own tenant", async () => {
    const [a, b] = await Promise.all([deployment(DEMO_TENANT), deployment(OTHER_TENANT)]);
    const [invoiceA] = openInvoices(sim, "20.00", DEMO_TENANT.tenantId);
    const [invoiceB] = openInvoices(sim, "20.00", OTHER_TENANT.tenantId);
    if (!invoiceA || !invoiceB) throw new Error("no open invoices");
    const key = freshKey("shared-key");

    const firstA = await post(a, key, { paymentType: "Cash", invoiceId: invoiceA.id, amount: "7.00" });
    const firstB = await post(b, key, { paymentType: "Cash", invoiceId: invoiceB.id, amount: "7.00" });
    expect([firstA.status, firstB.status]).toEqual([201, 201]);
    expect(firstB.headers.get("Idempotent-Replayed")).toBeNull();
    const createdA: CreatedBody = await firstA.json();
    const createdB: CreatedBody = await firstB.json();
    expect(createdB.id).not.toBe(createdA.id);
    expect(createdB.marker).not.toBe(createdA.marker);
    expect((await apiPaymentsWith(DEMO_TENANT, key)).map((p) => p.id)).toEqual([createdA.id]);
    expect((await apiPaymentsWith(OTHER_TENANT, key)).map((p) => p.id)).toEqual([createdB.id]);

    // Retries replay each tenant's own payment and post nothing.
    for (const [e, invoice, created] of [
      [a, invoiceA, createdA],
      [b, invoiceB, createdB],
    ] as const) {
      const again = await post(e, key, { paymentType: "Cash", invoiceId: invoice.id, amount: "7.00" });
      expect(again.status).toBe(201);
      expect(again.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await again.json()).toEqual(created);
    }
    expect(await apiPaymentsWith(DEMO_TENANT, key)).toHaveLength(1);
    expect(await apiPaymentsWith(OTHER_TENANT, key)).toHaveLength(1);
  });

  it("the very same request sent to the other tenant is judged there, never answered from this one's record", async () => {
    const [a, b] = await Promise.all([deployment(DEMO_TENANT), deployment(OTHER_TENANT)]);
    const [invoiceA] = openInvoices(sim, "20.00", DEMO_TENANT.tenantId);
    if (!invoiceA) throw new Error("no open invoice");
    const key = freshKey("same-request");
    const body = { paymentType: "Cash", invoiceId: invoiceA.id, amount: "3.00" };
    const paymentsOfB = sim.ledger(OTHER_TENANT.tenantId).payments.length;

    expect((await post(a, key, body)).status).toBe(201);
    // A shared record would replay tenant 1000001's payment here; tenant 2000002 has no such invoice.
    const there = await post(b, key, body);
    expect(there.headers.get("Idempotent-Replayed")).toBeNull();
    await expectProblem(there, 404, "invoice-not-found");
    expect(sim.ledger(OTHER_TENANT.tenantId).payments).toHaveLength(paymentsOfB);
    expect(await apiPaymentsWith(DEMO_TENANT, key)).toHaveLength(1);
  });
});

// The dispatcher in workerd, with a real KV tenant directory and two tenants' invoice-lookup
// workers (the real worker, each deployed for its own tenant of one in-process simulator) standing
// in the namespace through service bindings, as LOCAL_USER_WORKERS wires them under wrangler dev.
import { createExecutionContext, env } from "cloudflare:test";
import { hashApiKey } from "@st-edge/edge";
import {
  callWorker,
  DEMO_TENANT,
  expectProblem,
  OTHER_TENANT,
  simulatorEnv,
  type TenantCredentials,
  tenantBindings,
} from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HostEntry, hostKey, type TenantEntry, tenantKey } from "../src/directory.ts";
import dispatcher from "../src/index.ts";
import { invoiceLookup } from "./user-workers.js";

const sim = createSimulator();
const ACME_KEY = "acme-caller-key-0a1b2c3d4e5f";
const OTHER_KEY = "other-caller-key-9f8e7d6c5b4a";

/** Requests each tenant worker received, by binding name. */
const received = new Map<string, Request[]>();

/** A tenant's invoice-lookup worker, deployed for `tenant` with its own caller key. */
async function tenantWorker(name: string, tenant: TenantCredentials, key: string): Promise<Fetcher> {
  const bindings = await simulatorEnv(env, sim, {
    ...tenantBindings(tenant),
    API_KEY_HASHES: await hashApiKey(key),
  });
  return binding(name, async (request) => invoiceLookup.fetch(request, bindings, createExecutionContext()));
}

/** A service binding that records what it is sent. */
function binding(name: string, handle: (request: Request) => Promise<Response>): Fetcher {
  return {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      received.set(name, [...(received.get(name) ?? []), request.clone()]);
      return handle(request);
    },
    connect: () => {
      throw new Error("no sockets");
    },
  };
}

/** A worker that answers with what it was sent: to see exactly what the dispatcher forwards. */
const echo = binding("ECHO", async (request) =>
  Response.json({
    method: request.method,
    url: request.url,
    body: await request.text(),
    requestId: request.headers.get("X-Request-Id"),
    authorization: request.headers.get("Authorization"),
  }),
);

async function entry(tenant: string, key: string, workers: Record<string, string>, hostnames: string[] = []) {
  const value: TenantEntry = { v: 1, tenant, workers, apiKeyHashes: [await hashApiKey(key)], hostnames };
  await env.TENANTS.put(tenantKey(tenant), JSON.stringify(value));
  const host: HostEntry = { v: 1, tenant };
  for (const hostname of hostnames) await env.TENANTS.put(hostKey(hostname), JSON.stringify(host));
}

let bindings: Env & Record<string, unknown>;
const invoiceOf = async (tenant: TenantCredentials): Promise<Invoice> => {
  const token = await sim.fetch(
    new Request("https://servicetitan.simulator/connect/token", {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
      }),
    }),
  );
  const { access_token } = await token.json<{ access_token: string }>();
  const list = await sim.fetch(
    new Request(
      `https://servicetitan.simulator/accounting/v2/tenant/${tenant.tenantId}/invoices?pageSize=1`,
      {
        headers: { Authorization: access_token, "ST-App-Key": "demo-app-key" },
      },
    ),
  );
  const { data } = await list.json<{ data: Invoice[] }>();
  if (!data[0]) throw new Error("no invoice");
  return data[0];
};

beforeAll(async () => {
  await entry("acme", ACME_KEY, { "invoice-lookup": "acme-invoice-lookup", echo: "acme-echo" }, [
    "acme.api.test",
  ]);
  await entry("other", OTHER_KEY, {
    "invoice-lookup": "other-invoice-lookup",
    "tax-zones": "other-tax-zones",
  });
  await env.TENANTS.put(tenantKey("broken"), '{"v":1,"tenant":"broken","workers":{},"apiKeyHashes":"nope"}');
  bindings = {
    ...env,
    LOCAL_USER_WORKERS: JSON.stringify({
      "acme-invoice-lookup": "USER_ACME_INVOICES",
      "acme-echo": "USER_ECHO",
      "other-invoice-lookup": "USER_OTHER_INVOICES",
      // other-tax-zones is in the directory but not in the namespace.
    }),
    USER_ACME_INVOICES: await tenantWorker("USER_ACME_INVOICES", DEMO_TENANT, ACME_KEY),
    USER_OTHER_INVOICES: await tenantWorker("USER_OTHER_INVOICES", OTHER_TENANT, OTHER_KEY),
    USER_ECHO: echo,
  };
});
beforeEach(() => received.clear());

const call = (path: string, init: RequestInit & { key?: string | null } = {}) =>
  callWorker(dispatcher, bindings, path.startsWith("https://") ? path : `https://api.test${path}`, init);

describe("routing by path", () => {
  it("hands a tenant's caller to that tenant's worker, which answers from that tenant's data", async () => {
    const [acme, other] = [await invoiceOf(DEMO_TENANT), await invoiceOf(OTHER_TENANT)];
    const a = await call(`/acme/invoice-lookup/invoices/${acme.id}`, { key: ACME_KEY });
    expect(a.status).toBe(200);
    expect(await a.json()).toMatchObject({ id: acme.id });
    const b = await call(`/other/invoice-lookup/invoices/${other.id}`, { key: OTHER_KEY });
    expect(b.status).toBe(200);
    expect(await b.json()).toMatchObject({ id: other.id });
    expect(received.get("USER_ACME_INVOICES")?.map((r) => new URL(r.url).pathname)).toEqual([
      `/invoices/${acme.id}`,
    ]);
  });

  it("never lets one tenant's key reach another tenant's worker", async () => {
    const other = await invoiceOf(OTHER_TENANT);
    for (const key of [ACME_KEY, `${OTHER_KEY}x`, ""]) {
      await expectProblem(
        await call(`/other/invoice-lookup/invoices/${other.id}`, { key }),
        401,
        "unauthorized",
      );
    }
    await expectProblem(await call(`/other/invoice-lookup/invoices/${other.id}`, { key: null }), 401);
    expect(received.get("USER_OTHER_INVOICES")).toBeUndefined();
  });

  it("answers an unknown tenant as it answers a wrong key, so tenants cannot be listed", async () => {
    const unknown = await expectProblem(
      await call("/nobody/invoice-lookup/invoices/1", { key: ACME_KEY }),
      401,
    );
    const wrong = await expectProblem(await call("/acme/invoice-lookup/invoices/1", { key: OTHER_KEY }), 401);
    expect({ ...unknown, requestId: undefined }).toEqual({ ...wrong, requestId: undefined });
    await expectProblem(
      await call("/broken/invoice-lookup/invoices/1", { key: ACME_KEY }),
      401,
      "unauthorized",
    );
  });

  it("forwards method, path, query, body and headers unchanged, with its request id", async () => {
    const response = await call("/acme/echo/payments/poll?since=2026-01-01T00:00:00Z&limit=5", {
      key: ACME_KEY,
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Request-Id": "zap-42" },
      body: '{"amount":"10.00"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Request-Id")).toBe("zap-42");
    expect(await response.json()).toEqual({
      method: "POST",
      url: "https://api.test/payments/poll?since=2026-01-01T00:00:00Z&limit=5",
      body: '{"amount":"10.00"}',
      requestId: "zap-42",
      authorization: `Bearer ${ACME_KEY}`,
    });
  });
});

describe("routing by hostname", () => {
  it("takes the tenant from its hostname", async () => {
    const acme = await invoiceOf(DEMO_TENANT);
    const response = await call(`https://acme.api.test/invoice-lookup/invoices/${acme.id}`, {
      key: ACME_KEY,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: acme.id });
  });

  it("never reaches another tenant through a tenant's hostname", async () => {
    const other = await invoiceOf(OTHER_TENANT);
    const path = `https://acme.api.test/other/invoice-lookup/invoices/${other.id}`;
    await expectProblem(await call(path, { key: OTHER_KEY }), 401, "unauthorized");
    await expectProblem(await call(path, { key: ACME_KEY }), 404, "not-found");
    expect(received.get("USER_OTHER_INVOICES")).toBeUndefined();
  });
});

describe("problems", () => {
  it("answers 404 for an address that names no tenant and capability, and for a capability the tenant lacks", async () => {
    await expectProblem(await call("/", { key: ACME_KEY }), 404, "not-found");
    await expectProblem(await call("/acme", { key: ACME_KEY }), 404, "not-found");
    const body = await expectProblem(await call("/acme/bills/bills", { key: ACME_KEY }), 404, "not-found");
    expect(body.detail).toContain("invoice-lookup");
  });

  it("reports a worker the directory lists but the namespace lacks as misconfigured, never a crash", async () => {
    const body = await expectProblem(
      await call("/other/tax-zones/tax-zones", { key: OTHER_KEY }),
      500,
      "misconfigured",
    );
    expect(body.requestId).toEqual(expect.any(String));
  });

  it("turns Workers for Platforms' 'Worker not found' into the same problem", async () => {
    const namespace = {
      get: () => ({
        fetch: () => Promise.reject(new Error("Worker not found.")),
        connect: () => {
          throw new Error("no sockets");
        },
      }),
    } satisfies DispatchNamespace;
    const deployed = { ...bindings, DISPATCHER: namespace };
    const response = await callWorker(
      dispatcher,
      deployed,
      "https://api.test/acme/invoice-lookup/invoices/1",
      {
        key: ACME_KEY,
      },
    );
    await expectProblem(response, 500, "misconfigured");
  });

  it("answers /healthz without a key", async () => {
    const response = await call("/healthz", { key: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", worker: "dispatch" });
  });
});

// The token broker with real Durable Object and KV bindings, against the simulator on a manual
// clock. Isolates in other Cloudflare locations are modelled by kvLocations (KV's per-location
// cache); the broker itself is one object, as on Cloudflare.

import { abortAllDurableObjects, env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { ServiceTitanAuthError, unwrap } from "@st-edge/servicetitan";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createTokenCipher,
  type KvTokenProviderOptions,
  type TokenCacheEvent,
  tokenCacheKey,
  WORKER_REFRESH_MARGIN_MS,
} from "../src/index.ts";
import { TEST_ENCRYPTION_KEY } from "./keys.ts";
import { DEMO, kvLocations, OTHER, resetBrokersAndKv, seeded, world } from "./support.ts";

const pageOfInvoices = { params: { query: { pageSize: 1 } } };
const SPREAD_MS = 5_000;

beforeEach(resetBrokersAndKv);

/** A world whose isolates sit in `locations` locations, every one of them using the broker. */
function brokered(options: { locations?: number; lagMs?: number; tokenLifetimeSeconds?: number } = {}) {
  const w = world({ tokenLifetimeSeconds: options.tokenLifetimeSeconds });
  const kv = kvLocations(env.TOKENS, () => w.clock.now(), options.lagMs ?? 60_000);
  const isolate = (location: number, overrides: Partial<KvTokenProviderOptions> = {}) =>
    w.provider({
      kv: kv.at(location % (options.locations ?? 1)),
      broker: env.TOKEN_BROKER,
      refreshMarginMs: WORKER_REFRESH_MARGIN_MS,
      refreshSpreadMs: SPREAD_MS,
      ...overrides,
    });
  const count = (event: TokenCacheEvent) => w.events.filter((e) => e === event).length;
  return { ...w, kv, isolate, count };
}

describe("one refresher for every location", () => {
  it("makes one token request per token lifetime for a tenant spread over three locations", {
    timeout: 60_000,
  }, async () => {
    const w = brokered({ locations: 3 });
    const random = seeded(3);
    const isolates = Array.from({ length: 15 }, (_, i) => w.isolate(i, { random }));
    const clients = isolates.map((isolate) => w.client(isolate));
    const hours = 4;
    // A call every 20 s at a random isolate; each must be accepted by ServiceTitan (never a
    // token past its life), and the tenant's token count must be the one-location ideal.
    for (let ms = 0; ms < hours * 3_600_000; ms += 20_000) {
      const st = clients.at(Math.floor(random() * clients.length));
      if (!st) throw new Error("no isolate");
      unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
      w.clock.advance(20_000);
    }
    const usable = 900_000 - WORKER_REFRESH_MARGIN_MS - SPREAD_MS;
    expect(w.tokenRequests()).toBeLessThanOrEqual(Math.ceil((hours * 3_600_000) / usable));
    expect(w.count("broker-refresh")).toBe(w.tokenRequests());
    expect(w.count("token-request")).toBe(0);
  });

  it("makes one token request for thirty cold isolates in three locations at once", async () => {
    const w = brokered({ locations: 3 });
    const isolates = Array.from({ length: 30 }, (_, i) => w.isolate(i));
    const tokens = await Promise.all(isolates.map((isolate) => isolate.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(w.tokenRequests()).toBe(1);
  });

  it("keeps the hot path free of I/O: a token in memory is handed out without KV or the broker", async () => {
    const w = brokered();
    const tokens = w.isolate(0);
    const first = await tokens.getToken();
    w.events.length = 0;
    for (let i = 0; i < 100; i++) expect(await tokens.getToken()).toBe(first);
    expect(new Set(w.events)).toEqual(new Set(["memory-hit"]));
  });

  it("writes KV itself, so other isolates of its location find the token there", async () => {
    const w = brokered({ lagMs: 0 });
    const token = await w.isolate(0).getToken();
    w.events.length = 0;
    expect(await w.isolate(0).getToken()).toBe(token);
    expect(w.events).toEqual(["kv-hit"]);
    const key = await tokenCacheKey("simulator", DEMO.tenantId, DEMO.clientId);
    expect(await env.TOKENS.get(key)).toContain(token);
  });

  it("remembers its token across eviction (its own storage), without a new token request", async () => {
    const w = brokered({ lagMs: 0 });
    const token = await w.isolate(0).getToken();
    await abortAllDurableObjects();
    for (const key of (await env.TOKENS.list()).keys) await env.TOKENS.delete(key.name);
    expect(await w.isolate(0).getToken()).toBe(token);
    expect(w.tokenRequests()).toBe(1);
    expect(w.count("broker-hit")).toBe(1);
  });

  it("keeps tenants and environments apart: one broker each, never another's token", async () => {
    const w = brokered();
    const demo = w.isolate(0);
    const other = w.isolate(0, {
      tenantId: OTHER.tenantId,
      credentials: { clientId: OTHER.clientId, clientSecret: OTHER.clientSecret },
    });
    const integration = w.isolate(0, { environment: "integration" });
    const tokens = await Promise.all([demo, other, integration].map((p) => p.getToken()));
    expect(new Set(tokens).size).toBe(3);
    expect(await listDurableObjectIds(env.TOKEN_BROKER)).toHaveLength(3);
    unwrap(await w.client(other, OTHER.tenantId).GET("/tenant/{tenant}/invoices", pageOfInvoices));
    unwrap(await w.client(demo).GET("/tenant/{tenant}/invoices", pageOfInvoices));
  });
});

describe("revocation", () => {
  it("handles a revoked token once: one new token for every isolate in every location", async () => {
    const w = brokered({ locations: 3 });
    const isolates = Array.from({ length: 12 }, (_, i) => w.isolate(i));
    const clients = isolates.map((isolate) => w.client(isolate));
    await Promise.all(clients.map((st) => st.GET("/tenant/{tenant}/invoices", pageOfInvoices).then(unwrap)));
    expect(w.tokenRequests()).toBe(1);
    w.sim.revokeTokens(DEMO.tenantId);
    // Five concurrent calls per isolate, all meeting the 401 at once.
    const calls = clients.flatMap((st) =>
      Array.from({ length: 5 }, () => st.GET("/tenant/{tenant}/invoices", pageOfInvoices)),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.response.ok)).toBe(true);
    expect(w.tokenRequests()).toBe(2);
    expect(w.count("invalidated")).toBe(isolates.length);
  });

  it("never takes the refused token back from the broker while many calls of one isolate meet the 401", async () => {
    const w = brokered({ lagMs: 0 });
    const st = w.client(w.isolate(0));
    unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
    w.sim.revokeTokens(DEMO.tenantId);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => st.GET("/tenant/{tenant}/invoices", pageOfInvoices)),
    );
    expect(results.map((r) => r.response.status)).toEqual(results.map(() => 200));
    expect(w.tokenRequests()).toBe(2);
    // And afterwards: the isolate holds the new token, not the refused one.
    unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
    expect(w.tokenRequests()).toBe(2);
  });

  it("after a revocation during a token outage, recovers once the outage ends (never reusing the refused token)", async () => {
    const w = brokered({ lagMs: 0 });
    const st = w.client(w.isolate(0));
    unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
    w.sim.revokeTokens(DEMO.tenantId);
    w.sim.setFaults(DEMO.tenantId, [{ fault: "token-outage", operationId: "OAuth_Token", times: 3 }]);
    const during = await Promise.all(
      Array.from({ length: 10 }, () =>
        st.GET("/tenant/{tenant}/invoices", pageOfInvoices).catch((e: unknown) => e),
      ),
    );
    for (const outcome of during)
      expect(outcome).toMatchObject({ name: "ServiceTitanAuthError", failure: "unavailable" });
    w.clock.advance(6_000);
    for (let i = 0; i < 3; i++) unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
    expect(w.tokenRequests()).toBe(1 + 3 + 1);
  });

  it("does not take a revoked token back from KV when deleting it there failed", async () => {
    const w = world();
    // KV allows one write per second per key: under load a delete can fail, leaving the copy.
    const kv: KVNamespace = {
      get: env.TOKENS.get.bind(env.TOKENS),
      put: env.TOKENS.put.bind(env.TOKENS),
      list: env.TOKENS.list.bind(env.TOKENS),
      getWithMetadata: env.TOKENS.getWithMetadata.bind(env.TOKENS),
      delete: () => Promise.reject(new Error("KV PUT failed: 429 Too Many Requests")),
    };
    const tokens = w.provider({ kv });
    const st = w.client(tokens);
    unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
    w.sim.revokeTokens(DEMO.tenantId);
    unwrap(await st.GET("/tenant/{tenant}/invoices", pageOfInvoices));
    expect(w.tokenRequests()).toBe(2);
  });
});

describe("failures", () => {
  it("falls back to the token endpoint and KV when the broker binding is wrong", async () => {
    const w = brokered({ lagMs: 0 });
    const token = await w.isolate(0, { broker: env.MISBOUND_TOKEN_BROKER }).getToken();
    expect(w.count("broker-unreachable")).toBe(1);
    expect(w.count("token-request")).toBe(1);
    // It stored the token in KV as before the broker, so the next isolate finds it there.
    expect(await w.isolate(0, { broker: env.MISBOUND_TOKEN_BROKER }).getToken()).toBe(token);
    expect(w.tokenRequests()).toBe(1);
  });

  it("asks a failing token endpoint once per cool-down for every isolate, then recovers", async () => {
    const w = brokered({ locations: 3 });
    w.sim.setFaults(DEMO.tenantId, [{ fault: "token-outage", operationId: "OAuth_Token" }]);
    const isolates = Array.from({ length: 9 }, (_, i) => w.isolate(i, { failureCooldownMs: 0 }));
    const errors = await Promise.all(isolates.map((isolate) => isolate.getToken().catch((e: unknown) => e)));
    for (const error of errors)
      expect(error).toMatchObject({ name: "ServiceTitanAuthError", failure: "unavailable" });
    const asked = w.tokenRequests();
    // One flight of bounded retries (requestToken's attempts), not one per isolate.
    expect(asked).toBeLessThanOrEqual(3);
    w.clock.advance(2_000);
    await Promise.all(isolates.map((isolate) => isolate.getToken().catch(() => undefined)));
    expect(w.tokenRequests()).toBe(asked);
    w.sim.setFaults(DEMO.tenantId, []);
    w.clock.advance(5_000);
    const tokens = await Promise.all(isolates.map((isolate) => isolate.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(w.tokenRequests()).toBe(asked + 1);
  });

  it("refuses invalid credentials with the endpoint's answer, without a request per isolate", async () => {
    const w = brokered({ locations: 3 });
    const wrong = { credentials: { clientId: DEMO.clientId, clientSecret: "wrong" }, failureCooldownMs: 0 };
    const errors = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        w
          .isolate(i, wrong)
          .getToken()
          .catch((e: unknown) => e),
      ),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(ServiceTitanAuthError);
      expect(error).toMatchObject({ failure: "invalid_client" });
      expect(JSON.stringify(error)).not.toContain("wrong");
    }
    expect(w.tokenRequests()).toBe(1);
  });
});

describe("encryption at rest", () => {
  it("stores ciphertext in KV and in its storage, readable by isolates holding the same key", async () => {
    const w = brokered({ lagMs: 0 });
    const cipher = await createTokenCipher(TEST_ENCRYPTION_KEY);
    const options = { broker: env.ENCRYPTING_TOKEN_BROKER, cipher };
    const token = await w.isolate(0, options).getToken();
    const key = await tokenCacheKey("simulator", DEMO.tenantId, DEMO.clientId);
    const raw = (await env.TOKENS.get(key)) ?? "";
    expect(raw).toContain("A256GCM");
    expect(raw).not.toContain(token);
    const broker = env.ENCRYPTING_TOKEN_BROKER.get(env.ENCRYPTING_TOKEN_BROKER.idFromName(key));
    const stored = await runInDurableObject(broker, (_, state) => state.storage.get("token"));
    expect(JSON.stringify(stored)).toContain("A256GCM");
    expect(JSON.stringify(stored)).not.toContain(token);
    w.events.length = 0;
    expect(await w.isolate(0, options).getToken()).toBe(token);
    expect(w.events).toEqual(["kv-hit"]);
  });
});

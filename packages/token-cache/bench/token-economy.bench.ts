// Token economy: upstream token requests against one per 900 s token lifetime (the ideal), over
// a simulated hour or day, requests spread at random over the isolates of two workers per
// tenant in one or three Cloudflare locations, tenants sharing one KV namespace. Runs in workerd
// against the simulator on a manual clock, with real KV and Durable Object bindings.
// "before": each isolate refreshes through KV alone (60 s margin). "broker": the workers' setup,
// every KV miss going to the tenant's token broker (30 s margin, WORKER_REFRESH_MARGIN_MS).
// KV between locations is modelled by kvLocations (a per-location cache of 60 s or 10 s).
// Prints one `BENCH token-economy {...}` JSON line per scenario (read by bench/run.mjs).

import { env } from "cloudflare:test";
import { it } from "vitest";
import { createKvTokenProvider, type TokenCacheEvent, WORKER_REFRESH_MARGIN_MS } from "../src/index.ts";
import { DEMO, kvLocations, resetBrokersAndKv, seeded, TOKEN_URL, world } from "../test/support.ts";

interface Scenario {
  name: string;
  requests: number;
  workers: number;
  isolatesPerWorker: number;
  locations: number;
  lagMs: number;
  tokenLifetimeSeconds: number;
  durationSeconds: number;
  /** Tenants sharing the KV namespace, each with its own isolates (default 1: the demo tenant). */
  tenants?: number;
  /** The workers' setup: the token broker and their margin. Without it, KV alone (before). */
  broker?: boolean;
}

const SPREAD_MS = 5_000;

async function run(s: Scenario) {
  await resetBrokersAndKv();
  const tenants = Array.from({ length: s.tenants ?? 1 }, (_, i) =>
    i === 0
      ? DEMO
      : {
          tenantId: 3_000_000 + i,
          name: `Bench ${i}`,
          clientId: `bench-${i}`,
          clientSecret: `secret-${i}`,
          invoiceCount: 1,
        },
  );
  const w = world({ tokenLifetimeSeconds: s.tokenLifetimeSeconds, tenants });
  const kv = kvLocations(env.TOKENS, () => w.clock.now(), s.lagMs);
  const random = seeded(11);
  const events = new Map<TokenCacheEvent, number>();
  const count = (event: TokenCacheEvent) => events.set(event, (events.get(event) ?? 0) + 1);
  const marginMs = s.broker ? WORKER_REFRESH_MARGIN_MS : 60_000;
  const perTenant = s.workers * s.isolatesPerWorker;
  const isolates = Array.from({ length: perTenant * tenants.length }, (_, i) => {
    const tenant = tenants[Math.floor(i / perTenant)] ?? DEMO;
    return createKvTokenProvider({
      kv: kv.at(i % s.locations),
      environment: "simulator",
      tenantId: tenant.tenantId,
      tokenUrl: TOKEN_URL,
      credentials: { clientId: tenant.clientId, clientSecret: tenant.clientSecret },
      fetch: w.simFetch,
      clock: w.clock,
      random,
      refreshMarginMs: marginMs,
      refreshSpreadMs: SPREAD_MS,
      broker: s.broker ? env.TOKEN_BROKER : undefined,
      onEvent: count,
    });
  });
  const step = (s.durationSeconds * 1000) / s.requests;
  const lifetime = s.tokenLifetimeSeconds;
  // The ideal: a client that knows each token's exact expiry, uses it to the last millisecond
  // and asks for the next one at the first request after: one token per 900 s of demand.
  const idealExpiry = new Map<number, number>();
  let idealPerLifetime = 0;
  const started = Date.now();
  for (let i = 0; i < s.requests; i++) {
    const index = Math.floor(random() * isolates.length);
    await isolates[index]?.getToken();
    const tenant = Math.floor(index / perTenant);
    if ((idealExpiry.get(tenant) ?? -1) <= w.clock.now()) {
      idealPerLifetime++;
      idealExpiry.set(tenant, w.clock.now() + lifetime * 1000);
    }
    w.clock.advance(step);
  }
  const ours = w.tokenRequests();
  const result = {
    scenario: s.name,
    design: s.broker ? "broker" : "before",
    requests: s.requests,
    hours: s.durationSeconds / 3600,
    tenants: tenants.length,
    isolates: isolates.length,
    locations: s.locations,
    kvLagSeconds: s.lagMs / 1000,
    tokenLifetimeSeconds: lifetime,
    marginSeconds: marginMs / 1000,
    ours,
    naive: s.requests,
    idealPerLifetime,
    ratioToIdeal: +(ours / idealPerLifetime).toFixed(3),
    memoryHits: events.get("memory-hit") ?? 0,
    kvReads: kv.counts.reads,
    // The broker writes KV once per refresh; isolates write only without it.
    kvWrites: kv.counts.writes + (events.get("broker-refresh") ?? 0),
    brokerCalls:
      (events.get("broker-hit") ?? 0) +
      (events.get("broker-refresh") ?? 0) +
      (events.get("broker-failure") ?? 0),
    wallSeconds: +((Date.now() - started) / 1000).toFixed(1),
  };
  console.log(`BENCH token-economy ${JSON.stringify(result)}`);
  return result;
}

const hour = { requests: 10_000, workers: 2, isolatesPerWorker: 5, durationSeconds: 3600 };
const day = { ...hour, durationSeconds: 86_400 };
const lifetime = { tokenLifetimeSeconds: 900 };

it("before: one location, 900 s tokens, an hour and a day", async () => {
  await run({ name: "1 location, 1 h", ...hour, ...lifetime, locations: 1, lagMs: 0 });
  await run({ name: "1 location, 24 h", ...day, ...lifetime, locations: 1, lagMs: 0 });
  await run({ name: "1 location, 300 s tokens", ...hour, tokenLifetimeSeconds: 300, locations: 1, lagMs: 0 });
});

it("before: three locations (KV cache 60 s and 10 s)", async () => {
  await run({ name: "3 locations, 60 s KV lag, 24 h", ...day, ...lifetime, locations: 3, lagMs: 60_000 });
  await run({
    name: "3 locations, 10 s KV lag, 10 isolates per worker",
    ...hour,
    ...lifetime,
    isolatesPerWorker: 10,
    locations: 3,
    lagMs: 10_000,
  });
});

it("before: ten tenants sharing one KV namespace", async () => {
  await run({ name: "10 tenants, 1 location", ...hour, ...lifetime, tenants: 10, locations: 1, lagMs: 0 });
});

it("broker: one and three locations over a day", async () => {
  await run({ name: "1 location, 24 h", ...day, ...lifetime, locations: 1, lagMs: 0, broker: true });
  await run({
    name: "3 locations, 60 s KV lag, 24 h",
    ...day,
    ...lifetime,
    locations: 3,
    lagMs: 60_000,
    broker: true,
  });
});

it("broker: 1,000 tenants sharing one KV namespace, three locations", async () => {
  await run({
    name: "1,000 tenants, 3 locations, 60 s KV lag",
    requests: 100_000,
    workers: 2,
    isolatesPerWorker: 2,
    durationSeconds: 3600,
    tenants: 1000,
    ...lifetime,
    locations: 3,
    lagMs: 60_000,
    broker: true,
  });
});

// Shared setup for token-cache tests and the token-economy benchmark: a simulator on a manual
// clock, providers that play the part of separate isolates (each its own memory) sharing one
// real KV namespace, and a model of KV as seen from other Cloudflare locations.

import { env } from "cloudflare:test";
import type { Fetch } from "@st-edge/servicetitan";
import { createServiceTitanClient, manualClock } from "@st-edge/servicetitan";
import {
  createSimulator,
  DEMO_APP_KEY,
  DEMO_TENANTS,
  SIMULATOR_HOSTS,
  type Simulator,
  type SimulatorTenant,
} from "@st-edge/simulator";
import { createKvTokenProvider, type KvTokenProviderOptions, type TokenCacheEvent } from "../src/index.ts";

/** A seeded [0, 1) generator, so spreads and jitter repeat from run to run. */
export { mulberry32 as seeded } from "@st-edge/simulator";

export const [DEMO, OTHER] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[number], (typeof DEMO_TENANTS)[number]];
export const TOKEN_URL = `${SIMULATOR_HOSTS.authBaseUrl}/connect/token`;

export function world(options: { tokenLifetimeSeconds?: number; tenants?: SimulatorTenant[] } = {}) {
  const clock = manualClock();
  const sim: Simulator = createSimulator({
    clock,
    tenants: options.tenants,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    tokenRateLimit: { requests: 1_000_000, perSeconds: 1 },
  });
  const simFetch: Fetch = (request) => sim.fetch(request);
  const events: TokenCacheEvent[] = [];

  /** One "isolate": a provider with its own memory over the shared KV. */
  const provider = (overrides: Partial<KvTokenProviderOptions> = {}) =>
    createKvTokenProvider({
      kv: env.TOKENS,
      environment: "simulator",
      tenantId: DEMO.tenantId,
      tokenUrl: TOKEN_URL,
      credentials: { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret },
      fetch: simFetch,
      clock,
      refreshSpreadMs: 0,
      onEvent: (event) => events.push(event),
      ...overrides,
    });

  const client = (tokens: ReturnType<typeof provider>, tenantId = DEMO.tenantId) =>
    createServiceTitanClient({
      environment: SIMULATOR_HOSTS,
      tenantId,
      appKey: DEMO_APP_KEY,
      tokens,
      fetch: simFetch,
      clock,
      retry: false,
    });

  return {
    clock,
    sim,
    simFetch,
    events,
    provider,
    client,
    tokenRequests: () => sim.stats().tokenRequests.total,
  };
}

/**
 * KV as one Cloudflare location sees it: reads are served from that location's cache for
 * `lagMs` after it last fetched a key (KV's `cacheTtl`, 60 s by default, absent keys included),
 * writes and deletes made there are seen there at once. `lagMs: 0` is KV without a cache.
 * A model of KV, not of our code: it decides only what each read returns.
 *
 * @example
 * const locations = kvLocations(env.TOKENS, () => clock.now(), 60_000);
 * createKvTokenProvider({ kv: locations.at(1), ... });
 */
export function kvLocations(kv: KVNamespace, now: () => number, lagMs: number) {
  const caches = new Map<number, Map<string, { value: string | null; at: number }>>();
  const counts = { reads: 0, writes: 0 };
  const at = (location: number): KVNamespace => {
    const cache = caches.get(location) ?? new Map<string, { value: string | null; at: number }>();
    caches.set(location, cache);
    const view = Object.create(kv) as KVNamespace;
    view.get = (async (key: string, type?: unknown) => {
      counts.reads++;
      let entry = cache.get(key);
      if (!entry || now() - entry.at >= lagMs) {
        entry = { value: await kv.get(key), at: now() };
        cache.set(key, entry);
      }
      if (entry.value === null) return null;
      return type === "json" ? JSON.parse(entry.value) : entry.value;
    }) as KVNamespace["get"];
    view.put = (async (key: string, value: string, options?: KVNamespacePutOptions) => {
      counts.writes++;
      cache.set(key, { value, at: now() });
      return kv.put(key, value, options);
    }) as KVNamespace["put"];
    view.delete = async (key: string) => {
      counts.writes++;
      cache.set(key, { value: null, at: now() });
      return kv.delete(key);
    };
    return view;
  };
  return { at, counts };
}

// Shared setup for token-cache tests and the token-economy benchmark: a simulator on a manual
// clock, providers that play the part of separate isolates (each its own memory) sharing one
// real KV namespace, and a model of KV as seen from other Cloudflare locations.

import { abortAllDurableObjects, env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
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
 * KV as seen from several Cloudflare locations: a write is seen at once where it was made and
 * only `lagMs` later elsewhere (KV is eventually consistent; "up to 60 seconds or more"). Writes
 * made outside these views (the token broker's) are noticed on the next read and are then seen
 * everywhere after the lag: later than on Cloudflare, never earlier. A model of KV, not of our
 * code: it decides only what each read returns. `lagMs: 0` is KV without lag.
 *
 * @example
 * const kv = kvLocations(env.TOKENS, () => clock.now(), 60_000);
 * createKvTokenProvider({ kv: kv.at(1), ... }); // an isolate in the second location
 */
export function kvLocations(kv: KVNamespace, now: () => number, lagMs: number) {
  const ELSEWHERE = -1;
  const history = new Map<string, { value: string | null; at: number; location: number }[]>();
  /** Reads and writes made through the views (not the broker's own writes). */
  const counts = { reads: 0, writes: 0 };
  const record = (key: string, value: string | null, location: number) => {
    if (location !== ELSEWHERE) counts.writes++;
    history.set(key, [...(history.get(key) ?? []), { value, at: now(), location }]);
  };
  const at = (location: number): KVNamespace => {
    const view = Object.create(kv) as KVNamespace;
    view.get = (async (key: string, type?: unknown) => {
      counts.reads++;
      const latest = await kv.get(key);
      if ((history.get(key)?.at(-1)?.value ?? null) !== latest) record(key, latest, ELSEWHERE);
      const visible = (history.get(key) ?? [])
        .filter((e) => e.location === location || now() - e.at >= lagMs)
        .at(-1);
      if (!visible || visible.value === null) return null;
      return type === "json" ? JSON.parse(visible.value) : visible.value;
    }) as KVNamespace["get"];
    view.put = (async (key: string, value: string, options?: KVNamespacePutOptions) => {
      record(key, value, location);
      return kv.put(key, value, options);
    }) as KVNamespace["put"];
    view.delete = async (key: string) => {
      record(key, null, location);
      return kv.delete(key);
    };
    return view;
  };
  return { at, counts };
}

/**
 * Empties every token broker and the KV namespace: storage is isolated per test file, not per
 * test, and a broker keeps its token in memory too.
 */
export async function resetBrokersAndKv(): Promise<void> {
  for (const namespace of [env.TOKEN_BROKER, env.ENCRYPTING_TOKEN_BROKER]) {
    for (const id of await listDurableObjectIds(namespace)) {
      await runInDurableObject(namespace.get(id), (_, state) => state.storage.deleteAll());
    }
  }
  await abortAllDurableObjects();
  let cursor: string | undefined;
  do {
    const page = await env.TOKENS.list({ cursor });
    await Promise.all(page.keys.map((key) => env.TOKENS.delete(key.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

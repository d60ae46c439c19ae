// Shared setup for token-cache tests: a simulator on a manual clock, and providers that play the
// part of separate isolates (each its own memory) sharing one real KV namespace.

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

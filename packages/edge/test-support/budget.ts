// The time budget every worker keeps: with ServiceTitan silent (no answer at all, or no token),
// every route answers within its request budget with a retryable problem (504, or 503 with
// Retry-After), never by waiting for ServiceTitan's own timeouts. Each worker's test/budget.test.ts
// gives one request per route; a route without one fails the suite.
import type { Simulator } from "@st-edge/simulator";
import { afterAll, describe, expect, it } from "vitest";
import type { EdgeBindings } from "../src/config.ts";
import type { RouteSpec } from "../src/routes.ts";
import {
  callWorker,
  expectProblem,
  faultBinding,
  forgetCachedTokens,
  type WorkerUnderTest,
} from "./index.ts";

export interface SilentUpstreamOptions<B extends EdgeBindings> {
  name: string;
  worker: WorkerUnderTest<B>;
  /** The worker's bindings against `sim` (they are given a short budget and long ServiceTitan timeouts). */
  env: (overrides: Partial<EdgeBindings>) => Promise<B>;
  sim: Simulator;
  routes: readonly RouteSpec[];
  /** A valid request per operationId (only ServiceTitan's silence should stop it). */
  requests: Record<string, { path: string; init?: RequestInit }>;
}

/** The budget the suite runs with: far below ServiceTitan's 30 s timeout, so waiting it out would show. */
export const SILENT_BUDGET_MS = 2_000;

/** Runs every route against a ServiceTitan that never answers, then against a token endpoint that never answers. */
export function describeSilentUpstream<B extends EdgeBindings>(options: SilentUpstreamOptions<B>): void {
  const { name, worker, sim, routes, requests } = options;
  const silences: Record<string, { bindings: () => Partial<EdgeBindings>; noToken: boolean }> = {
    "ServiceTitan never answers": {
      bindings: () => ({ SERVICETITAN: faultBinding(sim, "hang") }),
      noToken: false,
    },
    // A fresh encryption key makes every token cached in KV a miss, and the broker forgets its
    // own: a token must be fetched.
    "the token endpoint never answers": {
      bindings: () => ({ SERVICETITAN: tokenHang(sim), TOKEN_ENCRYPTION_KEY: freshKey() }),
      noToken: true,
    },
  };
  describe(`${name}: ServiceTitan silent`, () => {
    // The token broker is still waiting on the hung sign-ins: a test file after this one in the
    // same isolate (isolate: false) would wait on them too. End them and forget their state.
    afterAll(async () => forgetCachedTokens(await options.env({})));

    it("has a request for every route", () => {
      expect(routes.map((route) => route.operationId).filter((id) => !(id in requests))).toEqual([]);
    });

    for (const [silence, { bindings, noToken }] of Object.entries(silences)) {
      it.each(routes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
        `${silence}: %s answers a retryable problem within the budget`,
        async (_, route) => {
          const request = requests[route.operationId];
          if (!request) throw new Error(`no request for ${route.operationId}`);
          const e = await options.env({
            ...bindings(),
            REQUEST_BUDGET_MS: String(SILENT_BUDGET_MS),
            ST_TIMEOUT_MS: "30000",
          });
          if (noToken) await forgetCachedTokens(e);
          const started = Date.now();
          const response = await callWorker(worker, e, request.path, {
            method: route.method.toUpperCase(),
            ...request.init,
          });
          // Bounded by the budget, not by the 30 s ServiceTitan timeout (generous slack for a busy machine).
          expect(Date.now() - started).toBeLessThan(SILENT_BUDGET_MS + 3_000);
          expect([503, 504]).toContain(response.status);
          await expectProblem(response, response.status);
          expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
        },
      );
    }
  });
}

/** A random TOKEN_ENCRYPTION_KEY (base64, 32 bytes). */
function freshKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

/** A simulator binding whose token endpoint never answers (a fresh isolate has no token cached). */
function tokenHang(sim: Simulator): Fetcher {
  return {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname === "/connect/token") request.headers.set("X-Sim-Fault", "hang");
      return sim.fetch(request);
    },
    connect: () => {
      throw new Error("the simulator binding has no sockets");
    },
  };
}

// Property-based fuzzing every worker runs: random paths, methods, headers, query strings and
// bodies, with and without a valid key. Whatever arrives: never a 5xx caused by input, every
// error is problem+json, and no secret (client secret, app key, access token, caller key)
// appears in any response or log line.
import { DEMO_APP_KEY, DEMO_TENANTS, type Simulator } from "@st-edge/simulator";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { EdgeBindings } from "../src/config.ts";
import type { RouteSpec } from "../src/routes.ts";
import { callWorker, OTHER_API_KEY, simulatorEnv, TEST_API_KEY, type WorkerUnderTest } from "./index.ts";

export interface FuzzOptions<B extends EdgeBindings> {
  name: string;
  worker: WorkerUnderTest<B>;
  base: B;
  sim: Simulator;
  routes: readonly RouteSpec[];
  /** Cases per property (default 150). */
  runs?: number;
}

const segment = fc.oneof(
  fc.constantFrom(
    "1",
    "0",
    "-1",
    "9007199254740993",
    "1e3",
    "%00",
    "..",
    "%2e%2e",
    "abc",
    "null",
    "{{id}}",
    "１２",
  ),
  fc.nat().map(String),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);

const queryValue = fc.oneof(
  fc.constantFrom(
    "",
    "1",
    "true",
    "2026-02-30",
    "2026-01-01T00:00:00Z",
    "1,2,3",
    "-5",
    "NaN",
    "Pending",
    "x".repeat(3000),
  ),
  fc.string({ maxLength: 20 }),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 50 }),
  fc
    .record(
      {
        amount: fc.oneof(
          fc.double(),
          fc.string(),
          fc.constantFrom("10.00", "0.001", "-5", "1e9", "{{amount}}"),
        ),
        invoiceId: fc.oneof(fc.integer(), fc.constantFrom(2 ** 53 + 1, 0), fc.string()),
        splits: fc.array(fc.record({ invoiceId: fc.integer(), amount: fc.oneof(fc.string(), fc.double()) }), {
          maxLength: 3,
        }),
        typeId: fc.integer(),
        paymentType: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

/** Runs the fuzz properties for one worker. */
export function describeWorkerFuzz<B extends EdgeBindings>({
  name,
  worker,
  base,
  sim,
  routes,
  runs = 150,
}: FuzzOptions<B>) {
  describe(`${name} fuzz`, () => {
    it("never answers 5xx to any input, answers errors as problem+json, and leaks no secret", async () => {
      const upstreamTokens = new Set<string>();
      const lines: string[] = [];
      const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          lines.push(args.map(String).join(" "));
        }),
      );
      const env = await simulatorEnv(base, sim, {
        SERVICETITAN: {
          fetch: (input: RequestInfo | URL, init?: RequestInit) => {
            const request = input instanceof Request && init === undefined ? input : new Request(input, init);
            const authorization = request.headers.get("Authorization");
            if (authorization) upstreamTokens.add(authorization.replace(/^Bearer\s+/i, ""));
            return sim.fetch(request);
          },
          connect: () => {
            throw new Error("no sockets");
          },
        },
      });
      const tenant = DEMO_TENANTS[0];
      const secrets = () => [
        tenant?.clientSecret ?? "",
        DEMO_APP_KEY,
        TEST_API_KEY,
        OTHER_API_KEY,
        ...upstreamTokens,
      ];
      let cases = 0;
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              route: fc.constantFrom(...routes),
              randomPath: fc.boolean(),
              segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
              pathValues: fc.array(segment, { minLength: 3, maxLength: 3 }),
              method: fc.constantFrom("GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"),
              useRouteMethod: fc.boolean(),
              query: fc.dictionary(
                fc.oneof(
                  fc.string({ maxLength: 10 }),
                  fc.constantFrom(
                    "ids",
                    "id",
                    "limit",
                    "page",
                    "invoiceId",
                    "status",
                    "modifiedSince",
                    "active",
                    "name",
                  ),
                ),
                queryValue,
                { maxKeys: 4 },
              ),
              headers: fc.dictionary(
                fc.constantFrom("Content-Type", "Idempotency-Key", "X-Request-Id", "Accept", "X-Api-Key"),
                fc.oneof(
                  fc.constantFrom("application/json", "text/plain", "", "a".repeat(300)),
                  fc.string({ maxLength: 20 }),
                ),
                { maxKeys: 3 },
              ),
              authenticated: fc.boolean(),
              body,
            }),
            async (c) => {
              cases++;
              let index = 0;
              const path = c.randomPath
                ? `/${c.segments.join("/")}`
                : c.route.path.replace(/\{\w+\}/g, () => c.pathValues[index++ % 3] ?? "1");
              const url = new URL(path, "https://worker.test");
              for (const [key, value] of Object.entries(c.query)) url.searchParams.append(key, value);
              const method = c.useRouteMethod ? c.route.method.toUpperCase() : c.method;
              const headers = new Headers();
              for (const [key, value] of Object.entries(c.headers)) {
                try {
                  headers.set(key, value);
                } catch {
                  // not a legal header value: a client could not send it either
                }
              }
              const response = await callWorker(worker, env, `${url.pathname}${url.search}`, {
                method,
                headers,
                body: method === "GET" || method === "OPTIONS" ? undefined : c.body,
                key: c.authenticated ? TEST_API_KEY : null,
              });
              const text = await response.text();
              expect(
                response.status,
                `${method} ${url.pathname}${url.search} → ${text.slice(0, 300)}`,
              ).toBeLessThan(500);
              if (response.status >= 400)
                expect(response.headers.get("Content-Type")).toBe("application/problem+json");
              for (const secret of secrets()) if (secret) expect(text).not.toContain(secret);
            },
          ),
          { numRuns: runs, seed: 20261125 },
        );
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      const logged = lines.join("\n");
      for (const secret of secrets()) if (secret) expect(logged).not.toContain(secret);
      console.log(`fuzz: ${name} cases=${cases} 5xx=0 secrets-leaked=0`);
    }, 120_000);
  });
}

// Test helpers every worker's tests use: an env wired to an in-process simulator (as the demo
// tenant, another tenant, or with a fault on every accounting call), a direct ServiceTitan reader
// for expected answers, a caller with a valid key, and the shared contract suite (auth, unknown
// routes, problem shape, OpenAPI). Test-only: never imported by worker code.

import {
  abortAllDurableObjects,
  createExecutionContext,
  listDurableObjectIds,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { Validator } from "@cfworker/json-schema";
import {
  DEMO_APP_KEY,
  DEMO_TENANTS,
  FAULT_HEADER,
  type Simulator,
  type SimulatorTenant,
} from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../src/caller-auth.ts";
import type { EdgeBindings } from "../src/config.ts";
import type { RouteSpec } from "../src/routes.ts";

export const TEST_API_KEY = "test-caller-key-4f1c2a9e7b";
export const OTHER_API_KEY = "rotated-caller-key-9d8e7f6a5b";

/** The simulator tenant a deployment's credentials name. */
export type TenantCredentials = Pick<SimulatorTenant, "tenantId" | "clientId" | "clientSecret">;

function demoTenant(index: number): SimulatorTenant {
  const tenant = DEMO_TENANTS[index];
  if (!tenant) throw new Error(`the simulator has no demo tenant #${index}`);
  return tenant;
}

/** The tenant every worker under test is deployed for (1000001). */
export const DEMO_TENANT = demoTenant(0);
/** A second tenant of the same simulator: its ids must never show through the demo deployment. */
export const OTHER_TENANT = demoTenant(1);

/** A service binding that runs the simulator in this isolate. */
export function simulatorBinding(sim: Simulator): Fetcher {
  return {
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      sim.fetch(input instanceof Request && init === undefined ? input : new Request(input, init)),
    connect: () => {
      throw new Error("the simulator binding has no sockets");
    },
  };
}

/**
 * A simulator binding where `fault(request)` may name an `X-Sim-Fault` for any request (accounting
 * calls and token requests alike): faults on chosen calls only, e.g. the create and not the reads.
 *
 * @example
 * const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBindingFor(sim, (r) => r.method === "POST" ? "hang" : undefined) });
 */
export function faultBindingFor(sim: Simulator, fault: (request: Request) => string | undefined): Fetcher {
  return {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const name = fault(request);
      if (name) request.headers.set(FAULT_HEADER, name);
      return sim.fetch(request);
    },
    connect: () => {
      throw new Error("the simulator binding has no sockets");
    },
  };
}

/**
 * A simulator binding whose accounting calls (paths under `/accounting/`) carry
 * `X-Sim-Fault: <fault>`. Token requests go through untouched, so the fault is what the
 * worker's ServiceTitan call meets, not its sign-in.
 *
 * @example
 * const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBinding(sim, "status=503") });
 */
export function faultBinding(sim: Simulator, fault: string): Fetcher {
  return faultBindingFor(sim, (request) =>
    new URL(request.url).pathname.startsWith("/accounting/") ? fault : undefined,
  );
}

/**
 * The bindings that deploy a worker for `tenant` of the simulator instead of the demo tenant.
 *
 * @example
 * const e = await simulatorEnv(env, sim, tenantBindings(OTHER_TENANT));
 */
export function tenantBindings(tenant: TenantCredentials) {
  return {
    ST_TENANT_ID: String(tenant.tenantId),
    ST_CLIENT_ID: tenant.clientId,
    ST_CLIENT_SECRET: tenant.clientSecret,
  } satisfies Partial<EdgeBindings>;
}

/**
 * Forgets every cached ServiceTitan token, in KV and in the token broker (its storage and its
 * memory), as a deployment that never signed in would find it. Durable Object storage is
 * isolated per test file, not per test. Other Durable Objects keep their storage.
 *
 * @example beforeEach(() => forgetCachedTokens(env));
 */
export async function forgetCachedTokens(
  bindings: Pick<EdgeBindings, "TOKENS" | "TOKEN_BROKER">,
): Promise<void> {
  const { keys } = await bindings.TOKENS.list({ prefix: "st-token:" });
  await Promise.all(keys.map((key) => bindings.TOKENS.delete(key.name)));
  const broker = bindings.TOKEN_BROKER;
  if (!broker) return;
  for (const id of await listDurableObjectIds(broker)) {
    await runInDurableObject(broker.get(id), (_, state) => state.storage.deleteAll());
  }
  await abortAllDurableObjects();
}

/** Bindings for a worker under test: the demo tenant of `sim`, and TEST_API_KEY + OTHER_API_KEY accepted. */
export async function simulatorEnv<B extends EdgeBindings>(
  base: B,
  sim: Simulator,
  overrides: Partial<EdgeBindings> = {},
): Promise<B> {
  return {
    ...base,
    ST_ENVIRONMENT: "simulator",
    ...tenantBindings(DEMO_TENANT),
    ST_APP_KEY: DEMO_APP_KEY,
    API_KEY_HASHES: `${await hashApiKey(TEST_API_KEY)},${await hashApiKey(OTHER_API_KEY)}`,
    SERVICETITAN: simulatorBinding(sim),
    ...overrides,
  };
}

/**
 * Bindings for a worker that creates exactly once (its Idempotency-Key, reconciliation), against
 * the demo tenant of `sim`, with ServiceTitan's per-call timeout and the read-after-write wait cut
 * short so faults resolve fast; `fault(request)`, when given, may name an X-Sim-Fault for any
 * upstream request.
 *
 * @example const e = await writerEnv(env, sim, {}, faultsOnFirst(isCreate, "commit-then-drop"));
 */
export async function writerEnv<B extends EdgeBindings>(
  base: B,
  sim: Simulator,
  overrides: Partial<B> = {},
  fault?: (request: Request) => string | undefined,
): Promise<B> {
  const bound = await simulatorEnv(base, sim, {
    ST_TIMEOUT_MS: "300",
    ...(fault && { SERVICETITAN: faultBindingFor(sim, fault) }),
  });
  return { ...bound, RECONCILE_WAIT_MS: "40", ...overrides };
}

/**
 * A fault for `faultBindingFor`: `fault` on the first `times` requests that `matches`, nothing on
 * any other request.
 *
 * @example faultBindingFor(sim, faultsOnFirst(isCreate, "status=503", 2))
 */
export function faultsOnFirst(matches: (request: Request) => boolean, fault: string, times = 1) {
  let left = times;
  return (request: Request): string | undefined => {
    if (!matches(request) || left <= 0) return undefined;
    left--;
    return fault;
  };
}

export interface ReadServiceTitanOptions {
  /** Method, headers and body of the call (default a GET). */
  init?: RequestInit;
  /** Whose data to read (default DEMO_TENANT). */
  tenant?: TenantCredentials;
}

// One token per simulator and tenant: the expected side of a test should not spend the
// simulator's token throttle, nor its counters, on every read.
const readerTokens = new WeakMap<Simulator, Map<number, Promise<string>>>();

async function requestReaderToken(sim: Simulator, tenant: TenantCredentials): Promise<string> {
  const response = await sim.fetch(
    new Request("https://servicetitan.simulator/connect/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
      }),
    }),
  );
  if (!response.ok)
    throw new Error(`simulator refused a token for tenant ${tenant.tenantId}: ${response.status}`);
  return (await response.json<{ access_token: string }>()).access_token;
}

function readerToken(sim: Simulator, tenant: TenantCredentials): Promise<string> {
  const tokens = readerTokens.get(sim) ?? new Map<number, Promise<string>>();
  readerTokens.set(sim, tokens);
  let token = tokens.get(tenant.tenantId);
  if (!token) {
    token = requestReaderToken(sim, tenant);
    // A refused token is not kept: the next read asks again.
    token.catch(() => tokens.delete(tenant.tenantId));
    tokens.set(tenant.tenantId, token);
  }
  return token;
}

/**
 * Calls the simulator as a ServiceTitan client of `tenant` would, straight past the worker:
 * the source of a test's expected answers, or (with a POST in `init`) of changes upstream.
 * `path` is under the tenant's Accounting v2 base.
 *
 * @example
 * const response = await readServiceTitan(sim, "/payment-types");
 * const theirs = await readServiceTitan(sim, "/invoices?pageSize=5", { tenant: OTHER_TENANT });
 */
export async function readServiceTitan(
  sim: Simulator,
  path: string,
  { init = {}, tenant = DEMO_TENANT }: ReadServiceTitanOptions = {},
): Promise<Response> {
  const send = async () => {
    const request = new Request(
      `https://servicetitan.simulator/accounting/v2/tenant/${tenant.tenantId}${path}`,
      init,
    );
    request.headers.set("Authorization", await readerToken(sim, tenant));
    request.headers.set("ST-App-Key", DEMO_APP_KEY);
    return sim.fetch(request);
  };
  const response = await send();
  if (response.status !== 401) return response;
  // A test revoked the simulator's tokens (sim.revokeTokens): sign in again, once.
  readerTokens.get(sim)?.delete(tenant.tenantId);
  return send();
}

/**
 * readServiceTitan for a JSON answer; throws unless the simulator answers 2xx.
 *
 * @example
 * const { data } = await readServiceTitanJson<{ data: Invoice[] }>(sim, "/invoices?ids=11000001");
 */
export async function readServiceTitanJson<T>(
  sim: Simulator,
  path: string,
  options: ReadServiceTitanOptions = {},
): Promise<T> {
  const response = await readServiceTitan(sim, path, options);
  if (!response.ok) throw new Error(`simulator answered ${response.status} for ${path}`);
  return response.json<T>();
}

export interface WorkerUnderTest<B> {
  fetch(request: Request, env: B, ctx: ExecutionContext): Response | Promise<Response>;
}

/**
 * Calls the worker's default export like the runtime would, with TEST_API_KEY unless `key` says
 * otherwise (`null` sends none), and waits for its background work.
 */
export async function callWorker<B>(
  worker: WorkerUnderTest<B>,
  env: B,
  path: string,
  init: RequestInit & { key?: string | null } = {},
): Promise<Response> {
  const { key = TEST_API_KEY, ...rest } = init;
  const request = new Request(new URL(path, "https://worker.test"), rest);
  if (key !== null && !request.headers.has("Authorization"))
    request.headers.set("Authorization", `Bearer ${key}`);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const PROBLEM_SHAPE = new Validator({
  type: "object",
  required: ["type", "title", "status"],
  properties: {
    type: { type: "string", pattern: "^[a-z][a-z0-9+.-]*:" },
    title: { type: "string", minLength: 1 },
    status: { type: "integer", minimum: 400, maximum: 599 },
    detail: { type: "string" },
    requestId: { type: "string" },
    traceId: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["in", "field", "message"],
        properties: {
          in: { enum: ["path", "query", "header", "body"] },
          field: { type: "string" },
          message: { type: "string" },
        },
      },
    },
  },
});

/** Asserts `response` is an RFC 9457 problem with `status` (and `type` suffix when given); returns its body. */
export async function expectProblem(
  response: Response,
  status: number,
  type?: string,
): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  // Every answer carries one, problems included: the id a caller quotes when asking for help.
  expect(response.headers.get("X-Request-Id")).toMatch(/^[\w=-]{1,128}$/);
  const body: unknown = await response.json();
  const result = PROBLEM_SHAPE.validate(body);
  expect(result.errors).toEqual([]);
  if (typeof body !== "object" || body === null) throw new Error("problem body is not an object");
  expect("status" in body && body.status).toBe(status);
  if (type) expect("type" in body && body.type).toBe(`urn:st-edge:problem:${type}`);
  return Object.fromEntries(Object.entries(body));
}

/** A concrete path for a route, with `1` for every path parameter. */
const samplePath = (route: RouteSpec) => route.path.replace(/\{\w+\}/g, "1");

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** What `fetch` would send for `method` with a JSON body (none for GET and HEAD). */
const withBody = (method: string, body: string): RequestInit =>
  method === "GET" || method === "HEAD"
    ? { method }
    : { method, body, headers: { "Content-Type": "application/json" } };

type FieldErrors = { in: string; field: string; message: string }[];

export interface ContractOptions<B> {
  name: string;
  worker: WorkerUnderTest<B>;
  env: () => Promise<B>;
  routes: readonly RouteSpec[];
  /** The committed document in specs/workers/, which /openapi.json must serve unchanged. */
  openapi: object;
  /**
   * For open routes that authenticate their sender themselves (a webhook receiver checking a
   * signature): signs a request the way that sender would, so the input checks below reach the
   * route's own validation. Open routes without it are left to the worker's own tests.
   */
  sign?: (route: RouteSpec, request: Request) => Promise<Request>;
}

/** The contract every worker keeps. Call it from each worker's test/contract.test.ts. */
export function describeWorkerContract<B>({
  name,
  worker,
  env,
  routes,
  openapi,
  sign,
}: ContractOptions<B>): void {
  describe(`${name} contract`, () => {
    it("answers /healthz without a key", async () => {
      const response = await callWorker(worker, await env(), "/healthz", { key: null });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "ok", worker: name });
    });

    it.each(routes.filter((r) => !r.open).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
      "refuses %s without a valid key",
      async (_, route) => {
        const e = await env();
        const method = route.method.toUpperCase();
        for (const key of [null, "wrong-key", `${TEST_API_KEY}x`, ""]) {
          const response = await callWorker(worker, e, samplePath(route), { method, key });
          const body = await expectProblem(response, 401, "unauthorized");
          expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
          expect(JSON.stringify(body)).not.toContain(TEST_API_KEY);
        }
      },
    );

    it.each(routes.filter((r) => !r.open).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
      "refuses a revoked key and another deployment's key on %s",
      async (_, route) => {
        const e = await env();
        const method = route.method.toUpperCase();
        const refused = async (deployment: B, key: string) => {
          await expectProblem(
            await callWorker(worker, deployment, samplePath(route), { method, key }),
            401,
            "unauthorized",
          );
          const viaHeader = await callWorker(worker, deployment, samplePath(route), {
            method,
            key: null,
            headers: { "X-Api-Key": key },
          });
          await expectProblem(viaHeader, 401, "unauthorized");
        };
        // Rotation finished: TEST_API_KEY's digest was removed from API_KEY_HASHES.
        const rotated = { ...e, API_KEY_HASHES: await hashApiKey(OTHER_API_KEY) };
        await refused(rotated, TEST_API_KEY);
        expect((await callWorker(worker, rotated, "/openapi.json", { key: OTHER_API_KEY })).status).toBe(200);
        // Another deployment (another tenant's) has keys of its own: good there, refused here.
        const theirKey = "other-deployment-key-7a6b5c4d3e";
        const theirs = { ...e, API_KEY_HASHES: await hashApiKey(theirKey) };
        expect((await callWorker(worker, theirs, "/openapi.json", { key: theirKey })).status).toBe(200);
        await refused(e, theirKey);
      },
    );

    it("accepts every configured key, as Bearer or X-Api-Key", async () => {
      const e = await env();
      for (const key of [TEST_API_KEY, OTHER_API_KEY]) {
        expect((await callWorker(worker, e, "/openapi.json", { key })).status).toBe(200);
        const viaHeader = await callWorker(worker, e, "/openapi.json", {
          key: null,
          headers: { "X-Api-Key": key },
        });
        expect(viaHeader.status).toBe(200);
      }
    });

    it("answers unknown routes with a 404 problem", async () => {
      const e = await env();
      await expectProblem(await callWorker(worker, e, "/no-such-route"), 404, "not-found");
      await expectProblem(await callWorker(worker, e, "/invoices/../../etc/passwd"), 404);
      await expectProblem(
        await callWorker(worker, e, "/no-such-route", { method: "DELETE" }),
        404,
        "not-found",
      );
    });

    // Routes a request can reach: caller-authenticated ones, and open ones the worker can sign for.
    const byName = routes
      .filter((r) => !r.open || sign !== undefined)
      .map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const);
    /** Calls `route` as its callers do: with the test key, or signed when it is an open route. */
    const callRoute = async (e: B, route: RouteSpec, path: string, init: RequestInit) => {
      if (!route.open || !sign) return callWorker(worker, e, path, init);
      const signed = await sign(route, new Request(new URL(path, "https://worker.test"), init));
      return callWorker(worker, e, path, {
        method: signed.method,
        headers: signed.headers,
        body: init.body,
        key: null,
      });
    };

    // Found in use: POST /payments?dryRun=true posted a real payment, and routes that declare no
    // query at all took any. mount refuses them from the route's own query schema.
    it.each(byName)("refuses a query parameter %s does not declare, naming it", async (_, route) => {
      const method = route.method.toUpperCase();
      const path = `${samplePath(route)}?st_edge_unknown=1`;
      const response = await callRoute(await env(), route, path, withBody(method, "{}"));
      const body = await expectProblem(response, 400, "validation-failed");
      expect(body.errors as FieldErrors).toContainEqual({
        in: "query",
        field: "st_edge_unknown",
        message: expect.stringContaining("st_edge_unknown"),
      });
    });

    const withBodies = byName.filter(([, route]) => route.body !== undefined);
    if (withBodies.length > 0) {
      // Found in use: {"subtotal":"1.00","subtotal":"1000.00"} was read as 1000.00.
      it.each(withBodies)("refuses a JSON body with a repeated key on %s, naming it", async (_, route) => {
        const init = withBody(
          route.method.toUpperCase(),
          '{"splits":[{"amount":"1.00","amount":"1000.00"}]}',
        );
        const response = await callRoute(await env(), route, samplePath(route), init);
        const body = await expectProblem(response, 400, "validation-failed");
        expect(body.errors).toEqual([{ in: "body", field: "splits.0.amount", message: expect.any(String) }]);
      });

      // Found in use: text fields stored NUL, ESC and U+202E.
      it.each(withBodies)("refuses control and bidi characters in any body text on %s", async (_, route) => {
        for (const [text, field] of [
          [String.raw`{"memo":"a\u0000b"}`, "memo"],
          [String.raw`{"x":[{"note":"\u001b[2J"}]}`, "x.0.note"],
          [String.raw`{"y":"\u202egnp.exe"}`, "y"],
        ] as const) {
          const response = await callRoute(
            await env(),
            route,
            samplePath(route),
            withBody(route.method.toUpperCase(), text),
          );
          const body = await expectProblem(response, 400, "validation-failed");
          expect(body.errors).toEqual([{ in: "body", field, message: expect.stringMatching(/U\+/) }]);
        }
      });
    }

    // Found in use: DELETE /invoices/11000001 answered 404, GET /payments/status a misleading 400.
    const paths = [...new Set(routes.map((route) => route.path))];
    it.each(paths)("answers every method %s does not have with 405 and Allow", async (path) => {
      const e = await env();
      const documented = routes
        .filter((route) => route.path === path)
        .map((route) => route.method.toUpperCase());
      const allowed = new Set(documented.includes("GET") ? [...documented, "HEAD"] : documented);
      const concrete = path.replace(/\{\w+\}/g, "1");
      for (const method of METHODS.filter((m) => !allowed.has(m))) {
        const response = await callWorker(worker, e, concrete, withBody(method, "{}"));
        expect(response.status, `${method} ${concrete}`).toBe(405);
        expect(response.headers.get("Allow")?.split(", ").sort()).toEqual([...allowed].sort());
        expect(response.headers.get("X-Request-Id")).toBeTruthy();
        if (method !== "HEAD") await expectProblem(response, 405, "method-not-allowed");
      }
    });

    it.each(byName)("puts X-Request-Id on every problem %s answers", async (_, route) => {
      const e = await env();
      const method = route.method.toUpperCase();
      const headers = { "X-Request-Id": "zap-run-7" };
      const answers = [
        await callWorker(worker, e, samplePath(route), { method, key: null, headers }),
        await callWorker(worker, e, `${samplePath(route)}?st_edge_unknown=1`, { method, headers }),
      ];
      for (const response of answers) {
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.headers.get("X-Request-Id")).toBe("zap-run-7");
        expect(((await response.json()) as { requestId?: string }).requestId).toBe("zap-run-7");
      }
    });

    it("echoes a caller's request id and makes one otherwise", async () => {
      const e = await env();
      const echoed = await callWorker(worker, e, "/healthz", { headers: { "X-Request-Id": "zap-123" } });
      expect(echoed.headers.get("X-Request-Id")).toBe("zap-123");
      const made = await callWorker(worker, e, "/healthz");
      expect(made.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("serves its committed OpenAPI 3.1 document, covering every route", async () => {
      const response = await callWorker(worker, await env(), "/openapi.json");
      const served: unknown = await response.json();
      expect(served).toEqual(openapi);
      if (typeof served !== "object" || served === null || !("paths" in served)) throw new Error("no paths");
      expect(served).toMatchObject({ openapi: "3.1.0" });
      const documented = served.paths as Record<
        string,
        Record<string, { operationId: string; responses: object }>
      >;
      const operationIds = new Set<string>();
      for (const route of routes) {
        const operation = documented[route.path]?.[route.method];
        expect(operation?.operationId).toBe(route.operationId);
        operationIds.add(route.operationId);
        // Every schema in the document must compile as JSON Schema 2020-12.
        expect(() => new Validator(JSON.parse(JSON.stringify(operation)), "2020-12")).not.toThrow();
      }
      expect(operationIds.size).toBe(routes.length);
    });
  });
}

/**
 * `namespace`, with every call of `method` on its objects held until `hold(...its arguments)`
 * settles (the object itself is not held: other callers reach it meanwhile).
 *
 * @example const e = { ...base, IDEMPOTENCY: callsHeld(base.IDEMPOTENCY, "succeed", () => allowed) };
 */
export function callsHeld<N extends { get(id: DurableObjectId): object }>(
  namespace: N,
  method: string,
  hold: (...args: unknown[]) => Promise<unknown>,
): N {
  return new Proxy(namespace, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      if (property !== "get") return value.bind(target);
      return (id: DurableObjectId) =>
        new Proxy(target.get(id), {
          get(stub, name) {
            const call = Reflect.get(stub, name);
            if (name !== method || typeof call !== "function") return call;
            return async (...args: unknown[]) => {
              await hold(...args);
              return Reflect.apply(call, stub, args);
            };
          },
        });
    },
  });
}

/** `binding`, telling `seen` of each upstream request once its answer has arrived (or failed). */
export function upstreamSeen(binding: Fetcher, seen: (request: Request) => void): Fetcher {
  return {
    ...binding,
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request && init === undefined ? input : new Request(input, init);
      try {
        return await binding.fetch(request.clone());
      } finally {
        seen(request);
      }
    },
  };
}

/** Whether an upstream request is ServiceTitan's invoice list (reads by id included). */
const isInvoiceRead = (request: Request) =>
  request.method === "GET" && new URL(request.url).pathname.endsWith("/invoices");

/**
 * `e` watched between a write's invoice read and its gate: `events` records each invoice read
 * (once answered) and each gate acquire in order, `read` settles at the first invoice read. Each
 * acquire waits, before it reaches the gate: with `until: "read"` for the first read (at most a
 * second, so the order shows what waits on what), with `until: "released"` for `release()`.
 *
 * @example const { env, read, release } = readThenGate(base, { until: "released" });
 */
export function readThenGate<
  E extends { SERVICETITAN: Fetcher; INVOICE_GATES: { get(id: DurableObjectId): object } },
>(e: E, { until }: { until: "read" | "released" }) {
  const events: string[] = [];
  let readDone!: () => void;
  const read = new Promise<void>((resolve) => {
    readDone = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const env: E = {
    ...e,
    SERVICETITAN: upstreamSeen(e.SERVICETITAN, (request) => {
      if (!isInvoiceRead(request)) return;
      events.push("invoice read");
      readDone();
    }),
    INVOICE_GATES: callsHeld(e.INVOICE_GATES, "acquire", async () => {
      await (until === "read" ? Promise.race([read, new Promise((r) => setTimeout(r, 1_000))]) : released);
      events.push("gate acquire");
    }),
  };
  return { env, events, read, release };
}

export { describeSilentUpstream, SILENT_BUDGET_MS, type SilentUpstreamOptions } from "./budget.ts";
export { type ChaosTally, type DeliverOptions, deliver, newTally } from "./chaos.ts";
export { describeWorkerFuzz, type FuzzOptions } from "./fuzz.ts";

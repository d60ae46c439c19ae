// Property-based fuzzing every worker runs: random paths, methods, headers, query strings and
// bodies, with and without a valid key. Whatever arrives: never a 5xx caused by input, every
// error is problem+json, every answer carries X-Request-Id (and a 405 its Allow), and no secret
// (client secret, app key, access token, caller key) appears in any response or log line.
//
// How many cases: FUZZ_CASES per worker (default 150), seeded by FUZZ_SEED (fuzz-knobs.ts).
//
// Inputs are shaped by each route's own OpenAPI description (parameter and field names, types,
// enums, patterns, formats), by real ids of this tenant and another, and by valid example bodies,
// then bent at random: most cases get past authentication and validation into the handlers and
// ServiceTitan calls, where a purely random request would only ever meet a 400.
import { DEMO_APP_KEY, DEMO_TENANTS, type Simulator } from "@st-edge/simulator";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { EdgeBindings } from "../src/config.ts";
import { buildOpenApi } from "../src/openapi.ts";
import type { RouteSpec } from "../src/routes.ts";
import type { FUZZ_KNOBS } from "./fuzz-knobs.ts";
import { callWorker, OTHER_API_KEY, simulatorEnv, TEST_API_KEY, type WorkerUnderTest } from "./index.ts";

export type JsonObject = Record<string, unknown>;

export interface FuzzOptions<B extends EdgeBindings> {
  name: string;
  worker: WorkerUnderTest<B>;
  base: B;
  sim: Simulator;
  routes: readonly RouteSpec[];
  /**
   * Values worth trying wherever an id or a name goes: real ids of the records this worker serves,
   * of this tenant and of another (the harness adds both tenants' first invoice and payment ids).
   */
  samples?: readonly string[];
  /**
   * Valid request bodies by operationId, sent as they are or with one field dropped or replaced:
   * the way past rules no schema states (one of two fields required, the payment type must exist).
   * Each text field in them is also tried with awkward Unicode.
   */
  bodies?: Readonly<Record<string, readonly JsonObject[]>>;
  /** Cases of the main property (default: FUZZ_CASES, else 150); the text property runs a third as many. */
  runs?: number;
  /** fast-check seed (default: FUZZ_SEED, else fixed, so CI runs the same cases and a failure reproduces). */
  seed?: number;
}

/** A knob from the bindings (fuzz-knobs.ts puts the environment's there), as a whole number. */
function knob(env: object, name: (typeof FUZZ_KNOBS)[number]): number | undefined {
  const value: unknown = Reflect.get(env, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new Error(`${name} must be a whole number, not ${String(value)}`);
  return number;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: unknown;
  explode: boolean;
}

/** A route's input as its OpenAPI document describes it. */
interface RouteShape {
  parameters: Parameter[];
  body: unknown;
}

function shapeOf(route: RouteSpec): RouteShape {
  const document = buildOpenApi({ title: "fuzz", version: "0", description: "" }, [route]);
  const operation: unknown = document.paths[route.path]?.[route.method];
  if (!isObject(operation)) return { parameters: [], body: undefined };
  const parameters: Parameter[] = [];
  for (const parameter of Array.isArray(operation.parameters) ? operation.parameters : []) {
    if (!isObject(parameter) || typeof parameter.name !== "string") continue;
    if (parameter.in !== "path" && parameter.in !== "query" && parameter.in !== "header") continue;
    parameters.push({
      name: parameter.name,
      in: parameter.in,
      required: parameter.required === true,
      schema: parameter.schema,
      explode: parameter.explode === true,
    });
  }
  const content = isObject(operation.requestBody) ? operation.requestBody.content : undefined;
  const json = isObject(content) ? content["application/json"] : undefined;
  return { parameters, body: isObject(json) ? json.schema : undefined };
}

/** Both demo tenants' first invoices and payments: ids that exist here, or exist elsewhere. */
function ledgerIds(sim: Simulator): string[] {
  return DEMO_TENANTS.slice(0, 2).flatMap((tenant) => {
    const ledger = sim.ledger(tenant.tenantId);
    return [...ledger.invoices.slice(0, 3), ...ledger.payments.slice(0, 3)].map((record) =>
      String(record.id),
    );
  });
}

const ODD_SEGMENTS = [
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
  "%F0%9F%92%A5",
  "%",
];

const ODD_TEXT = [
  "",
  " ",
  "1",
  "true",
  "any",
  "2026-02-30",
  "2026-01-31",
  "2026-01-01T00:00:00Z",
  "1,2,3",
  ",",
  "-5",
  "0.001",
  "10.00",
  "99999999999999999999.99",
  "1e9",
  "NaN",
  "Infinity",
  "Pending",
  "null",
  "{{value}}",
  "[ste:0123456789abcdef]",
  "x".repeat(3000),
  // Text a JSON body can carry but a URL cannot: lone surrogates; and NUL, a bidi override.
  "\ud800",
  "a\udc00b",
  "nul\u0000",
  "\u202egnp.exe",
  // Control and bidirectional characters every input refuses (text.ts), and the line breaks it keeps.
  "esc\u001b[2J",
  "del\u007f",
  "c1\u009b31m",
  "cr\ronly",
  "crlf\r\nkept",
  "tab\tkept",
  "\u2066isolate\u2069",
];

const ODD_VALUES: unknown[] = [0, -1, 0.001, 12.5, 2 ** 53 + 1, 1e21, true, false, null, [], {}];

/**
 * Characters that trip encoders and screens up: lone surrogates, controls (NUL, ESC, DEL, a lone
 * CR, a C1), bidi overrides and isolates, line breaks that are fine, non-ASCII, an emoji.
 */
const awkward = fc.constantFrom(
  "\ud800",
  "\udfff",
  "\u0000",
  "\u001b",
  "\u007f",
  "\u0085",
  "\r",
  "\r\n",
  "\n",
  "\t",
  "\u202e",
  "\u2066",
  "é",
  "💥",
  "a",
  "%",
  "\\",
);

const ABSENT = Symbol("absent");

const instant = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true });

/** fast-check cannot generate every regular expression (lookarounds, some escapes): skip those. */
function matching(pattern: string): fc.Arbitrary<string> | undefined {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return undefined;
  }
}

/**
 * Values of the shape `schema` describes, now and then swapped for `wild` ones at any depth (never,
 * without `wild`): valid input, or valid input with a few things wrong, is what reaches the
 * deepest code.
 */
function shaped(
  schema: unknown,
  wild: fc.Arbitrary<unknown> | undefined,
  ids: fc.Arbitrary<string>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const fallback = wild ?? fc.constant(undefined);
  if (!isObject(schema) || depth > 3) return fallback;
  const options: fc.Arbitrary<unknown>[] = [];
  if (Array.isArray(schema.examples) && schema.examples.length > 0)
    options.push(fc.constantFrom(...schema.examples));
  for (const key of ["oneOf", "anyOf"] as const) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives))
      options.push(...alternatives.map((alternative) => shaped(alternative, wild, ids, depth + 1)));
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    options.push(fc.constantFrom(...schema.enum));
  } else if (schema.type === "integer") {
    const min = typeof schema.minimum === "number" ? schema.minimum : 1;
    const max = typeof schema.maximum === "number" ? schema.maximum : Number.MAX_SAFE_INTEGER;
    // A small range (a page size) is drawn from; an id is one that exists, or a small number.
    if (max - min <= 10_000) options.push(fc.integer({ min, max }));
    else options.push(ids.map(Number), fc.integer({ min, max: min + 1000 }));
  } else if (schema.type === "number") {
    options.push(fc.integer({ min: 1, max: 100_000 }).map((cents) => cents / 100));
  } else if (schema.type === "boolean") {
    options.push(fc.boolean());
  } else if (schema.type === "string") {
    const pattern = typeof schema.pattern === "string" ? matching(schema.pattern) : undefined;
    if (schema.format === "date-time") options.push(instant.map((date) => date.toISOString()));
    else if (schema.format === "date") options.push(instant.map((date) => date.toISOString().slice(0, 10)));
    else if (pattern) {
      options.push(pattern);
      // Keys and names that must differ per request (an Idempotency-Key) get unique values too.
      if (new RegExp(String(schema.pattern)).test(crypto.randomUUID())) options.push(fc.uuid());
    } else {
      const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
      const maxLength = Math.min(typeof schema.maxLength === "number" ? schema.maxLength : 40, 40);
      // Dates too: a field documented only in words ("a date or a date-time") often wants one.
      const day = instant.map((date) => date.toISOString().slice(0, 10));
      options.push(ids, fc.uuid(), fc.string({ minLength, maxLength }), day);
      options.push(fc.string({ unit: awkward, minLength: Math.max(1, minLength), maxLength: 6 }));
    }
  } else if (schema.type === "array") {
    options.push(fc.array(shaped(schema.items, wild, ids, depth + 1), { minLength: 1, maxLength: 3 }));
  } else if (isObject(schema.properties)) {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const fields = Object.entries(schema.properties).map(([name, property]) => {
      const value = shaped(property, wild, ids, depth + 1);
      // Optional fields are mostly left out: each one sent is one more chance to be refused early.
      const sometimes = required.has(name)
        ? value
        : fc.oneof({ arbitrary: fc.constant(ABSENT), weight: 2 }, { arbitrary: value, weight: 1 });
      return sometimes.map((v): [string, unknown] => [name, v]);
    });
    options.push(
      fc.tuple(...fields).map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== ABSENT))),
    );
  }
  if (options.length === 0) return fallback;
  if (!wild) return fc.oneof(...options);
  return fc.oneof({ arbitrary: fc.oneof(...options), weight: 5 }, { arbitrary: wild, weight: 1 });
}

/** `example` as given, or with one field left out or replaced by a value of its shape (or a wild one). */
function mutated(
  example: JsonObject,
  schema: unknown,
  wild: fc.Arbitrary<unknown> | undefined,
  ids: fc.Arbitrary<string>,
): fc.Arbitrary<JsonObject> {
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const keys = [...new Set([...Object.keys(example), ...Object.keys(properties)])];
  if (keys.length === 0) return fc.constant(example);
  const changed = fc
    .constantFrom(...keys)
    .chain((key) =>
      fc
        .oneof(fc.constant(ABSENT), shaped(properties[key], wild, ids))
        .map((value) =>
          Object.fromEntries(
            [...Object.entries(example).filter(([name]) => name !== key), [key, value]].filter(
              ([, v]) => v !== ABSENT,
            ),
          ),
        ),
    );
  return fc.oneof(fc.constant(example), changed);
}

/** Where `value` holds text: the key paths of its string leaves. */
function textPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => textPaths(item, [...path, index]));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => textPaths(item, [...path, key]));
  return [];
}

/**
 * A JSON object text with its first key given a second time (another value): what a body with a
 * repeated key looks like, which JSON.stringify can never produce. Anything else is left as it is.
 */
function withRepeatedKey(text: string, value: unknown): string {
  const parsed: unknown = JSON.parse(text);
  const [first] = isObject(parsed) ? Object.keys(parsed) : [];
  if (first === undefined) return text;
  return `${text.slice(0, -1)},${JSON.stringify(first)}:${JSON.stringify(value) ?? "null"}}`;
}

/** A copy of `value` with `text` at `path`. */
function withText(value: unknown, path: readonly (string | number)[], text: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return text;
  if (Array.isArray(value))
    return value.map((item, index) => (index === head ? withText(item, rest, text) : item));
  if (isObject(value)) return { ...value, [head]: withText(value[head], rest, text) };
  return value;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A path segment as a client would encode it (no URL can carry a lone surrogate). */
const encodeSegment = (text: string) => encodeURIComponent(text.replace(LONE_SURROGATE, "\ufffd"));

/** How a value goes into a path, query or header: text, a JSON text for anything structured. */
const asText = (value: unknown) =>
  typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);

/** A parameter as sent (or left out) in one case. */
interface Given {
  parameter: Parameter;
  present: boolean;
  value: unknown;
}

/** One request the fuzz sends, as parts. */
interface Probe {
  route: RouteSpec;
  /** A path of our own, or the route's with these parameter values (and `fallback` segments). */
  path?: string;
  params: readonly Given[];
  fallback: readonly string[];
  query: readonly Given[];
  extraQuery: readonly (readonly [string, string])[];
  headers: readonly Given[];
  extraHeaders: Readonly<Record<string, string>>;
  method: string;
  contentType: string | undefined;
  authenticated: boolean;
  body: string | undefined;
}

function urlOf(request: Probe): URL {
  let index = 0;
  const path =
    request.path ??
    request.route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const given = request.params.find((p) => p.parameter.name === name);
      const fallback = request.fallback[index++ % 3] ?? "1";
      return given?.present ? encodeSegment(asText(given.value)) : fallback;
    });
  // Concatenated, not resolved against a base: "//x" is a path a client can send, while
  // new URL("//x", base) would read it as another host.
  const url = new URL(`https://worker.test${path}`);
  for (const { parameter, present, value } of request.query) {
    if (!present || value === undefined) continue;
    const values = parameter.explode && Array.isArray(value) ? value : [value];
    for (const item of values) url.searchParams.append(parameter.name, asText(item));
  }
  for (const [key, value] of request.extraQuery) url.searchParams.append(key, value);
  return url;
}

function headersOf(request: Probe): Headers {
  const headers = new Headers();
  if (request.contentType !== undefined) headers.set("Content-Type", request.contentType);
  const values: [string, string][] = [
    ...request.headers
      .filter(({ present, value }) => present && value !== undefined)
      .map(({ parameter, value }): [string, string] => [parameter.name, asText(value)]),
    ...Object.entries(request.extraHeaders),
  ];
  for (const [key, value] of values) {
    try {
      headers.set(key, value);
    } catch {
      // not a legal header value: a client could not send it either
    }
  }
  return headers;
}

/**
 * Runs the fuzz properties for one worker. Prints one line with its figures, e.g.
 * `fuzz: bills cases=150 statuses={"200":30,"400":60,…} 5xx=0 secrets-leaked=0`.
 *
 * @example
 * describeWorkerFuzz({ name: "bills", worker, base: env, sim, routes, samples: ["16000001"] });
 */
export function describeWorkerFuzz<B extends EdgeBindings>({
  name,
  worker,
  base,
  sim,
  routes,
  samples = [],
  bodies = {},
  runs = knob(base, "FUZZ_CASES") ?? 150,
  seed = knob(base, "FUZZ_SEED") ?? 20261125,
}: FuzzOptions<B>) {
  // The default fits CI; a full run (FUZZ_CASES=2000) needs room, at up to ~50 ms a case.
  const timeoutMs = Math.max(120_000, runs * 50);
  describe(`${name} fuzz`, () => {
    let cases = 0;
    let serverErrors = 0;
    let leaks = 0;
    const statuses: Record<number, number> = {};
    const upstreamTokens = new Set<string>();
    const tenant = DEMO_TENANTS[0];
    const secrets = () =>
      [tenant?.clientSecret ?? "", DEMO_APP_KEY, TEST_API_KEY, OTHER_API_KEY, ...upstreamTokens].filter(
        (secret) => secret !== "",
      );
    const leaked = (text: string) => secrets().some((secret) => text.includes(secret));

    const envPromise = simulatorEnv(base, sim, {
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

    /** Sends one case and checks the answer; every log line it causes is checked for secrets too. */
    async function send(request: Probe): Promise<void> {
      cases++;
      const lines: string[] = [];
      const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          lines.push(args.map(String).join(" "));
        }),
      );
      const url = urlOf(request);
      const method = request.method;
      let status: number;
      let answer: string;
      let contentType: string | null;
      let requestId: string | null;
      let allow: string | null;
      try {
        const response = await callWorker(worker, await envPromise, url.href, {
          method,
          headers: headersOf(request),
          body: method === "GET" || method === "HEAD" ? undefined : request.body,
          key: request.authenticated ? TEST_API_KEY : null,
        });
        status = response.status;
        contentType = response.headers.get("Content-Type");
        requestId = response.headers.get("X-Request-Id");
        allow = response.headers.get("Allow");
        answer = await response.text();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 500) serverErrors++;
      const logged = lines.join("\n");
      if (leaked(answer) || leaked(logged)) leaks++;
      const label = `${method} ${url.pathname}${url.search} → ${status} ${answer.slice(0, 300)}`;
      expect(status, label).toBeLessThan(500);
      expect(requestId, `${label}: no X-Request-Id`).toMatch(/^[\w=-]{1,128}$/);
      if (status === 405) expect(allow, `${label}: no Allow`).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
      if (status >= 400) expect(contentType, label).toBe("application/problem+json");
      for (const secret of secrets()) {
        expect(answer, `${label}: a secret in the answer`).not.toContain(secret);
        expect(logged, `${label}: a secret in the logs`).not.toContain(secret);
      }
    }

    const ids = fc.constantFrom(...new Set([...samples, ...ledgerIds(sim)]));
    const oddText = fc.oneof(
      fc.constantFrom(...ODD_TEXT),
      fc.array(ids, { minLength: 2, maxLength: 4 }).map((list) => list.join(",")),
      fc.string({ maxLength: 20 }),
    );
    const wild: fc.Arbitrary<unknown> = fc.oneof(
      oddText,
      fc.constantFrom(...ODD_VALUES),
      fc.double(),
      fc.json({ maxDepth: 2 }).map((json): unknown => JSON.parse(json)),
    );
    const segment = fc.oneof(
      ids,
      fc.constantFrom(...ODD_SEGMENTS),
      fc.nat().map(String),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    // By name, so a counterexample prints as one line rather than the route's schemas.
    const byName = new Map(routes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route]));
    const shapes = new Map(routes.map((route) => [route, shapeOf(route)]));
    /** Values for a route's parameters in one place; `all` sends every one. */
    const given = (
      route: RouteSpec,
      where: Parameter["in"],
      bent: fc.Arbitrary<unknown> | undefined,
      all = false,
    ): fc.Arbitrary<Given[]> =>
      fc.tuple(
        ...(shapes.get(route)?.parameters ?? [])
          .filter((parameter) => parameter.in === where)
          .map((parameter) =>
            fc.record({
              parameter: fc.constant(parameter),
              // Any one is left out now and then, required or not.
              present: all
                ? fc.constant(true)
                : fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, fc.constant(false)),
              value: shaped(parameter.schema, bent, ids),
            }),
          ),
      );

    it(
      "never answers 5xx to any input, answers errors as problem+json, and leaks no secret",
      async () => {
        // Half the cases keep to the route's description; the others bend it anywhere.
        const caseOf = fc
          .tuple(fc.constantFrom(...byName.keys()), fc.boolean())
          .chain(([routeName, tame]) => {
            const route = byName.get(routeName);
            if (!route) throw new Error(`no route ${routeName}`);
            const bent = tame ? undefined : wild;
            const body = shapes.get(route)?.body;
            const examples = bodies[route.operationId] ?? [];
            return fc.record({
              route: fc.constant(routeName),
              randomPath: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, fc.constant(true)),
              segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
              params: fc.oneof({ arbitrary: given(route, "path", bent), weight: 4 }, fc.constant([])),
              fallback: fc.array(segment, { minLength: 3, maxLength: 3 }),
              method: fc.constantFrom("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"),
              useRouteMethod: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, fc.constant(false)),
              query: given(route, "query", bent),
              extraQuery: tame
                ? fc.constant<[string, string][]>([])
                : fc.oneof(
                    { arbitrary: fc.constant<[string, string][]>([]), weight: 2 },
                    fc.array(
                      fc.tuple(
                        // Names a caller might guess (dryRun posted a payment once), and any at all.
                        fc.oneof(
                          fc.constantFrom("ids", "limit", "page", "dryRun", "debug", "Limit"),
                          fc.string({ maxLength: 10 }),
                        ),
                        oddText,
                      ),
                      { minLength: 1, maxLength: 3 },
                    ),
                  ),
              headers: given(route, "header", bent),
              extraHeaders: fc.dictionary(
                fc.constantFrom("X-Request-Id", "Accept", "X-Api-Key"),
                fc.oneof(
                  fc.uuid(),
                  fc.constantFrom("application/json", "", " ", "a".repeat(300)),
                  fc.string(),
                ),
                { maxKeys: 2 },
              ),
              contentType: fc.oneof(
                { arbitrary: fc.constant("application/json"), weight: 5 },
                fc.constantFrom(
                  undefined,
                  "text/plain",
                  "",
                  "application/json; charset=utf-8",
                  "application/merge-patch+json",
                  "application/jsonx",
                ),
              ),
              authenticated: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, fc.constant(false)),
              body: fc.oneof(
                {
                  arbitrary: fc
                    .oneof(
                      shaped(body, bent, ids),
                      ...examples.map((example) => mutated(example, body, bent, ids)),
                    )
                    .map((value): string | undefined => JSON.stringify(value)),
                  weight: 5,
                },
                // A valid-looking body that repeats a key: refused, whatever the two values.
                fc
                  .tuple(fc.oneof(shaped(body, undefined, ids), ...examples.map((e) => fc.constant(e))), wild)
                  .map(([value, other]) => withRepeatedKey(JSON.stringify(value) ?? "{}", other)),
                fc.constant(undefined),
                fc.string({ maxLength: 50 }),
              ),
            });
          });

        const before = { ...statuses };
        await fc.assert(
          fc.asyncProperty(caseOf, async (c) => {
            const route = byName.get(c.route);
            if (!route) throw new Error(`no route ${c.route}`);
            await send({
              ...c,
              route,
              path: c.randomPath ? `/${c.segments.join("/")}` : undefined,
              method: c.useRouteMethod ? route.method.toUpperCase() : c.method,
            });
          }),
          { numRuns: runs, seed },
        );
        // A run that never got past auth and validation would prove nothing about the handlers.
        const handled = Object.keys(statuses).filter(
          (status) => Number(status) < 300 && (statuses[Number(status)] ?? 0) > (before[Number(status)] ?? 0),
        );
        expect(handled.length, "no case reached a handler").toBeGreaterThan(0);
      },
      timeoutMs,
    );

    // Every text field of every example body, one at a time, with awkward text: the path by which
    // a JSON string reaches a URL, a log line or ServiceTitan.
    const textCases = new Map(
      routes.flatMap((route) =>
        (bodies[route.operationId] ?? []).flatMap((example, n) =>
          textPaths(example).map((path) => [
            `${route.operationId}#${n} ${path.join(".")}`,
            { route, example, path },
          ]),
        ),
      ),
    );
    if (textCases.size > 0) {
      it(
        "takes any Unicode in any text field of a valid body without a 5xx",
        async () => {
          const caseOf = fc.constantFrom(...textCases.keys()).chain((label) => {
            const textCase = textCases.get(label);
            if (!textCase) throw new Error(`no text case ${label}`);
            const { route } = textCase;
            return fc.record({
              label: fc.constant(label),
              text: fc.string({ unit: awkward, minLength: 1, maxLength: 6 }),
              params: given(route, "path", undefined, true),
              query: given(route, "query", undefined, true),
              headers: given(route, "header", undefined, true),
            });
          });
          await fc.assert(
            fc.asyncProperty(caseOf, async (c) => {
              const textCase = textCases.get(c.label);
              if (!textCase) throw new Error(`no text case ${c.label}`);
              const { route, example, path } = textCase;
              await send({
                ...c,
                route,
                fallback: [],
                extraQuery: [],
                extraHeaders: {},
                method: route.method.toUpperCase(),
                contentType: "application/json",
                authenticated: true,
                body: JSON.stringify(withText(example, path, c.text)),
              });
            }),
            { numRuns: Math.ceil(runs / 3), seed },
          );
        },
        timeoutMs,
      );
    }

    afterAll(() => {
      console.log(
        `fuzz: ${name} cases=${cases} statuses=${JSON.stringify(statuses)} 5xx=${serverErrors} secrets-leaked=${leaks}`,
      );
    });
  });
}

// The shared edge pieces on a small app, without ServiceTitan: caller auth, problems, validation.
import { ServiceTitanAuthError, ServiceTitanError } from "@st-edge/servicetitan";
import { describe, expect, it, vi } from "vitest";
import * as z from "zod/mini";
import { createWorkerApp } from "./app.ts";
import { hashApiKey, isAcceptedKey, parseKeyHashes, presentedKey } from "./caller-auth.ts";
import { type EdgeBindings, readConfig } from "./config.ts";
import { toProblem } from "./errors.ts";
import { ProblemError } from "./problem.ts";
import { defineRoute, mount } from "./routes.ts";
import { Id, IdList } from "./schemas.ts";

const KEY = "caller-key-123";

const echo = defineRoute({
  method: "post",
  path: "/things/{id}",
  operationId: "echo",
  summary: "echo",
  params: z.object({ id: Id }),
  query: z.object({ ids: z.optional(IdList(3)), tag: z.optional(z.string()) }),
  body: z.object({ amount: z.string(), note: z.optional(z.string().check(z.maxLength(5))) }),
  bodyLimitBytes: 100,
  responses: { 200: { description: "echo" } },
});

const show = defineRoute({
  method: "get",
  path: "/things/{id}",
  operationId: "show",
  summary: "show: no query parameters at all",
  params: z.object({ id: Id }),
  responses: { 200: { description: "a thing, as a Response the handler builds itself" } },
});

// Mounted after the `{id}` routes on purpose: route order must not matter.
const status = defineRoute({
  method: "post",
  path: "/things/status",
  operationId: "status",
  summary: "a literal path beside /things/{id}",
  body: z.object({ ok: z.boolean() }),
  responses: { 200: { description: "status" } },
});

const label = defineRoute({
  method: "get",
  path: "/labels/{name}",
  operationId: "label",
  summary: "a path parameter that is free text",
  params: z.object({ name: z.string() }),
  responses: { 200: { description: "the label" } },
});

async function app(thrown?: unknown) {
  const worker = createWorkerApp<EdgeBindings>({ name: "test", openapi: { openapi: "3.1.0" } });
  mount(worker, echo, (c, input) => c.json(input));
  mount(worker, show, (_, { params }) => new Response(JSON.stringify(params), { status: 200 }));
  mount(worker, status, (c) => c.json({ status: "ok" }));
  mount(worker, label, (c, { params }) => c.json(params));
  worker.get("/boom", () => {
    throw thrown;
  });
  // A Response whose headers cannot be changed, as a proxied fetch answer has.
  worker.get("/elsewhere", () => Response.redirect("https://example.com/", 302));
  const env = { API_KEY_HASHES: await hashApiKey(KEY) } as EdgeBindings;
  return (path: string, init: RequestInit = {}) => {
    const request = new Request(`https://w.test${path}`, init);
    if (!request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${KEY}`);
    return worker.request(request, undefined, env);
  };
}

const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...extra },
  body: JSON.stringify(body),
});

describe("caller keys", () => {
  it("reads keys from Bearer or X-Api-Key", () => {
    expect(presentedKey(new Headers({ Authorization: "Bearer abc" }))).toBe("abc");
    expect(presentedKey(new Headers({ Authorization: "bearer  abc " }))).toBe("abc");
    expect(presentedKey(new Headers({ "X-Api-Key": "xyz" }))).toBe("xyz");
    expect(presentedKey(new Headers({ Authorization: "Basic abc" }))).toBeUndefined();
  });

  it("accepts any of several digests and ignores malformed entries", async () => {
    const hashes = parseKeyHashes(
      `${await hashApiKey("old")}, not-a-hash ,${(await hashApiKey("new")).toUpperCase()}`,
    );
    expect(hashes).toHaveLength(2);
    expect(await isAcceptedKey("old", hashes)).toBe(true);
    expect(await isAcceptedKey("new", hashes)).toBe(true);
    expect(await isAcceptedKey("other", hashes)).toBe(false);
    expect(await isAcceptedKey("old", [])).toBe(false);
  });

  it("compares the presented key's digest with every configured digest in constant time", async () => {
    const keys = ["k-0", "k-1", "k-2", "k-3", "k-4"];
    const digests = await Promise.all(keys.map(hashApiKey));
    const hashes = parseKeyHashes(digests.join(","));
    const hex = (bytes: unknown) =>
      bytes instanceof Uint8Array ? [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("") : "";
    const spy = vi.spyOn(crypto.subtle, "timingSafeEqual");
    try {
      // The first key, the last, and none: every digest compared each time, so timing tells nothing.
      for (const [key, accepted] of [
        ["k-0", true],
        ["k-4", true],
        ["k-9", false],
      ] as const) {
        spy.mockClear();
        expect(await isAcceptedKey(key, hashes)).toBe(accepted);
        expect(spy).toHaveBeenCalledTimes(keys.length);
        const presented = await hashApiKey(key);
        expect(spy.mock.calls.map(([a]) => hex(a))).toEqual(keys.map(() => presented));
        expect(spy.mock.calls.map(([, b]) => hex(b))).toEqual(digests);
      }
      // The same through the middleware, for a refused caller.
      const call = await app();
      spy.mockClear();
      expect((await call("/openapi.json", { headers: { Authorization: "Bearer nope" } })).status).toBe(401);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("answers 401 problems, with nothing open but /healthz", async () => {
    const call = await app();
    expect((await call("/healthz", { headers: { Authorization: "none" } })).status).toBe(200);
    const refused = await call("/openapi.json", { headers: { Authorization: "Bearer nope" } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await call("/openapi.json")).status).toBe(200);
  });
});

describe("validation", () => {
  it("passes typed, coerced input to the handler", async () => {
    const call = await app();
    const response = await call("/things/7?ids=3,1,3", json({ amount: "1.00" }));
    expect(await response.json()).toEqual({
      params: { id: 7 },
      query: { ids: [3, 1] },
      body: { amount: "1.00" },
    });
  });

  it("lists every bad field with where it came from", async () => {
    const call = await app();
    const response = await call("/things/0?ids=1,2,3,4", json({ amount: 5, note: "too long" }));
    expect(response.status).toBe(400);
    const problem = await response.json<{ type: string; errors: { in: string; field: string }[] }>();
    expect(problem.type).toBe("urn:st-edge:problem:validation-failed");
    expect(problem.errors.map((e) => `${e.in}:${e.field}`)).toEqual([
      "path:id",
      "query:ids",
      "body:amount",
      "body:note",
    ]);
  });

  it.each([
    ["an id beyond 2^53 - 1", "/things/9007199254740993"],
    ["a non-numeric id", "/things/abc"],
    ["too many ids", "/things/1?ids=1,2,3,4"],
    ["a malformed id list", "/things/1?ids=1,,2"],
  ])("rejects %s", async (_, path) => {
    const call = await app();
    expect((await call(path, json({ amount: "1" }))).status).toBe(400);
  });

  it("checks content type, size and JSON syntax", async () => {
    const call = await app();
    const text = await call("/things/1", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "{}",
    });
    expect(text.status).toBe(415);
    const big = await call("/things/1", json({ amount: "1", pad: "x".repeat(200) }));
    expect(big.status).toBe(413);
    const broken = await call("/things/1", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(broken.status).toBe(400);
    const fields = await call("/things/1", json({ note: 1 }));
    const problem = await fields.json<{ errors: { field: string; message: string }[] }>();
    expect(problem.errors.map((e) => e.field).sort()).toEqual(["amount", "note"]);
    for (const error of problem.errors) expect(error.message).not.toBe("");
  });

  // Found under `wrangler dev`: a 10 MB chunked body without Content-Length sometimes got a
  // text/plain 500 with a stack trace. Cancelling the half-read body broke the local runtime's
  // proxy while it was still forwarding the upload (scripts/oversized-body.test.mjs shows it).
  // Declaring the size changes nothing: answering before the upload ends, with its socket then
  // closed, made a client still sending it see EPIPE, not the 413, once workers took their own
  // sockets locally (the one-runtime stack).
  it.each([
    ["streamed without a length", {}],
    ["with its Content-Length", { "Content-Length": String(10 * 1024 * 1024) }],
  ])(
    "reads an over-limit body %s to its end and answers 413, never cancelling it mid-upload",
    async (_, length) => {
      const call = await app();
      const chunk = new Uint8Array(64 * 1024).fill(0x20);
      let sent = 0;
      let cancelled = false;
      const upload = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 10 * 1024 * 1024) return controller.close();
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      });
      const response = await call("/things/1", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...length },
        body: upload,
        // @ts-expect-error: `duplex` is how fetch is told a stream body streams; workers-types lacks it.
        duplex: "half",
      });
      expect(response.status).toBe(413);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(cancelled).toBe(false);
      expect(sent).toBe(10 * 1024 * 1024);
    },
  );

  // Found by the fuzz suite: JSON can escape a lone surrogate, and once such text reached a
  // ServiceTitan query (an invoice number) URL encoding threw and the caller got a 500.
  it.each([
    ["a lone high surrogate", String.raw`{"amount":"1","note":"\ud800"}`, "note"],
    ["a lone low surrogate", String.raw`{"amount":"a\udc00b"}`, "amount"],
    ["one deep in an array", String.raw`{"amount":"1","list":[{"x":["ok","\udfff"]}]}`, "list.0.x.1"],
    ["one in a key", String.raw`{"amount":"1","\ud800":1}`, ""],
  ])("refuses text with %s as a 400 naming the field", async (_, body, field) => {
    const call = await app();
    const response = await call("/things/1", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(response.status).toBe(400);
    const problem = await response.json<{ errors: { in: string; field: string }[] }>();
    expect(problem.errors).toEqual([expect.objectContaining({ in: "body", field })]);
  });

  it("keeps well-formed text, emoji (a surrogate pair) included", async () => {
    const call = await app();
    const response = await call("/things/1", json({ amount: "1.00", note: "💥é" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ body: { amount: "1.00", note: "💥é" } });
  });
});

type Problem = { type: string; errors: { in: string; field: string; message: string }[] };

describe("query parameters", () => {
  // Found in use: POST /payments?dryRun=true posted a real payment.
  it("refuses a parameter the route does not declare, naming it, and the handler never runs", async () => {
    const call = await app();
    const response = await call("/things/1?ids=1&dryRun=true", json({ amount: "1.00" }));
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.type).toBe("urn:st-edge:problem:validation-failed");
    expect(problem.errors).toEqual([
      { in: "query", field: "dryRun", message: expect.stringMatching(/not a parameter/) },
    ]);
  });

  it("refuses any parameter on a route that declares none", async () => {
    const call = await app();
    expect((await call("/things/1")).status).toBe(200);
    const response = await call("/things/1?foo=1&foo=2&bar=");
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.errors.map((e) => `${e.in}:${e.field}`)).toEqual(["query:foo", "query:bar"]);
  });

  it("lists unknown parameters beside the declared ones' errors", async () => {
    const call = await app();
    const response = await call("/things/1?Ids=1&ids=x", json({ amount: "1" }));
    const problem = await response.json<Problem>();
    expect(problem.errors.map((e) => `${e.in}:${e.field}`)).toEqual(["query:Ids", "query:ids"]);
  });
});

describe("duplicate JSON keys", () => {
  // Found in use: {"subtotal":"1.00","subtotal":"1000.00"} was quoted as 1000.00.
  it.each([
    ["at the top", `{"amount":"1.00","amount":"1000.00"}`, "amount"],
    ["spelled with an escape", String.raw`{"amount":"1.00","\u0061mount":"1000.00"}`, "amount"],
    ["deep inside", `{"amount":"1","list":[{"x":1},{"x":1,"x":2}]}`, "list.1.x"],
  ])("refuses a key repeated %s, naming it", async (_, body, field) => {
    const call = await app();
    const response = await call("/things/1", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.errors).toEqual([{ in: "body", field, message: expect.stringMatching(/more than once/) }]);
  });
});

describe("control and bidirectional characters", () => {
  // Found in use: text fields stored NUL, ESC and U+202E.
  it.each([
    ["NUL in a body string", "/things/1", json({ amount: "1", note: "a\u0000" }), "body", "note"],
    ["ESC in a body string", "/things/1", json({ amount: "1\u001b[2J" }), "body", "amount"],
    ["U+202E in a body string", "/things/1", json({ amount: "1", note: "\u202egnp" }), "body", "note"],
    ["a lone CR in a body string", "/things/1", json({ amount: "1", note: "a\rb" }), "body", "note"],
    ["DEL in a key", "/things/1", json({ amount: "1", "a\u007f": 1 }), "body", ""],
    ["NUL in a query value", "/things/1?tag=a%00", json({ amount: "1" }), "query", "tag"],
    ["U+2066 in a query value", "/things/1?tag=%E2%81%A6x", json({ amount: "1" }), "query", "tag"],
    ["ESC in a path value", "/labels/a%1B", {}, "path", "name"],
    ["U+202E in a path value", "/labels/%E2%80%AEgnp", {}, "path", "name"],
  ])("refuses %s, naming the field", async (_, path, init: RequestInit, part, field) => {
    const call = await app();
    const response = await call(path, init);
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.errors).toContainEqual({ in: part, field, message: expect.any(String) });
  });

  it("keeps tab, line feed, CRLF line breaks and right-to-left text", async () => {
    const call = await app();
    const response = await call(
      "/things/1?tag=%D7%A9%D7%9C%D7%95%D7%9D",
      json({ amount: "1", note: "a\tb\r\n" }),
    );
    expect(response.status).toBe(200);
    expect((await call("/labels/caf%C3%A9%20%F0%9F%92%A5")).status).toBe(200);
  });
});

describe("methods", () => {
  // Found in use: DELETE /invoices/11000001 answered 404 and GET /payments/status a misleading 400.
  it.each([
    ["a method the path does not have", "DELETE", "/things/1", "GET, HEAD, POST"],
    ["a literal path beside a {id} one", "GET", "/things/status", "POST"],
    ["another method on the literal path", "PATCH", "/things/status", "POST"],
    ["HEAD where there is no GET", "HEAD", "/things/status", "POST"],
  ])("answers %s with 405 and Allow", async (_, method, path, allow) => {
    const call = await app();
    const response = await call(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe(allow);
    if (method !== "HEAD") {
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect((await response.json<Problem>()).type).toBe("urn:st-edge:problem:method-not-allowed");
    }
  });

  it("still answers a malformed id on a method the path has with a 400 naming it", async () => {
    const call = await app();
    for (const init of [{}, json({ amount: "1" })]) {
      const response = await call("/things/abc", init);
      expect(response.status).toBe(400);
      expect((await response.json<Problem>()).errors).toContainEqual(
        expect.objectContaining({ in: "path", field: "id" }),
      );
    }
    expect((await call("/things/status", json({ ok: true }))).status).toBe(200);
    expect((await call("/things/7")).status).toBe(200);
  });

  it("keeps 404 for a path no route has", async () => {
    const call = await app();
    for (const method of ["GET", "DELETE"])
      expect((await call("/things/1/more", { method })).status).toBe(404);
  });
});

describe("request ids", () => {
  // Found in use: X-Request-Id was missing on every problem and on answers handlers built themselves.
  it("are on every answer, problems, handler-built and immutable responses included", async () => {
    expect(() => Response.redirect("https://example.com/", 302).headers.set("X-Test", "1")).toThrow();
    const call = await app(new TypeError("a bug"));
    const answers: [string, number, RequestInit][] = [
      ["/healthz", 200, {}],
      ["/things/7?ids=1", 200, json({ amount: "1" })],
      ["/things/7", 200, {}],
      ["/elsewhere", 302, {}],
      ["/things/7?x=1", 400, {}],
      ["/openapi.json", 401, { headers: { Authorization: "Bearer wrong" } }],
      ["/nowhere", 404, {}],
      ["/things/7", 405, { method: "DELETE" }],
      ["/things/7", 413, json({ amount: "1", pad: "x".repeat(200) })],
      ["/things/7", 415, { method: "POST", body: "{}" }],
      ["/boom", 500, {}],
    ];
    for (const [path, expected, init] of answers) {
      const headers = new Headers(init.headers);
      headers.set("X-Request-Id", "zap-42");
      if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${KEY}`);
      const response = await call(path, { ...init, headers });
      expect(response.status, path).toBe(expected);
      expect(response.headers.get("X-Request-Id"), `${expected} ${path}`).toBe("zap-42");
    }
  });
});

describe("errors become problems", () => {
  const cases: [
    string,
    { thrown: unknown; status: number; type: string; retryAfter?: string; detail?: string },
  ][] = [
    ["our own problem", { thrown: new ProblemError({ type: "not-found" }), status: 404, type: "not-found" }],
    [
      "ServiceTitan 429",
      {
        thrown: new ServiceTitanError({ failure: "http", status: 429, retryAfterSeconds: 7 }),
        status: 429,
        type: "upstream-rate-limited",
        retryAfter: "7",
      },
    ],
    [
      "ServiceTitan 403",
      { thrown: new ServiceTitanError({ failure: "http", status: 403 }), status: 403, type: "not-entitled" },
    ],
    [
      "ServiceTitan 400",
      {
        thrown: new ServiceTitanError({ failure: "http", status: 400 }),
        status: 422,
        type: "upstream-rejected",
      },
    ],
    [
      "ServiceTitan 500",
      {
        thrown: new ServiceTitanError({ failure: "http", status: 500 }),
        status: 502,
        type: "upstream-error",
      },
    ],
    [
      "a timeout",
      { thrown: new ServiceTitanError({ failure: "timeout" }), status: 504, type: "upstream-timeout" },
    ],
    [
      "refused credentials",
      {
        thrown: new ServiceTitanAuthError({ failure: "invalid_client", status: 401 }),
        status: 502,
        type: "upstream-auth-failed",
      },
    ],
    [
      "a 2xx we cannot read",
      {
        thrown: new ServiceTitanError({ failure: "invalid-response", operationId: "Invoices_GetList" }),
        status: 502,
        type: "upstream-invalid-response",
        detail: "Invoices_GetList",
      },
    ],
    [
      "a listing past the page limit",
      {
        thrown: new ServiceTitanError({ failure: "page-limit", operationId: "Payments_GetList" }),
        status: 502,
        type: "upstream-invalid-response",
        detail: "Payments_GetList",
      },
    ],
    [
      "a timeout naming its operation",
      {
        thrown: new ServiceTitanError({ failure: "timeout", operationId: "TaxZones_GetList" }),
        status: 504,
        type: "upstream-timeout",
        detail: "TaxZones_GetList",
      },
    ],
    ["a bug", { thrown: new TypeError("x is undefined"), status: 500, type: "internal-error" }],
  ];
  it.each(cases)("%s", async (_, { thrown, status, type, retryAfter, detail }) => {
    const call = await app(thrown);
    const response = await call("/boom");
    expect(response.status).toBe(status);
    const body = await response.json<{ type: string; detail?: string }>();
    expect(body.type).toBe(`urn:st-edge:problem:${type}`);
    if (detail) expect(body.detail).toContain(detail);
    expect(JSON.stringify(body)).not.toContain("x is undefined");
    if (retryAfter) expect(response.headers.get("Retry-After")).toBe(retryAfter);
  });

  it("keeps ServiceTitan's traceId", () => {
    const { problem } = toProblem(
      new ServiceTitanError({ failure: "http", status: 404, problem: { traceId: "abc" } }),
    );
    expect(problem.traceId).toBe("abc");
  });

  it("answers unknown routes with a 404 problem", async () => {
    const call = await app();
    const response = await call("/nowhere");
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("configuration", () => {
  const base = {
    ST_ENVIRONMENT: "production",
    ST_TENANT_ID: "123",
    ST_APP_KEY: "app",
    ST_CLIENT_ID: "id",
    ST_CLIENT_SECRET: "secret-value",
  } as EdgeBindings;

  it("reads a complete configuration", () => {
    expect(readConfig(base)).toMatchObject({
      tenantId: 123,
      environment: "production",
      authorizationScheme: "raw",
    });
  });

  it.each([
    ["missing secrets", { ST_CLIENT_SECRET: "" }, /ST_CLIENT_SECRET/],
    ["unknown environment", { ST_ENVIRONMENT: "staging" }, /ST_ENVIRONMENT/],
    ["simulator without binding", { ST_ENVIRONMENT: "simulator" }, /SERVICETITAN/],
    ["bad tenant", { ST_TENANT_ID: "abc" }, /ST_TENANT_ID/],
    ["bad scheme", { ST_AUTH_SCHEME: "basic" }, /ST_AUTH_SCHEME/],
  ])("names the problem: %s", (_, change, message) => {
    const read = () => readConfig({ ...base, ...change });
    expect(read).toThrow(message);
    try {
      read();
    } catch (error) {
      expect(String(error)).not.toContain("secret-value");
    }
  });
});

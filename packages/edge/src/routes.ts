// Route definitions: one object per endpoint holds its method, path, input schemas and
// documented responses. The same object validates requests at runtime and, at build time,
// becomes the worker's OpenAPI document (scripts/openapi.ts), so the two cannot drift apart.
//
// `mount` also keeps each app's table of routes, so a request no route takes is answered for
// what it is: 405 with `Allow` when the path has other methods, 400 when only its id is malformed,
// 404 otherwise. Id parameters match digits only (`/:id{[0-9]+}`), so `/payments/status` is never
// taken for payment "status", whatever order routes are mounted in.
import type { Context, Env, Hono } from "hono";
import * as z from "zod/mini";
import { type FieldError, ProblemError } from "./problem.ts";
import { Id, Problem } from "./schemas.ts";
import { textProblem } from "./text.ts";
import { fieldErrors, queryObject, readJsonBody } from "./validation.ts";

export type Method = "get" | "post" | "patch" | "put" | "delete";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodMiniType;
  headers?: Record<string, { description: string }>;
  contentType?: string;
}

/** A problem+json answer among a route's documented responses, with its headers (Retry-After…). */
export function problemSpec(description: string, headers?: ResponseSpec["headers"]): ResponseSpec {
  return {
    description,
    schema: Problem,
    contentType: "application/problem+json",
    ...(headers ? { headers } : {}),
  };
}

export interface RouteSpec {
  method: Method;
  /** OpenAPI style: `/invoices/{id}`. */
  path: `/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  params?: z.ZodMiniType;
  /** An object schema: any query parameter it does not name is refused. */
  query?: z.ZodMiniType;
  /** Request headers the route reads (documented and validated). */
  headers?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** Largest accepted body in bytes. */
  bodyLimitBytes?: number;
  responses: Record<number, ResponseSpec>;
  /** True for routes that need no API key (health only). */
  open?: boolean;
}

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

/** What a handler receives, validated and typed from the route's schemas. */
export interface RouteInput<R extends RouteSpec> {
  params: Out<R["params"]>;
  query: Out<R["query"]>;
  headers: Out<R["headers"]>;
  body: Out<R["body"]>;
}

/** Identity with inference: keeps the literal types of a route definition. */
export function defineRoute<const R extends RouteSpec>(route: R): R {
  return route;
}

/** The fields of an object schema, looking through optional, default and pipe wrappers. */
function shapeOf(schema: z.ZodMiniType | undefined): Record<string, z.core.$ZodType> | undefined {
  if (schema === undefined) return undefined;
  const def: z.core.$ZodTypeDef & { shape?: unknown; in?: unknown; innerType?: unknown } = schema._zod.def;
  if (def.type === "object" && typeof def.shape === "object" && def.shape !== null)
    return Object.fromEntries(Object.entries(def.shape));
  const inner = def.type === "pipe" ? def.in : def.innerType;
  return inner instanceof z.ZodMiniType ? shapeOf(inner) : undefined;
}

/** A route as mounted: where its path matches, loosely (any segment) and as Hono matches it. */
interface Mounted {
  route: RouteSpec;
  method: string;
  /** Any text in each parameter's place. */
  loose: RegExp;
  /** As Hono matches it: digits only for an Id parameter. */
  strict: RegExp;
  names: string[];
}

const PARAM = /\{(\w+)\}/g;
const literal = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, "\\$&");

function mounted(route: RouteSpec): Mounted & { honoPath: string } {
  const shape = shapeOf(route.params) ?? {};
  const digits = (name: string) => shape[name] === Id;
  const names = [...route.path.matchAll(PARAM)].map((match) => match[1] ?? "");
  const pattern = (param: (name: string) => string) =>
    new RegExp(
      `^${route.path
        .split(PARAM)
        .map((part, i) => (i % 2 ? param(part) : literal(part)))
        .join("")}$`,
    );
  return {
    route,
    method: route.method.toUpperCase(),
    names,
    loose: pattern(() => "([^/]+)"),
    strict: pattern((name) => (digits(name) ? "([0-9]+)" : "([^/]+)")),
    honoPath: route.path.replace(PARAM, (_, name: string) =>
      digits(name) ? `:${name}{[0-9]+}` : `:${name}`,
    ),
  };
}

// Every app's mounted routes, for answering the requests none of them takes.
const tables = new WeakMap<object, Mounted[]>();

const decoded = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The methods a path answers to, in `Allow` form (HEAD wherever GET is). */
const allowHeader = (matches: Mounted[]) => {
  const methods = new Set(matches.map((match) => match.method));
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
};

/**
 * The problem for a request no mounted route takes: 405 `method-not-allowed` with the path's
 * methods when it has others; the route's own 400 when the path is right but a parameter is not
 * (`/payments/abc`); else 404 `not-found`.
 *
 * @example app.notFound((c) => { throw unmatched(app, c.req.method, c.req.path) });
 */
export function unmatched(app: object, method: string, path: string): ProblemError {
  const table = tables.get(app) ?? [];
  const asGet = method === "HEAD" ? "GET" : method;
  const taking = table.filter((entry) => entry.strict.test(path));
  const shaped = table.filter((entry) => entry.loose.test(path));
  const own = taking.length === 0 ? shaped.find((entry) => entry.method === asGet) : undefined;
  if (own) {
    const values = own.loose.exec(path)?.slice(1) ?? [];
    const params = Object.fromEntries(own.names.map((name, i) => [name, decoded(values[i] ?? "")]));
    const errors = textErrors(Object.entries(params), "path");
    checked(own.route.params, params, "path", errors);
    // An id that is not digits never passes its schema: this is the route's own 400.
    if (errors.length > 0) {
      return new ProblemError({ type: "validation-failed", detail: "The request is not valid", errors });
    }
    return new ProblemError({ type: "not-found", detail: `No route for ${method} ${path}` });
  }
  const others = taking.length > 0 ? taking : shaped;
  if (others.length > 0) {
    const allow = allowHeader(others);
    return new ProblemError({
      type: "method-not-allowed",
      detail: `${method} is not a method of ${path}; it has ${allow.join(", ")}`,
      allow,
    });
  }
  return new ProblemError({ type: "not-found", detail: `No route for ${method} ${path}` });
}

/** `value` parsed by `schema` (undefined without one); each failure goes into `errors`. */
function checked(
  schema: z.ZodMiniType | undefined,
  value: unknown,
  part: FieldError["in"],
  errors: FieldError[],
): unknown {
  if (schema === undefined) return undefined;
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  errors.push(...fieldErrors(result.error, part));
  return undefined;
}

/** A FieldError for each name or value in `entries` that text.ts refuses. */
function textErrors(entries: Iterable<[string, string]>, part: FieldError["in"]): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of entries) {
    const message = textProblem(name) ?? textProblem(value);
    if (message) errors.push({ in: part, field: name, message });
  }
  return errors;
}

/**
 * Registers a route on a Hono app: validates path, query, headers and body, then calls the handler.
 * A query parameter the route's query schema does not name is refused, on every route.
 *
 * @example
 * mount(app, getInvoice, async (c, { params }) => c.json(await lookup(params.id)));
 */
export function mount<E extends Env, const R extends RouteSpec>(
  app: Hono<E>,
  route: R,
  handler: (c: Context<E>, input: RouteInput<R>) => Response | Promise<Response>,
): void {
  const entry = mounted(route);
  const table = tables.get(app) ?? [];
  if (table.some((other) => other.method === entry.method && other.route.path === route.path)) {
    throw new Error(`${entry.method} ${route.path} is mounted twice`);
  }
  table.push(entry);
  tables.set(app, table);
  const known = new Set(Object.keys(shapeOf(route.query) ?? {}));
  if (route.query !== undefined && known.size === 0) {
    throw new Error(`${route.operationId}: the query schema must be an object naming its parameters`);
  }

  app.on(entry.method, entry.honoPath, async (c) => {
    // Every part is checked before answering, so one 400 lists every bad field at once.
    const errors: FieldError[] = [];
    const rawParams = c.req.param();
    const searchParams = new URL(c.req.url).searchParams;
    errors.push(...textErrors(Object.entries(rawParams), "path"), ...textErrors(searchParams, "query"));
    const unknown = [...new Set(searchParams.keys())].filter((name) => !known.has(name));
    // A write must never go ahead on a parameter it did not understand (?dryRun=true posted a payment).
    errors.push(
      ...unknown.map((field) => ({
        in: "query" as const,
        field,
        message: `is not a parameter of this operation: "${field}" (see /openapi.json)`,
      })),
    );
    const params = checked(route.params, rawParams, "path", errors);
    const query = checked(route.query, queryObject(searchParams, known), "query", errors);
    const headers = checked(route.headers, Object.fromEntries(c.req.raw.headers), "header", errors);
    const json = route.body === undefined ? undefined : await readJsonBody(c.req.raw, route.bodyLimitBytes);
    const body = checked(route.body, json, "body", errors);
    if (errors.length > 0) {
      throw new ProblemError({ type: "validation-failed", detail: "The request is not valid", errors });
    }
    // TypeScript cannot tie each runtime branch to its conditional type; the schemas above do.
    return handler(c, { params, query, headers, body } as RouteInput<R>);
  });
}

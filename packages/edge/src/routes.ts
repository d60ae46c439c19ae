// Route definitions: one object per endpoint holds its method, path, input schemas and
// documented responses. The same object validates requests at runtime and, at build time,
// becomes the worker's OpenAPI document (scripts/openapi.ts), so the two cannot drift apart.
import type { Context, Env, Hono } from "hono";
import type * as z from "zod/mini";
import { parseInput, queryObject, readJsonBody } from "./validation.ts";

export type Method = "get" | "post" | "patch" | "put" | "delete";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodMiniType;
  headers?: Record<string, { description: string }>;
  contentType?: string;
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

const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

function parsePart(
  schema: z.ZodMiniType | undefined,
  value: () => unknown,
  part: "path" | "query" | "header",
) {
  return schema === undefined ? undefined : parseInput(schema, value(), part);
}

/**
 * Registers a route on a Hono app: validates path, query, headers and body, then calls the handler.
 *
 * @example
 * mount(app, getInvoice, async (c, { params }) => c.json(await lookup(params.id)));
 */
export function mount<E extends Env, const R extends RouteSpec>(
  app: Hono<E>,
  route: R,
  handler: (c: Context<E>, input: RouteInput<R>) => Response | Promise<Response>,
): void {
  app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
    const headers = Object.fromEntries(c.req.raw.headers);
    // TypeScript cannot tie each runtime branch to its conditional type; the schemas above do.
    const input = {
      params: parsePart(route.params, () => c.req.param(), "path"),
      query: parsePart(route.query, () => queryObject(c.req.url), "query"),
      headers: parsePart(route.headers, () => headers, "header"),
      body:
        route.body === undefined
          ? undefined
          : parseInput(route.body, await readJsonBody(c.req.raw, route.bodyLimitBytes), "body"),
    } as RouteInput<R>;
    return handler(c, input);
  });
}

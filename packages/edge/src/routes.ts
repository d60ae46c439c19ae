// Route definitions: one object per endpoint holds its method, path, input schemas and
// documented responses. The same object validates requests at runtime and, at build time,
// becomes the worker's OpenAPI document (scripts/openapi.ts), so the two cannot drift apart.
import type { Context, Env, Hono } from "hono";
import * as z from "zod/mini";
import { type FieldError, ProblemError } from "./problem.ts";
import { fieldErrors, queryObject, readJsonBody } from "./validation.ts";

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
    // Every part is checked before answering, so one 400 lists every bad field at once.
    const errors: FieldError[] = [];
    const parse = (schema: z.ZodMiniType | undefined, value: () => unknown, part: FieldError["in"]) => {
      if (schema === undefined) return undefined;
      const result = z.safeParse(schema, value());
      if (result.success) return result.data;
      errors.push(...fieldErrors(result.error, part));
      return undefined;
    };
    const params = parse(route.params, () => c.req.param(), "path");
    const query = parse(route.query, () => queryObject(c.req.url), "query");
    const headers = parse(route.headers, () => Object.fromEntries(c.req.raw.headers), "header");
    const json = route.body === undefined ? undefined : await readJsonBody(c.req.raw, route.bodyLimitBytes);
    const body = parse(route.body, () => json, "body");
    if (errors.length > 0) {
      throw new ProblemError({ type: "validation-failed", detail: "The request is not valid", errors });
    }
    // TypeScript cannot tie each runtime branch to its conditional type; the schemas above do.
    return handler(c, { params, query, headers, body } as RouteInput<R>);
  });
}

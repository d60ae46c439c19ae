// The Hono app every worker starts from: request ids on every answer, structured access logs, the
// request's time budget, /healthz, caller authentication, Server-Timing when asked for
// (server-timing.ts), /openapi.json, and problem+json for every error, unknown route (404) and
// wrong method (405).
import { ServiceTitanError } from "@st-edge/servicetitan";
import type { Hono as HonoApp, MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { Hono } from "hono/tiny";
import { requestBudget } from "./budget.ts";
import { callerAuth } from "./caller-auth.ts";
import type { EdgeBindings } from "./config.ts";
import { toProblem } from "./errors.ts";
import { log } from "./logging.ts";
import { ProblemError, problemResponse } from "./problem.ts";
import { unmatched } from "./routes.ts";
import { serverTiming } from "./server-timing.ts";

export interface WorkerAppOptions {
  /** The worker's name, in logs and /healthz. */
  name: string;
  /** The worker's OpenAPI document (generated into specs/workers/), served at /openapi.json. */
  openapi?: object;
  /**
   * Or: where that document is among the worker's static assets (the `ASSETS` binding, which
   * wrangler.jsonc points at specs/workers/), served from there so it costs the bundle nothing.
   */
  openapiAsset?: `/${string}.json`;
  /** Check API_KEY_HASHES on every route but /healthz (default true; the dispatcher checks per tenant). */
  callerAuth?: boolean;
  /**
   * Paths that authenticate callers their own way instead of by API key (a webhook receiver
   * checking its sender's signature). /healthz is always open.
   */
  open?: string[];
}

export type WorkerEnv<B extends object = EdgeBindings> = {
  Bindings: B;
  Variables: { requestId: string };
};

const REQUEST_ID = "X-Request-Id";

/**
 * Puts the request id on the answer that finally goes out, whoever built it. Hono's requestId
 * middleware only reaches answers made with `c.json` and friends, not a Response that onError or
 * a handler builds itself; one with immutable headers (a fetched answer) is copied first.
 */
function stampRequestId(): MiddlewareHandler<WorkerEnv> {
  return async function stampRequestId(c, next) {
    await next();
    const id = c.var.requestId;
    if (c.res.headers.get(REQUEST_ID) === id) return;
    try {
      c.res.headers.set(REQUEST_ID, id);
    } catch {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set(REQUEST_ID, id);
    }
  };
}

/** Whether the bindings carry static assets (a Fetcher bound as ASSETS). */
const hasAssets = (env: object): env is { ASSETS: Fetcher } =>
  "ASSETS" in env && typeof (env as { ASSETS?: { fetch?: unknown } }).ASSETS?.fetch === "function";

/** A JSON file of the worker's static assets, or a 404 problem where the deployment has none. */
async function servedAsset(env: object, path: string, url: string): Promise<Response> {
  if (!hasAssets(env)) {
    throw new ProblemError({
      type: "not-found",
      detail: `This deployment does not serve its API description; it is specs/workers${path} in the repository`,
    });
  }
  const file = await env.ASSETS.fetch(new URL(path, url));
  if (!file.ok)
    throw new ProblemError({
      type: "not-found",
      detail: "The API description is missing from this deployment",
    });
  return new Response(file.body, { headers: { "Content-Type": "application/json" } });
}

/**
 * @example
 * const app = createWorkerApp<Env>({ name: "invoice-lookup", openapiAsset: "/invoice-lookup.openapi.json" });
 * mount(app, getInvoice, handler);
 * export default app;
 */
export function createWorkerApp<B extends object>(options: WorkerAppOptions): HonoApp<WorkerEnv<B>> {
  // PatternRouter (hono/tiny): a worker has a handful of routes, and Hono's default pair of
  // routers costs ~2.5 KiB of gzip in every bundle (each worker has a 50 KiB budget).
  const app = new Hono<WorkerEnv<B>>();

  app.use(requestId({ headerName: REQUEST_ID, limitLength: 128 }));
  app.use(stampRequestId());
  app.use(async (c, next) => {
    const started = Date.now();
    await next();
    const upstream = c.error instanceof ServiceTitanError ? c.error : undefined;
    log(c.res.status >= 500 ? "error" : "info", {
      event: "request",
      worker: options.name,
      requestId: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Date.now() - started,
      upstreamOperation: upstream?.operationId,
      upstreamStatus: upstream?.status,
      traceId: upstream?.traceId,
    });
  });

  app.use(requestBudget());
  app.get("/healthz", (c) => c.json({ status: "ok", worker: options.name }));
  if (options.callerAuth !== false) app.use(callerAuth({ open: ["/healthz", ...(options.open ?? [])] }));
  app.use(serverTiming());
  const { openapi, openapiAsset } = options;
  if (openapi) app.get("/openapi.json", (c) => c.json(openapi));
  if (openapiAsset) app.get("/openapi.json", (c) => servedAsset(c.env, openapiAsset, c.req.url));

  // Thrown, so onError answers it like every other problem.
  app.notFound((c) => {
    throw unmatched(app, c.req.method, c.req.path);
  });
  app.onError((error, c) => {
    const { problem, internal } = toProblem(error);
    if (internal) {
      // Name and message only: our own errors never hold secrets, and stacks stay out of logs.
      log("error", {
        event: "unhandled-error",
        worker: options.name,
        requestId: c.var.requestId,
        error: error instanceof ProblemError ? error.init.type : `${error.name}: ${error.message}`,
      });
    }
    return problemResponse(problem, c.var.requestId);
  });
  return app;
}

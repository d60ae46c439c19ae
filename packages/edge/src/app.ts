// The Hono app every worker starts from: request ids, structured access logs, the request's time
// budget, /healthz, caller authentication, /openapi.json, and problem+json for every error and
// unknown route.
import { ServiceTitanError } from "@st-edge/servicetitan";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { requestBudget } from "./budget.ts";
import { callerAuth } from "./caller-auth.ts";
import type { EdgeBindings } from "./config.ts";
import { toProblem } from "./errors.ts";
import { log } from "./logging.ts";
import { ProblemError, problemResponse } from "./problem.ts";

export interface WorkerAppOptions {
  /** The worker's name, in logs and /healthz. */
  name: string;
  /** The worker's OpenAPI document (generated into specs/workers/). */
  openapi: object;
  /**
   * Paths that authenticate callers their own way instead of by API key (a webhook receiver
   * checking its sender's signature). /healthz is always open.
   */
  open?: string[];
}

export type WorkerEnv<B extends EdgeBindings = EdgeBindings> = {
  Bindings: B;
  Variables: { requestId: string };
};

/**
 * @example
 * const app = createWorkerApp<Env>({ name: "invoice-lookup", openapi });
 * mount(app, getInvoice, handler);
 * export default app;
 */
export function createWorkerApp<B extends EdgeBindings>(options: WorkerAppOptions): Hono<WorkerEnv<B>> {
  const app = new Hono<WorkerEnv<B>>();

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
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
  app.use(callerAuth({ open: ["/healthz", ...(options.open ?? [])] }));
  app.get("/openapi.json", (c) => c.json(options.openapi));

  app.notFound((c) =>
    problemResponse(
      { type: "not-found", detail: `No route for ${c.req.method} ${c.req.path}` },
      c.var.requestId,
    ),
  );
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

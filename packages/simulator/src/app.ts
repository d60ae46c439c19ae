// Assembles the Hono app: the token endpoint and the accounting API on one origin, the admin
// endpoints, a description at `/`, and the error handling that turns every failure into
// ServiceTitan's envelope (except simulated dropped connections, which must reject the fetch).
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "./context.ts";
import { HttpProblem, mustRejectFetch, problemResponse, validationProblem } from "./errors.ts";
import { adminRoutes } from "./routes/admin.ts";
import { billRoutes } from "./routes/bills.ts";
import { exportRoutes } from "./routes/export.ts";
import { invoiceRoutes } from "./routes/invoices.ts";
import { notImplementedRoutes } from "./routes/not-implemented.ts";
import { paymentRoutes } from "./routes/payments.ts";
import { referenceDataRoutes } from "./routes/reference-data.ts";
import { rootRoutes } from "./routes/root.ts";
import { tokenRoutes } from "./routes/token.ts";
import { webhookAdminRoutes } from "./routes/webhooks.ts";
import type { Simulator } from "./simulator.ts";
import { specOperations } from "./spec.ts";

/** Where the accounting module lives on the API host, as on ServiceTitan's. */
export const ACCOUNTING_PREFIX = "/accounting/v2";

/** Spec paths as patterns, to tell an unknown path (404) from a wrong method (405). */
const specPaths = [...new Set(specOperations.map((op) => op.path))].map((path) => ({
  pattern: new RegExp(`^${ACCOUNTING_PREFIX}${path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
  methods: specOperations.filter((op) => op.path === path).map((op) => op.method),
}));

function notFound(request: Request): Response {
  const { pathname } = new URL(request.url);
  const known = specPaths.filter(({ pattern }) => pattern.test(pathname));
  if (known.length === 0) return problemResponse(404, `No route matches ${request.method} ${pathname}.`);
  const tenant = /^\/accounting\/v2\/tenant\/([^/]+)/.exec(pathname)?.[1];
  if (tenant !== undefined && !/^\d+$/.test(tenant)) {
    return validationProblem({ tenant: [`The value '${tenant}' is not valid.`] }).toResponse();
  }
  const allow = [...new Set(known.flatMap(({ methods }) => methods))];
  if (allow.includes(request.method))
    return problemResponse(404, `No route matches ${request.method} ${pathname}.`);
  return problemResponse(405, `${request.method} is not allowed here.`, {
    headers: { Allow: allow.join(", ") },
  });
}

/** The whole app for one simulator's state; `simulator` backs the admin routes. */
export function createApp(state: SimulatorState, simulator: Simulator): Hono {
  // ASP.NET ignores a trailing slash; so do we.
  const app = new Hono({ strict: false });
  app.route("/", rootRoutes(state));
  app.route("/", tokenRoutes(state));
  app.route("/", adminRoutes(state, simulator));
  app.route("/", webhookAdminRoutes(simulator));

  const api = new Hono<ApiEnv>();
  api.route("/", notImplementedRoutes(state));
  api.route("/", invoiceRoutes(state));
  api.route("/", paymentRoutes(state));
  api.route("/", referenceDataRoutes(state));
  api.route("/", billRoutes(state));
  api.route("/", exportRoutes(state));
  app.route(`${ACCOUNTING_PREFIX}/tenant/:tenant{[0-9]+}`, api);

  app.notFound((c) => notFound(c.req.raw));
  app.onError((error) => {
    if (mustRejectFetch(error)) throw error;
    if (error instanceof HttpProblem) return error.toResponse();
    // A simulator bug: still the envelope, but named as ours so it is not mistaken for a simulated fault.
    return problemResponse(500, "The simulator failed to handle this request.", {
      data: { simulatorError: String(error) },
    });
  });
  return app;
}

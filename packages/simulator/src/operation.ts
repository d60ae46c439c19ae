// The middleware in front of every accounting operation: count the call, authenticate, then run
// the request's faults (from the X-Sim-Fault header and the tenant's rules) around the handler.
// Order matters: faults act like ServiceTitan's own failures, which an unauthenticated caller
// never gets to see.
import type { MiddlewareHandler } from "hono";
import { authenticate } from "./auth.ts";
import type { ApiEnv, SimulatorState } from "./context.ts";
import { problemResponse, validationProblem } from "./errors.ts";
import { injectFaults } from "./fault-injection.ts";
import { answersItself, FAULT_HEADER, type Fault, FaultSyntaxError, parseFaults } from "./faults.ts";

/** Faults asked for by the request itself. A malformed header is the test's bug: 400. */
export function headerFaults(header: string | undefined): Fault[] {
  if (!header) return [];
  try {
    return parseFaults(header);
  } catch (error) {
    if (error instanceof FaultSyntaxError) throw validationProblem({ [FAULT_HEADER]: [error.message] });
    throw error;
  }
}

/**
 * @example
 * routes.get("/invoices", operation(state, "Invoices_GetList"), (c) => c.json(list(c.var.store)));
 */
export function operation(state: SimulatorState, operationId: string): MiddlewareHandler<ApiEnv> {
  const retired = state.settings.retiredOperations.includes(operationId);
  return async (c, next) => {
    if (retired) return problemResponse(404, `No route matches ${c.req.method} ${c.req.path}.`);
    state.stats.call(operationId);
    const store = authenticate(
      state,
      { appKey: c.req.header("ST-App-Key"), authorization: c.req.header("Authorization") },
      Number(c.req.param("tenant")),
    );
    c.set("store", store);
    const requested = headerFaults(c.req.header(FAULT_HEADER));
    const faults = [
      ...requested,
      ...state.faults.take(store.tenantId, operationId, c.req.method, answersItself(requested)),
    ];
    return injectFaults(c, faults, next, { clock: state.clock, stats: state.stats, tokenEndpoint: false });
  };
}

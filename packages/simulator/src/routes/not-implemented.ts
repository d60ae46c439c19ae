// The spec's other operations answer 501 with the envelope (after the usual auth), so a
// consumer reaching for one learns at once that the simulator does not model it instead of
// getting a misleading 404. Registered before the implemented routes so that literal segments
// (`/ap-bills/custom-fields`) win over parameters (`/ap-bills/{billId}`).
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { HttpProblem } from "../errors.ts";
import { IMPLEMENTED_OPERATIONS } from "../implemented.ts";
import { operation } from "../operation.ts";
import { specOperations } from "../spec.ts";

const implemented = new Set<string>(IMPLEMENTED_OPERATIONS);

/** A 501 route for every spec operation the simulator does not model. */
export function notImplementedRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  for (const op of specOperations) {
    if (implemented.has(op.operationId)) continue;
    const path = op.path.replace(/^\/tenant\/\{tenant\}/, "").replace(/\{([^}]+)\}/g, ":$1");
    routes.on(op.method, path, operation(state, op.operationId), () => {
      throw new HttpProblem(501, `${op.operationId} is not implemented by the simulator.`, {
        data: { operationId: op.operationId },
      });
    });
  }
  return routes;
}

// POST /connect/token: ServiceTitan's client-credentials endpoint. Every request is counted per
// client id before anything else decides its answer; faults (header or the client's tenant's
// rules) apply here too, so consumers can be tested against a token outage or throttling.
import { Hono, type MiddlewareHandler } from "hono";
import type { SimulatorState } from "../context.ts";
import { problemResponse } from "../errors.ts";
import { injectFaults } from "../fault-injection.ts";
import { answersItself, FAULT_HEADER, TOKEN_OPERATION } from "../faults.ts";
import { headerFaults } from "../operation.ts";

async function readForm(request: Request): Promise<URLSearchParams | undefined> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().includes("application/x-www-form-urlencoded")) return undefined;
  // Decoded by hand: workerd warns when .text() reads a form body.
  return new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
}

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** `POST /connect/token`. */
export function tokenRoutes(state: SimulatorState): Hono {
  const routes = new Hono();

  const countAndFault: MiddlewareHandler = async (c, next) => {
    const form = await readForm(c.req.raw.clone());
    const clientId = form?.get("client_id") ?? "";
    state.stats.tokenRequest(clientId);
    const tenantId = state.tokens.tenantOf(clientId);
    const requested = headerFaults(c.req.header(FAULT_HEADER));
    const faults = [
      ...requested,
      ...(tenantId === undefined
        ? []
        : state.faults.take(tenantId, TOKEN_OPERATION, "POST", answersItself(requested))),
    ];
    return injectFaults(c, faults, next, { clock: state.clock, stats: state.stats, tokenEndpoint: true });
  };

  routes.post("/connect/token", countAndFault, async (c) => {
    const form = await readForm(c.req.raw);
    if (!form) {
      return c.json(
        { error: "invalid_request", error_description: "Send application/x-www-form-urlencoded." },
        400,
        NO_STORE,
      );
    }
    const outcome = state.tokens.request({
      grant_type: form.get("grant_type") ?? undefined,
      client_id: form.get("client_id") ?? undefined,
      client_secret: form.get("client_secret") ?? undefined,
    });
    if (outcome.status === 429) {
      // No documented body for a throttled token request: ServiceTitan's envelope with the wait
      // in the title and in Retry-After, as its API's 429s are seen to carry (UNCONFIRMED).
      return problemResponse(
        429,
        `Rate limit is exceeded. Try again in ${outcome.retryAfterSeconds} seconds.`,
        {
          headers: { "Retry-After": String(outcome.retryAfterSeconds) },
        },
      );
    }
    return c.json(outcome.body, outcome.status, NO_STORE);
  });

  return routes;
}

// GET /: what this simulator is and how to talk to it (demo tenants with their credentials, the
// app keys, where the token endpoint and the accounting API are, and the operations served).
import { Hono } from "hono";
import type { SimulatorState } from "../context.ts";
import { FAULT_HEADER } from "../faults.ts";
import { IMPLEMENTED_OPERATIONS } from "../implemented.ts";

/** `GET /`, the self-description. */
export function rootRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  routes.get("/", (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json({
      name: "servicetitan-simulator",
      description:
        "Local stand-in for ServiceTitan's token endpoint and the Accounting v2 endpoints; seeded, deterministic, with faults on demand.",
      tokenUrl: `${origin}/connect/token`,
      accountingBaseUrl: `${origin}/accounting/v2`,
      appKeys: state.settings.appKeys,
      tenants: state.settings.tenants.map(({ tenantId, name, clientId, clientSecret }) => ({
        tenantId,
        name,
        clientId,
        clientSecret,
      })),
      operations: IMPLEMENTED_OPERATIONS,
      faultHeader: FAULT_HEADER,
      admin: [
        "POST /__sim/reset",
        "GET /__sim/stats",
        "GET|PUT /__sim/config",
        "GET|PUT|DELETE /__sim/tenants/{tenant}/faults",
        "POST /__sim/tenants/{tenant}/revoke-tokens",
        "POST /__sim/revoke-tokens",
        "GET /__sim/tenants/{tenant}/ledger",
        "GET /__sim/persistence (wrangler dev: what the saved journal restored)",
      ],
    });
  });
  return routes;
}

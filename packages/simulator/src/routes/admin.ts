// The simulator's own endpoints under /__sim/: reset, stats, per-tenant fault rules, token
// revocation, token settings and the ledger. Each one calls the Simulator method of the same
// name, so tests driving the worker over HTTP and tests holding the object see one mechanism.
import { Hono } from "hono";
import type { SimulatorState } from "../context.ts";
import { HttpProblem, notFound, validationProblem } from "../errors.ts";
import { type FaultRule, FaultSyntaxError } from "../faults.ts";
import { INVOICE_LOCKS, type InvoiceLock, type RuntimeSettings } from "../options.ts";
import type { Simulator } from "../simulator.ts";

async function json(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw validationProblem({ body: ["The request body is not valid JSON."] });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Fault rules arrive as `{ "rules": [...] }` or a bare array; each needs a string `fault`. */
function faultRules(body: unknown): FaultRule[] {
  const list = isRecord(body) ? body.rules : body;
  if (!Array.isArray(list))
    throw validationProblem({ rules: ['Send { "rules": [ { "fault": "status=503" } ] }.'] });
  return list.map((rule, index) => {
    if (!isRecord(rule) || typeof rule.fault !== "string")
      throw validationProblem({ [`rules[${index}].fault`]: ["A fault string is required."] });
    const { fault, operationId, method, times, probability } = rule;
    return {
      fault,
      ...(typeof operationId === "string" ? { operationId } : {}),
      ...(typeof method === "string" ? { method } : {}),
      ...(typeof times === "number" ? { times } : {}),
      ...(typeof probability === "number" ? { probability } : {}),
    };
  });
}

const isNumberPair = (value: unknown): value is { requests: number; perSeconds: number } =>
  isRecord(value) && typeof value.requests === "number" && typeof value.perSeconds === "number";

/** A list of invoice lock names, or undefined with an error filed. */
function lockList(
  value: unknown,
  field: string,
  errors: Record<string, string[]>,
): InvoiceLock[] | undefined {
  if (!Array.isArray(value)) {
    errors[field] = [`Must be a list of ${INVOICE_LOCKS.join(", ")}.`];
    return undefined;
  }
  const locks = INVOICE_LOCKS.filter((lock) => value.includes(lock));
  const bad = value.filter((entry) => !INVOICE_LOCKS.some((lock) => lock === entry));
  if (bad.length > 0)
    errors[field] = bad.map((entry) => `'${String(entry)}' is not one of ${INVOICE_LOCKS.join(", ")}.`);
  return bad.length > 0 ? undefined : locks;
}

/** `PUT /__sim/config`: any of tokenLifetimeSeconds, tokenRateLimit, invoiceLocks {items?, fields?}. */
function configChanges(body: unknown, current: RuntimeSettings): Partial<RuntimeSettings> {
  if (!isRecord(body)) throw validationProblem({ body: ["Send a JSON object."] });
  const { tokenLifetimeSeconds, tokenRateLimit, invoiceLocks, ...rest } = body;
  const errors: Record<string, string[]> = {};
  for (const name of Object.keys(rest)) errors[name] = ["Not a setting of the simulator."];
  const changes: Partial<RuntimeSettings> = {};
  if (typeof tokenLifetimeSeconds === "number") changes.tokenLifetimeSeconds = tokenLifetimeSeconds;
  else if (tokenLifetimeSeconds !== undefined) errors.tokenLifetimeSeconds = ["Must be a number."];
  if (isNumberPair(tokenRateLimit))
    changes.tokenRateLimit = { requests: tokenRateLimit.requests, perSeconds: tokenRateLimit.perSeconds };
  else if (tokenRateLimit !== undefined)
    errors.tokenRateLimit = ["Must be { requests: number, perSeconds: number }."];
  if (isRecord(invoiceLocks)) {
    const items =
      invoiceLocks.items === undefined
        ? current.invoiceLocks.items
        : lockList(invoiceLocks.items, "invoiceLocks.items", errors);
    const fields =
      invoiceLocks.fields === undefined
        ? current.invoiceLocks.fields
        : lockList(invoiceLocks.fields, "invoiceLocks.fields", errors);
    if (items && fields) changes.invoiceLocks = { items, fields };
  } else if (invoiceLocks !== undefined) {
    errors.invoiceLocks = [
      'Must be { "items": ["Posted", "Exported"], "fields": [] } (either list may be left out).',
    ];
  }
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return changes;
}

/** The `/__sim/` endpoints, each calling the Simulator method of the same name. */
export function adminRoutes(state: SimulatorState, simulator: Simulator): Hono {
  const routes = new Hono();
  const tenantOf = (text: string): number => {
    const tenantId = Number(text);
    if (!state.stores.has(tenantId)) throw notFound(`Tenant ${text}`);
    return tenantId;
  };

  routes.post("/__sim/reset", (c) => {
    simulator.reset();
    return c.json({ reset: true });
  });

  routes.get("/__sim/stats", (c) => c.json(simulator.stats()));

  routes.get("/__sim/config", (c) => c.json(simulator.settings()));

  routes.put("/__sim/config", async (c) => {
    const changes = configChanges(await json(c.req.raw), simulator.settings());
    try {
      simulator.configure(changes);
    } catch (error) {
      if (error instanceof RangeError) throw validationProblem({ body: [error.message] });
      throw error;
    }
    return c.json(simulator.settings());
  });

  routes.get("/__sim/tenants/:tenant/faults", (c) =>
    c.json({ rules: state.faults.list(tenantOf(c.req.param("tenant"))) }),
  );

  routes.put("/__sim/tenants/:tenant/faults", async (c) => {
    const tenantId = tenantOf(c.req.param("tenant"));
    const rules = faultRules(await json(c.req.raw));
    try {
      simulator.setFaults(tenantId, rules);
    } catch (error) {
      if (error instanceof FaultSyntaxError) throw validationProblem({ rules: [error.message] });
      throw error;
    }
    return c.json({ rules: state.faults.list(tenantId) });
  });

  routes.delete("/__sim/tenants/:tenant/faults", (c) => {
    simulator.setFaults(tenantOf(c.req.param("tenant")), []);
    return c.json({ rules: [] });
  });

  routes.post("/__sim/tenants/:tenant/revoke-tokens", (c) => {
    simulator.revokeTokens(tenantOf(c.req.param("tenant")));
    return c.json({ revoked: true });
  });

  routes.post("/__sim/revoke-tokens", (c) => {
    simulator.revokeTokens();
    return c.json({ revoked: true });
  });

  routes.get("/__sim/tenants/:tenant/ledger", (c) =>
    c.json(simulator.ledger(tenantOf(c.req.param("tenant")))),
  );

  routes.all("/__sim/*", () => {
    throw new HttpProblem(404, "No such simulator endpoint.");
  });

  return routes;
}

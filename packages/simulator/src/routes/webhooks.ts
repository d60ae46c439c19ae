// The simulated webhooks' admin endpoints: their settings and counters, changing them at run
// time (a test or a demo points the simulator at a receiver), and sending what is due now.
import { Hono } from "hono";
import { validationProblem } from "../errors.ts";
import type { Simulator } from "../simulator.ts";
import { parseWebhookFaults, type WebhookOptions } from "../webhooks.ts";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `{url?, key?, signatureHeader?, retryDelaysSeconds?, faults?}`; faults as an object or the env-var text. */
function webhookChanges(body: unknown): WebhookOptions {
  if (!isRecord(body)) throw validationProblem({ body: ["Send a JSON object."] });
  const { url, key, signatureHeader, retryDelaysSeconds, faults } = body;
  const text = (value: unknown, field: string) => {
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw validationProblem({ [field]: ["Must be a string."] });
    return value;
  };
  if (
    retryDelaysSeconds !== undefined &&
    !(Array.isArray(retryDelaysSeconds) && retryDelaysSeconds.every((d) => Number.isInteger(d) && d >= 0))
  ) {
    throw validationProblem({ retryDelaysSeconds: ["Must be a list of whole seconds."] });
  }
  let parsedFaults: WebhookOptions["faults"];
  try {
    parsedFaults =
      typeof faults === "string"
        ? parseWebhookFaults(faults)
        : isRecord(faults)
          ? parseWebhookFaults(
              Object.entries(faults)
                .map(([name, value]) => (value === true ? name : `${name}=${value}`))
                .join(","),
            )
          : undefined;
  } catch (error) {
    throw validationProblem({ faults: [error instanceof Error ? error.message : "Not valid."] });
  }
  return {
    ...(url !== undefined ? { url: text(url, "url") } : {}),
    ...(key !== undefined ? { key: text(key, "key") } : {}),
    ...(signatureHeader !== undefined ? { signatureHeader: text(signatureHeader, "signatureHeader") } : {}),
    ...(Array.isArray(retryDelaysSeconds) ? { retryDelaysSeconds } : {}),
    ...(parsedFaults ? { faults: parsedFaults } : {}),
  };
}

/** GET / PUT /__sim/webhooks, POST /__sim/webhooks/deliver. */
export function webhookAdminRoutes(simulator: Simulator): Hono {
  const routes = new Hono();
  routes.get("/__sim/webhooks", (c) => c.json(simulator.webhookStats()));
  routes.put("/__sim/webhooks", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw validationProblem({ body: ["The request body is not valid JSON."] });
    }
    simulator.configureWebhooks(webhookChanges(body));
    return c.json(simulator.webhookStats());
  });
  routes.post("/__sim/webhooks/deliver", async (c) => {
    await simulator.deliverWebhooks();
    return c.json(simulator.webhookStats());
  });
  return routes;
}

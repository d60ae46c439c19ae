// REST hook subscriptions in Zapier's shape: subscribe (POST /hooks), list, unsubscribe.
// A target is checked against the policy (targets.ts) before it is stored, and again before
// every delivery.
import { ProblemError } from "@st-edge/edge";
import type { createHook, deleteHook, listHooks } from "../api.ts";
import { eventsProblem, HOOK_LIMIT, HOOK_NOT_FOUND, TARGET_REFUSED } from "../problems.ts";
import { deliverySettings, egress, ensureWatching, tenantStore } from "../settings.ts";
import { checkResolved, checkTarget } from "../targets.ts";
import type { Handler } from "./context.ts";

export const createHookHandler: Handler<typeof createHook> = async (c, { body }) => {
  // A subscription is only taken when deliveries can be signed (HOOK_SIGNING_SECRET) and sent.
  const { policy, dnsResolver } = deliverySettings(c.env);
  const refused = (reason: string | undefined) =>
    new ProblemError(
      eventsProblem(TARGET_REFUSED, `targetUrl ${reason ?? "is refused"}`, {
        errors: [{ in: "body", field: "targetUrl", message: reason ?? "is refused" }],
      }),
    );
  const verdict = checkTarget(body.targetUrl, policy);
  if (!verdict.ok) throw refused(verdict.reason);
  const resolved = await checkResolved(new URL(body.targetUrl), {
    resolver: dnsResolver,
    send: egress(c.env),
    policy,
  });
  if (!resolved.ok) throw refused(resolved.reason);

  const store = tenantStore(c.env);
  const result = await store.addHook({ event: body.event, targetUrl: body.targetUrl });
  if ("full" in result) throw new ProblemError(eventsProblem(HOOK_LIMIT, "Remove a subscription first"));
  // Watching starts with the first subscription (and stays armed by the Cron Trigger when deployed).
  await ensureWatching(c.env);
  return c.json(result.hook, result.created ? 201 : 200);
};

export const listHooksHandler: Handler<typeof listHooks> = async (c) =>
  c.json({ data: await tenantStore(c.env).listHooks() });

export const deleteHookHandler: Handler<typeof deleteHook> = async (c, { params }) => {
  if (!(await tenantStore(c.env).removeHook(params.id))) {
    throw new ProblemError(eventsProblem(HOOK_NOT_FOUND, `No subscription ${params.id} in this tenant`));
  }
  return c.body(null, 204);
};

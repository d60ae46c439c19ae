// The one route of the dispatcher: resolve the tenant and capability, check the caller's key
// against that tenant's digests, and hand the request to the tenant's worker. A key of tenant A
// never reaches tenant B's worker: it is refused here (and would be there, by B's own secret).
// An unknown tenant and a wrong key get the same 401, so a caller cannot list tenants.
import { isAcceptedKey, ProblemError, parseKeyHashes, presentedKey, type WorkerEnv } from "@st-edge/edge";
import type { Context } from "hono";
import type { TenantDirectory, TenantEntry } from "../directory.ts";
import type { TenantWorkers } from "../namespace.ts";
import { type Route, routeOf } from "../routing.ts";

export interface DispatchOptions<B extends object> {
  directory: (env: B) => TenantDirectory;
  workers: (env: B) => TenantWorkers;
}

const refused = () =>
  new ProblemError({
    type: "unauthorized",
    detail: "Send a valid API key of this tenant as `Authorization: Bearer <key>` or `X-Api-Key: <key>`",
  });

async function authorize(request: Request, entry: TenantEntry | undefined): Promise<TenantEntry> {
  const key = presentedKey(request.headers);
  // The digest is computed even for an unknown tenant, so timing does not tell tenants apart.
  const accepted =
    key !== undefined &&
    key.length <= 512 &&
    (await isAcceptedKey(key, parseKeyHashes(entry?.apiKeyHashes.join(","))));
  if (!entry || !accepted) throw refused();
  return entry;
}

function scriptOf(entry: TenantEntry, route: Route): string {
  const script = Object.hasOwn(entry.workers, route.capability) ? entry.workers[route.capability] : undefined;
  if (!script) {
    throw new ProblemError({
      type: "not-found",
      detail: `Tenant ${entry.tenant} has no ${route.capability} worker (it has: ${Object.keys(entry.workers).join(", ")})`,
    });
  }
  return script;
}

const missingWorker = (route: Route) =>
  new ProblemError({
    type: "misconfigured",
    detail: `The ${route.capability} worker of tenant ${route.tenant} is not deployed in the dispatch namespace`,
  });

/**
 * @example app.all("*", dispatchHandler({ directory: (env) => kvDirectory(env.TENANTS), workers }));
 */
export function dispatchHandler<B extends object>(options: DispatchOptions<B>) {
  return async function dispatch(c: Context<WorkerEnv<B>>): Promise<Response> {
    const directory = options.directory(c.env);
    const url = new URL(c.req.url);
    const route = routeOf(url, await directory.tenantOfHost(url.hostname));
    if (!route) {
      throw new ProblemError({
        type: "not-found",
        detail:
          "Address a tenant's worker as /<tenant>/<capability>/<path>, or /<capability>/<path> on its hostname",
      });
    }
    const entry = await authorize(c.req.raw, await directory.tenant(route.tenant));
    const script = scriptOf(entry, route);
    const worker = options.workers(c.env).get(script);
    if (!worker) throw missingWorker(route);
    const forwarded = new Request(new URL(route.forwardPath, url.origin), c.req.raw);
    forwarded.headers.set("X-Request-Id", c.var.requestId);
    let response: Response;
    try {
      response = await worker.fetch(forwarded);
    } catch (error) {
      // Workers for Platforms reports a script missing from the namespace as an exception.
      if (error instanceof Error && error.message.startsWith("Worker not found")) throw missingWorker(route);
      throw error;
    }
    // The worker's answer as it is (body streamed through), with the request id it was given.
    const answer = new Response(response.body, response);
    if (!answer.headers.has("X-Request-Id")) answer.headers.set("X-Request-Id", c.var.requestId);
    return answer;
  };
}

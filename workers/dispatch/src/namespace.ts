// The dispatch namespace behind a small interface. Deployed, it is Workers for Platforms'
// `dispatch_namespaces` binding. Locally and in tests (wrangler cannot emulate a namespace) it is
// a set of service bindings: LOCAL_USER_WORKERS maps each script name to the binding serving it.

/** The tenant workers the dispatcher can reach, by script name. */
export interface TenantWorkers {
  /** The worker, or undefined when the namespace holds no script by that name. */
  get(scriptName: string): Fetcher | undefined;
}

/** Per-call limits on a user worker (Workers for Platforms custom limits). */
export const USER_WORKER_LIMITS = { cpuMs: 50, subRequests: 50 };

/**
 * Workers for Platforms: a missing script shows up as an error from `get` or from its `fetch`
 * ("Worker not found"), which the dispatcher turns into a problem.
 */
export function namespaceWorkers(namespace: DispatchNamespace): TenantWorkers {
  return { get: (scriptName) => namespace.get(scriptName, {}, { limits: USER_WORKER_LIMITS }) };
}

const isFetcher = (value: unknown): value is Fetcher =>
  typeof value === "object" && value !== null && "fetch" in value && typeof value.fetch === "function";

/**
 * Service bindings standing in for the namespace: `mapping` is `{ scriptName: bindingName }`
 * (the LOCAL_USER_WORKERS var, JSON), resolved against the worker's bindings.
 *
 * @example serviceBindingWorkers(env, '{"demo-invoice-lookup":"LOCAL_INVOICE_LOOKUP"}')
 */
export function serviceBindingWorkers(bindings: object, mapping: string | undefined): TenantWorkers {
  let names: unknown = {};
  try {
    names = JSON.parse(mapping || "{}");
  } catch {
    // An unreadable mapping reaches no worker; every dispatch then reports the tenant's worker missing.
  }
  return {
    get(scriptName) {
      if (typeof names !== "object" || names === null || !Object.hasOwn(names, scriptName)) return undefined;
      const bindingName: unknown = Reflect.get(names, scriptName);
      const binding: unknown =
        typeof bindingName === "string" ? Reflect.get(bindings, bindingName) : undefined;
      return isFetcher(binding) ? binding : undefined;
    },
  };
}

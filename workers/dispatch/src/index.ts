// The dispatch worker: routes each caller to its tenant's capability workers in one Workers for
// Platforms dispatch namespace (routing.ts), with each tenant's own caller keys (routes/dispatch.ts)
// from the tenant directory (directory.ts). Locally and in tests the namespace is service bindings.
import { createWorkerApp } from "@st-edge/edge";
import { kvDirectory, type TenantDirectory } from "./directory.ts";
import { namespaceWorkers, serviceBindingWorkers } from "./namespace.ts";
import { dispatchHandler } from "./routes/dispatch.ts";

const app = createWorkerApp<Env>({ name: "dispatch", callerAuth: false });

// One directory (and its cache) per KV binding, for the life of the isolate.
const directories = new WeakMap<KVNamespace, TenantDirectory>();
const directoryOf = (kv: KVNamespace): TenantDirectory => {
  let directory = directories.get(kv);
  if (!directory) {
    directory = kvDirectory(kv);
    directories.set(kv, directory);
  }
  return directory;
};

app.all(
  "*",
  dispatchHandler<Env>({
    directory: (env) => directoryOf(env.TENANTS),
    workers: (env) =>
      env.DISPATCHER ? namespaceWorkers(env.DISPATCHER) : serviceBindingWorkers(env, env.LOCAL_USER_WORKERS),
  }),
);

export default app;

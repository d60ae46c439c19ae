// A tenant's deployment settings (tenants/<name>.jsonc and its secrets file), checked, and the
// wrangler config of each of its workers, generated from the worker's own wrangler.jsonc (never
// a hand-edited copy). Shared by `pnpm tenant` (scripts/tenant.mjs) and its tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readJsonc } from "./jsonc.mjs";

export const root = resolve(import.meta.dirname, "../..");
export const CAPABILITIES = ["invoice-lookup", "tax-zones", "payment-terms", "bills", "payment-posting"];
export const SECRET_NAMES = [
  "ST_APP_KEY",
  "ST_CLIENT_ID",
  "ST_CLIENT_SECRET",
  "API_KEY_HASHES",
  "TOKEN_ENCRYPTION_KEY",
];
/** TOKEN_ENCRYPTION_KEY is optional; the others are not. */
const REQUIRED_SECRETS = SECRET_NAMES.slice(0, 4);
export const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;

/** A mistake in a tenant's files: the message names the file and the setting, never a secret. */
export class TenantConfigError extends Error {
  name = "TenantConfigError";
}

const fail = (message) => {
  throw new TenantConfigError(message);
};

/** Where tenant files live: tenants/ (ST_EDGE_TENANTS_DIR moves it, for tests). */
export const tenantsDir = () => process.env.ST_EDGE_TENANTS_DIR || join(root, "tenants");

/** tenants/<name>.jsonc, checked. */
export function readTenant(name) {
  if (!TENANT_NAME.test(name ?? "")) fail("tenant name must be lowercase letters, digits and dashes");
  const path = join(tenantsDir(), `${name}.jsonc`);
  if (!existsSync(path)) fail(`${relative(root, path)} not found (copy tenants/example.jsonc)`);
  const tenant = readJsonc(path);
  const { servicetitan: st, cloudflare: cf, capabilities } = tenant;
  if (!["production", "integration"].includes(st?.environment))
    fail("servicetitan.environment must be production or integration");
  if (!Number.isSafeInteger(st?.tenantId) || st.tenantId <= 0)
    fail("servicetitan.tenantId must be a positive integer");
  if (st.authScheme !== undefined && !["raw", "bearer"].includes(st.authScheme))
    fail("servicetitan.authScheme must be raw or bearer");
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(cf?.workerPrefix ?? ""))
    fail("cloudflare.workerPrefix must be lowercase letters, digits and dashes (≤ 31)");
  if (!/^[0-9a-f]{32}$/.test(cf?.kvNamespaceId ?? ""))
    fail("cloudflare.kvNamespaceId must be a KV namespace id (32 hex)");
  if (cf.accountId != null && !/^[0-9a-f]{32}$/.test(cf.accountId))
    fail("cloudflare.accountId must be an account id (32 hex) or null");
  if (cf.tokenBroker !== undefined && !["shared", "per-worker"].includes(cf.tokenBroker))
    fail('cloudflare.tokenBroker must be "shared" or "per-worker"');
  if (cf.dispatch !== undefined && cf.dispatch !== null) checkDispatch(cf.dispatch);
  const unknown = (capabilities ?? []).filter((c) => !CAPABILITIES.includes(c));
  if (!Array.isArray(capabilities) || capabilities.length === 0 || unknown.length > 0) {
    fail(
      `capabilities must list some of: ${CAPABILITIES.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`,
    );
  }
  if (new Set(capabilities).size !== capabilities.length) fail("capabilities lists a capability twice");
  return tenant;
}

function checkDispatch(dispatch) {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/.test(dispatch.namespace ?? ""))
    fail("cloudflare.dispatch.namespace must be a dispatch namespace name");
  if (!/^[0-9a-f]{32}$/.test(dispatch.directoryKvNamespaceId ?? ""))
    fail(
      "cloudflare.dispatch.directoryKvNamespaceId must be the dispatcher's TENANTS KV namespace id (32 hex)",
    );
  const hostnames = dispatch.hostnames ?? [];
  const hostname = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
  if (!Array.isArray(hostnames) || hostnames.some((h) => typeof h !== "string" || !hostname.test(h)))
    fail("cloudflare.dispatch.hostnames must be lowercase hostnames");
}

/** tenants/<name>.secrets.json, checked: the required secrets present, nothing unknown. */
export function readSecrets(name) {
  const file = join(tenantsDir(), `${name}.secrets.json`);
  if (!existsSync(file))
    fail(`${relative(root, file)} not found: a JSON object with ${SECRET_NAMES.join(", ")}`);
  const secrets = JSON.parse(readFileSync(file, "utf8"));
  const missing = REQUIRED_SECRETS.filter((key) => typeof secrets[key] !== "string" || secrets[key] === "");
  if (missing.length) fail(`${relative(root, file)} lacks ${missing.join(", ")}`);
  const unknown = Object.keys(secrets).filter((key) => !SECRET_NAMES.includes(key));
  if (unknown.length) fail(`${relative(root, file)} has unknown keys: ${unknown.join(", ")}`);
  return { file, secrets };
}

/** A worker's script name: `<prefix>-<capability>` (in the account, or in the dispatch namespace). */
export const scriptName = (tenant, capability) => `${tenant.cloudflare.workerPrefix}-${capability}`;

/**
 * The worker whose script hosts the tenant's token broker: the first capability listed. Every
 * worker exports the class; only this one's is bound, so one broker serves them all.
 */
export const brokerHost = (tenant) => tenant.capabilities[0];

/** The TOKEN_BROKER binding of `capability`: the host's class, or its own with "per-worker". */
function tokenBrokerBinding(tenant, capability, binding) {
  const own = tenant.cloudflare.tokenBroker === "per-worker" || capability === brokerHost(tenant);
  const { script_name: _local, ...rest } = binding;
  return own ? rest : { ...rest, script_name: scriptName(tenant, brokerHost(tenant)) };
}

/** The deployable wrangler config for one capability of one tenant (an object; nothing written). */
export function workerConfig(name, tenant, capability) {
  const workerDir = join(root, "workers", capability);
  const base = readJsonc(join(workerDir, "wrangler.jsonc"));
  const outDir = join(root, ".deploy", name);
  const { $schema: _schema, dev: _dev, services = [], durable_objects: durableObjects, ...rest } = base;
  const config = {
    ...rest,
    name: scriptName(tenant, capability),
    main: relative(outDir, join(workerDir, base.main)),
    ...(tenant.cloudflare.accountId ? { account_id: tenant.cloudflare.accountId } : {}),
    vars: {
      ...base.vars,
      ST_ENVIRONMENT: tenant.servicetitan.environment,
      ST_TENANT_ID: String(tenant.servicetitan.tenantId),
      ST_AUTH_SCHEME: tenant.servicetitan.authScheme ?? "raw",
    },
    kv_namespaces: [{ binding: "TOKENS", id: tenant.cloudflare.kvNamespaceId }],
    ...(durableObjects
      ? {
          durable_objects: {
            bindings: durableObjects.bindings.map((binding) =>
              binding.name === "TOKEN_BROKER" ? tokenBrokerBinding(tenant, capability, binding) : binding,
            ),
          },
        }
      : {}),
    // The simulator binding exists only for local runs.
    services: services.filter((service) => service.binding !== "SERVICETITAN"),
    workers_dev: tenant.cloudflare.workersDev !== false,
    ...(tenant.cloudflare.routes?.length ? { routes: tenant.cloudflare.routes } : {}),
  };
  return { config, workerDir, outDir };
}

/** Writes the config of `workerConfig` under .deploy/<name>/ for wrangler; returns its path. */
export function writeWorkerConfig(name, tenant, capability) {
  const { config, workerDir, outDir } = workerConfig(name, tenant, capability);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${capability}.wrangler.json`);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return { path, workerDir, config };
}

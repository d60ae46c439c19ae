// A tenant's deployment settings (tenants/<name>.jsonc and its secrets file), checked, and the
// wrangler config of each of its workers, generated from the worker's own wrangler.jsonc (never
// a hand-edited copy). Shared by `pnpm tenant` (scripts/tenant.mjs) and its tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readJsonc } from "./jsonc.mjs";

export const root = resolve(import.meta.dirname, "../..");
export const CAPABILITIES = [
  "invoice-lookup",
  "tax-zones",
  "payment-terms",
  "bills",
  "payment-posting",
  "events",
  "invoice-changes",
  "invoice-adjustments",
  "mcp",
];
/**
 * Capabilities that call the tenant's other workers through service bindings rather than talk to
 * ServiceTitan: they host no token broker and deploy after the workers they bind.
 */
const FRONT_ENDS = ["mcp"];
/** Each capability's wrangler configs, in deploy order (a Durable Object's owner before its users). */
const CONFIG_FILES = { events: ["wrangler.watcher.jsonc", "wrangler.jsonc"] };
export const SECRET_NAMES = [
  "ST_APP_KEY",
  "ST_CLIENT_ID",
  "ST_CLIENT_SECRET",
  "API_KEY_HASHES",
  "TOKEN_ENCRYPTION_KEY",
  "HOOK_SIGNING_SECRET",
  "ST_WEBHOOK_KEY",
  "MCP_TOKEN_SECRET",
];
/**
 * TOKEN_ENCRYPTION_KEY and ST_WEBHOOK_KEY are optional; HOOK_SIGNING_SECRET is needed with events,
 * MCP_TOKEN_SECRET (the confirmation tokens' HMAC key, 32+ characters) with mcp.
 */
const REQUIRED_SECRETS = SECRET_NAMES.slice(0, 4);
/** Local-only settings in the workers' wrangler.jsonc that a deployment replaces or drops. */
const DEPLOYED_VARS = { HOOK_TARGET_POLICY: "deployed" };
const LOCAL_ONLY_VARS = ["POLL_INTERVAL_SECONDS"];
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
  if (capabilities.every((c) => FRONT_ENDS.includes(c)))
    fail("capabilities must list a worker that talks to ServiceTitan (mcp only calls the others)");
  if (
    cf.mcpPublicUrl !== undefined &&
    cf.mcpPublicUrl !== null &&
    !/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(cf.mcpPublicUrl)
  )
    fail("cloudflare.mcpPublicUrl must be the MCP worker's public origin, https://host (no path), or null");
  checkHosts(capabilities);
  return tenant;
}

/**
 * A capability that binds a Durable Object class another capability's script hosts (invoice-changes
 * and invoice-adjustments bind payment-posting's invoice gates by `script_name`) needs that host
 * deployed, first. The token broker is the exception: its host is whichever capability comes first.
 */
function checkHosts(capabilities) {
  capabilities.forEach((capability, position) => {
    for (const file of configFiles(capability)) {
      const base = readJsonc(join(root, "workers", capability, file));
      for (const binding of base.durable_objects?.bindings ?? []) {
        if (!binding.script_name || binding.name === "TOKEN_BROKER") continue;
        const host = binding.script_name.replace(/^st-/, "");
        if (!CAPABILITIES.includes(host) || host === capability) continue;
        const at = capabilities.indexOf(host);
        if (at === -1)
          fail(`${capability} binds ${binding.class_name} hosted by ${host}: list ${host} in capabilities`);
        if (at > position)
          fail(`list ${host} before ${capability} in capabilities: it hosts ${binding.class_name}`);
      }
    }
  });
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
export function readSecrets(name, tenant = readTenant(name)) {
  const file = join(tenantsDir(), `${name}.secrets.json`);
  if (!existsSync(file))
    fail(`${relative(root, file)} not found: a JSON object with ${SECRET_NAMES.join(", ")}`);
  const secrets = JSON.parse(readFileSync(file, "utf8"));
  const required = [
    ...REQUIRED_SECRETS,
    ...(tenant.capabilities.includes("events") ? ["HOOK_SIGNING_SECRET"] : []),
    ...(tenant.capabilities.includes("mcp") ? ["MCP_TOKEN_SECRET"] : []),
  ];
  const missing = required.filter((key) => typeof secrets[key] !== "string" || secrets[key] === "");
  if (missing.length) fail(`${relative(root, file)} lacks ${missing.join(", ")}`);
  if (tenant.capabilities.includes("mcp") && secrets.MCP_TOKEN_SECRET.length < 32)
    fail(`${relative(root, file)}: MCP_TOKEN_SECRET must be at least 32 characters`);
  const unknown = Object.keys(secrets).filter((key) => !SECRET_NAMES.includes(key));
  if (unknown.length) fail(`${relative(root, file)} has unknown keys: ${unknown.join(", ")}`);
  return { file, secrets };
}

/** A worker's script name: `<prefix>-<capability>` (in the account, or in the dispatch namespace). */
export const scriptName = (tenant, capability) => `${tenant.cloudflare.workerPrefix}-${capability}`;

/** A local name in a wrangler config ("st-events-watcher") as the tenant's ("acme-plumbing-events-watcher"): scripts, queues. */
const tenantName = (tenant, local) => `${tenant.cloudflare.workerPrefix}-${local.replace(/^st-/, "")}`;

/**
 * The worker whose script hosts the tenant's token broker: the first capability listed that talks
 * to ServiceTitan. Every such worker exports the class; only this one's is bound, so one broker
 * serves them all.
 */
export const brokerHost = (tenant) => tenant.capabilities.find((c) => !FRONT_ENDS.includes(c));

/**
 * Service bindings to the tenant's own workers (`st-<capability>` locally) renamed to the tenant's
 * scripts; a binding to a capability the tenant does not deploy is dropped (the MCP server answers
 * its tools with "not deployed"). The simulator binding exists only for local runs.
 */
function tenantServices(tenant, services) {
  return services.flatMap((service) => {
    if (service.binding === "SERVICETITAN") return [];
    const capability = service.service.replace(/^st-/, "");
    if (!CAPABILITIES.includes(capability)) return [service];
    return tenant.capabilities.includes(capability)
      ? [{ ...service, service: scriptName(tenant, capability) }]
      : [];
  });
}

/** The TOKEN_BROKER binding of `capability`: the host's class, or its own with "per-worker". */
function tokenBrokerBinding(tenant, capability, binding) {
  const own = tenant.cloudflare.tokenBroker === "per-worker" || capability === brokerHost(tenant);
  const { script_name: _local, ...rest } = binding;
  return own ? rest : { ...rest, script_name: scriptName(tenant, brokerHost(tenant)) };
}

/** Durable Object bindings: the token broker as above; another script's class in the tenant's copy of it. */
function durableObjectBinding(tenant, capability, binding) {
  if (binding.name === "TOKEN_BROKER") return tokenBrokerBinding(tenant, capability, binding);
  return binding.script_name ? { ...binding, script_name: tenantName(tenant, binding.script_name) } : binding;
}

/** Queue producers and consumers, every queue named for the tenant. */
function tenantQueues(tenant, queues) {
  if (!queues) return {};
  const rename = (entry) => ({
    ...entry,
    queue: tenantName(tenant, entry.queue),
    ...(entry.dead_letter_queue ? { dead_letter_queue: tenantName(tenant, entry.dead_letter_queue) } : {}),
  });
  return {
    queues: {
      ...(queues.producers ? { producers: queues.producers.map(rename) } : {}),
      ...(queues.consumers ? { consumers: queues.consumers.map(rename) } : {}),
    },
  };
}

/** The wrangler config files of a capability, in deploy order. */
export const configFiles = (capability) => CONFIG_FILES[capability] ?? ["wrangler.jsonc"];

/** The deployable wrangler config of one worker (a capability's `file`) of one tenant (an object; nothing written). */
export function workerConfig(name, tenant, capability, file = "wrangler.jsonc") {
  const workerDir = join(root, "workers", capability);
  const base = readJsonc(join(workerDir, file));
  const outDir = join(root, ".deploy", name);
  const {
    $schema: _schema,
    dev: _dev,
    services = [],
    durable_objects: durableObjects,
    queues,
    ...rest
  } = base;
  const vars = { ...base.vars };
  for (const key of LOCAL_ONLY_VARS) delete vars[key];
  for (const [key, value] of Object.entries(DEPLOYED_VARS)) if (key in vars) vars[key] = value;
  const config = {
    ...rest,
    name: file === "wrangler.jsonc" ? scriptName(tenant, capability) : tenantName(tenant, base.name),
    main: relative(outDir, join(workerDir, base.main)),
    // Static assets (the OpenAPI document) are found from the generated config's folder too.
    ...(base.assets
      ? { assets: { ...base.assets, directory: relative(outDir, join(workerDir, base.assets.directory)) } }
      : {}),
    ...(tenant.cloudflare.accountId ? { account_id: tenant.cloudflare.accountId } : {}),
    vars: {
      ...vars,
      ST_ENVIRONMENT: tenant.servicetitan.environment,
      ST_TENANT_ID: String(tenant.servicetitan.tenantId),
      ST_AUTH_SCHEME: tenant.servicetitan.authScheme ?? "raw",
      // OAuth for MCP clients is on where the tenant names the MCP worker's public origin.
      ...(capability === "mcp" && tenant.cloudflare.mcpPublicUrl
        ? { MCP_PUBLIC_URL: tenant.cloudflare.mcpPublicUrl }
        : {}),
    },
    // Every namespace a worker binds (the token cache; the MCP server's OAuth store) is the
    // tenant's one: keys are prefixed per use.
    kv_namespaces: (base.kv_namespaces ?? []).map((kv) => ({
      binding: kv.binding,
      id: tenant.cloudflare.kvNamespaceId,
    })),
    ...(durableObjects
      ? {
          durable_objects: {
            bindings: durableObjects.bindings.map((binding) =>
              durableObjectBinding(tenant, capability, binding),
            ),
          },
        }
      : {}),
    ...tenantQueues(tenant, queues),
    services: tenantServices(tenant, services),
    workers_dev: tenant.cloudflare.workersDev !== false,
    ...(tenant.cloudflare.routes?.length ? { routes: tenant.cloudflare.routes } : {}),
  };
  return { config, workerDir, outDir };
}

/** Writes the config of `workerConfig` under .deploy/<name>/ for wrangler; returns its path. */
export function writeWorkerConfig(name, tenant, capability, file = "wrangler.jsonc") {
  const { config, workerDir, outDir } = workerConfig(name, tenant, capability, file);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${config.name.slice(tenant.cloudflare.workerPrefix.length + 1)}.wrangler.json`);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return { path, workerDir, config };
}

/**
 * A tenant's capabilities in deploy order: the token broker's host first, the workers that bind
 * the others through service bindings (mcp) last.
 */
export function deployOrder(tenant) {
  const host = brokerHost(tenant);
  const rest = tenant.capabilities.filter((capability) => capability !== host);
  return [
    host,
    ...rest.filter((c) => !FRONT_ENDS.includes(c)),
    ...rest.filter((c) => FRONT_ENDS.includes(c)),
  ];
}

/** Every worker config of a tenant's capabilities, in deploy order (deployOrder). */
export function writeAllWorkerConfigs(name, tenant) {
  const ordered = deployOrder(tenant);
  return ordered.flatMap((capability) =>
    configFiles(capability).map((file) => ({
      capability,
      ...writeWorkerConfig(name, tenant, capability, file),
    })),
  );
}

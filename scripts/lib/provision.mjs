// Provisioning a tenant into a Workers for Platforms dispatch namespace through the Cloudflare
// API: for each of its capability workers, its static assets (the OpenAPI document it serves at
// /openapi.json) through an assets upload session, a multipart upload of the bundled module with
// its bindings metadata, then its secrets; then the tenant's entry in the dispatcher's directory
// (KV). The plan is data (`provisioningPlan`), so a dry run prints exactly what would be sent and
// the tests assert it without any network; `runPlan` sends it. API references are listed in
// docs/deploying.md.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { brokerHost, SECRET_NAMES, scriptName } from "./tenant-config.mjs";

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";
/** What a dry run shows instead of a secret or the API token. */
export const REDACTED = "<redacted>";

const namespaceScript = (tenant, capability) =>
  `${CLOUDFLARE_API}/accounts/${tenant.cloudflare.accountId}/workers/dispatch/namespaces/${tenant.cloudflare.dispatch.namespace}/scripts/${scriptName(tenant, capability)}`;

/** Where an assets upload session's files go, with the session's upload token as Bearer. */
const assetsUpload = (tenant) =>
  `${CLOUDFLARE_API}/accounts/${tenant.cloudflare.accountId}/workers/assets/upload?base64=true`;

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

/**
 * Stands in the script upload's metadata for the completion token its assets upload session
 * answers (valid for an hour, so never planned ahead): `runPlan` puts the real one in its place.
 */
export const ASSETS_COMPLETION = "<completion token of this script's assets upload>";

const CONTENT_TYPES = {
  ".json": "application/json",
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * A worker's static assets, as Cloudflare's direct upload takes them: every file under
 * `directory` by the path it is served at, its size, the first 32 hex digits of its SHA-256 (the
 * manifest's hash) and the Content-Type it is served with.
 */
export function assetFiles(directory) {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = join(entry.parentPath, entry.name);
      const content = readFileSync(file);
      return {
        path: `/${relative(directory, file).split(sep).join("/")}`,
        size: content.length,
        hash: createHash("sha256").update(content).digest("hex").slice(0, 32),
        type: CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        content,
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
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
    ...(config.assets?.binding ? [{ type: "assets", name: config.assets.binding }] : []),
  ];
  return {
    main_module: "index.js",
    compatibility_date: config.compatibility_date,
    ...(config.compatibility_flags?.length ? { compatibility_flags: config.compatibility_flags } : {}),
    bindings,
    ...(config.assets
      ? {
          assets: {
            jwt: ASSETS_COMPLETION,
            // The worker answers every path itself and reads its document through the binding.
            ...(config.assets.run_worker_first !== undefined
              ? { config: { run_worker_first: config.assets.run_worker_first } }
              : {}),
          },
        }
      : {}),
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
 * @param workers  per capability: `{ config, modules: [{ name, content }], assets }` (`bundle`'s
 *   modules; `assetFiles` of its assets directory, for a config with `assets`)
 * @param currentTags  per script name, its migration tag in the namespace (absent: a new script)
 */
export function provisioningPlan({ name, tenant, secrets, workers, currentTags = {} }) {
  const host = brokerHost(tenant);
  const order = [host, ...tenant.capabilities.filter((capability) => capability !== host)];
  const requests = [];
  for (const capability of order) {
    const { config, modules, assets = [] } = workers[capability];
    const url = namespaceScript(tenant, capability);
    const migrations = migrationsToSend(config.migrations, currentTags[scriptName(tenant, capability)]);
    if (config.assets) {
      // The session answers which files Cloudflare lacks (in buckets) and the token to send them
      // with; once all are in, a completion token, which the upload below carries.
      requests.push({
        method: "POST",
        url: `${url}/assets-upload-session`,
        body: {
          type: "json",
          value: {
            manifest: Object.fromEntries(assets.map(({ path, hash, size }) => [path, { hash, size }])),
          },
        },
        assets: { files: assets, uploadUrl: assetsUpload(tenant), script: url },
      });
    }
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
    ...(request.assets
      ? {
          followedBy: `POST ${request.assets.uploadUrl} per bucket the session answers (Bearer: its upload token), each file base64 under its hash`,
        }
      : {}),
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
  if (body.type === "form") return { body: body.value, headers: {} };
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

/**
 * Sends one request of a plan; answers Cloudflare's `result`; throws naming the request (never
 * its secret or token) on failure.
 */
async function send(request, { token, fetch }) {
  const { body, headers } = encode(request.body);
  const response = await fetch(request.url, {
    method: request.method,
    headers: { Authorization: `Bearer ${token}`, ...headers },
    body,
  });
  if (!response.ok) throw new Error(`${request.method} ${request.url}: ${await apiErrors(response)}`);
  return (await response.json().catch(() => undefined))?.result;
}

/**
 * An assets upload session: registers the manifest, uploads each bucket of files Cloudflare asks
 * for, and answers the completion token (the session's own token when it asks for none).
 */
async function uploadAssets(request, { token, fetch }) {
  const session = await send(request, { token, fetch });
  if (typeof session?.jwt !== "string") throw new Error(`POST ${request.url}: no upload token in the answer`);
  const buckets = session.buckets ?? [];
  if (buckets.length === 0) return session.jwt;
  const byHash = new Map(request.assets.files.map((file) => [file.hash, file]));
  let completion;
  for (const bucket of buckets) {
    const form = new FormData();
    for (const hash of bucket) {
      const file = byHash.get(hash);
      if (!file) throw new Error(`POST ${request.url}: asked for ${hash}, which the manifest does not list`);
      form.append(hash, new File([file.content.toString("base64")], hash, { type: file.type }));
    }
    const uploaded = await send(
      { method: "POST", url: request.assets.uploadUrl, body: { type: "form", value: form } },
      { token: session.jwt, fetch },
    );
    completion = uploaded?.jwt ?? completion;
  }
  if (typeof completion !== "string")
    throw new Error(`POST ${request.assets.uploadUrl}: every bucket sent, but no completion token came back`);
  return completion;
}

/** A script upload with the completion token of its assets upload in place of ASSETS_COMPLETION. */
function withCompletion(request, completions) {
  if (request.body.type !== "multipart") return request;
  const parts = request.body.parts.map((part) => {
    if (part.value?.assets?.jwt !== ASSETS_COMPLETION) return part;
    const jwt = completions.get(request.url);
    if (!jwt) throw new Error(`PUT ${request.url}: its assets were not uploaded first`);
    return { ...part, value: { ...part.value, assets: { ...part.value.assets, jwt } } };
  });
  return { ...request, body: { ...request.body, parts } };
}

/**
 * Sends a plan in order with the Cloudflare API token; `sent(request)` after each step. An assets
 * step's completion token goes into the same script's upload that follows it.
 */
export async function runPlan(plan, { token, fetch = globalThis.fetch, sent = () => {} }) {
  const completions = new Map();
  for (const request of plan) {
    if (request.assets) {
      completions.set(request.assets.script, await uploadAssets(request, { token, fetch }));
    } else {
      await send(withCompletion(request, completions), { token, fetch });
    }
    sent(request);
  }
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

// `pnpm tenant provision <name> --dry-run`: the exact Cloudflare API requests that would provision
// a tenant into its dispatch namespace, planned offline (the worker bundles are real, built by
// wrangler's offline dry run) and sent nowhere: fetch throws in the process under test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ASSETS_COMPLETION,
  assetFiles,
  migrationsToSend,
  provisioningPlan,
  runPlan,
} from "../lib/provision.mjs";
import { root } from "../lib/tenant-config.mjs";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TOKENS_KV = "11111111111111111111111111111111";
const DIRECTORY_KV = "22222222222222222222222222222222";
const API = "https://api.cloudflare.com/client/v4";
const SCRIPTS = `${API}/accounts/${ACCOUNT}/workers/dispatch/namespaces/st-edge-tenants/scripts`;
const HASHES = ["a".repeat(64), "b".repeat(64)];
const SECRETS = {
  ST_APP_KEY: "app-key-do-not-print",
  ST_CLIENT_ID: "client-id-do-not-print",
  ST_CLIENT_SECRET: "client-secret-do-not-print",
  API_KEY_HASHES: HASHES.join(","),
};
const TENANT = {
  servicetitan: { environment: "integration", tenantId: 4242, authScheme: "bearer" },
  cloudflare: {
    accountId: ACCOUNT,
    workerPrefix: "acme",
    kvNamespaceId: TOKENS_KV,
    dispatch: {
      namespace: "st-edge-tenants",
      directoryKvNamespaceId: DIRECTORY_KV,
      hostnames: ["acme.api.example.com"],
    },
  },
  capabilities: ["payment-terms", "payment-posting"],
};

function tenantsDir() {
  const dir = mkdtempSync(join(tmpdir(), "st-edge-tenants-"));
  // JSONC, as a person writes it: comments, trailing commas.
  writeFileSync(
    join(dir, "provision-test.jsonc"),
    `// a test tenant\n${JSON.stringify(TENANT, null, 2).replace(/\n}$/, ",\n}")}\n`,
  );
  writeFileSync(join(dir, "provision-test.secrets.json"), JSON.stringify(SECRETS));
  return dir;
}

const common = (tenantId, scheme) => [
  { type: "plain_text", name: "ST_ENVIRONMENT", text: "integration" },
  { type: "plain_text", name: "ST_TENANT_ID", text: String(tenantId) },
  { type: "plain_text", name: "ST_AUTH_SCHEME", text: scheme },
  { type: "kv_namespace", name: "TOKENS", namespace_id: TOKENS_KV },
];
const metadata = (bindings, migrations) => ({
  main_module: "index.js",
  compatibility_date: "2026-11-01",
  bindings: [...bindings, { type: "assets", name: "ASSETS" }],
  assets: { jwt: ASSETS_COMPLETION, config: { run_worker_first: true } },
  migrations,
  keep_bindings: ["secret_text"],
  tags: ["st-edge", "tenant-provision-test"],
  observability: { enabled: true, head_sampling_rate: 1 },
});
const secretRequests = (script) =>
  ["ST_APP_KEY", "ST_CLIENT_ID", "ST_CLIENT_SECRET", "API_KEY_HASHES"].map((name) => ({
    method: "PUT",
    url: `${SCRIPTS}/${script}/secrets`,
    headers: { Authorization: "Bearer <redacted>" },
    body: { type: "application/json", value: { name, text: "<redacted>", type: "secret_text" } },
  }));
// Every worker serves its OpenAPI document from specs/workers (its wrangler.jsonc's assets):
// Cloudflare's direct upload names each file by its path, with the first 32 hex digits of its
// SHA-256 and its size.
const SPECS = join(root, "specs/workers");
const manifest = Object.fromEntries(
  readdirSync(SPECS)
    .sort()
    .map((file) => {
      const content = readFileSync(join(SPECS, file));
      return [
        `/${file}`,
        { hash: createHash("sha256").update(content).digest("hex").slice(0, 32), size: content.length },
      ];
    }),
);
const assetsSession = (script) => ({
  method: "POST",
  url: `${SCRIPTS}/${script}/assets-upload-session`,
  headers: { Authorization: "Bearer <redacted>" },
  body: { type: "application/json", value: { manifest } },
  followedBy: `POST ${API}/accounts/${ACCOUNT}/workers/assets/upload?base64=true per bucket the session answers (Bearer: its upload token), each file base64 under its hash`,
});
const moduleOf = (capability) => {
  const content = readFileSync(join(root, ".deploy/provision-test/dist", capability, "index.js"));
  return {
    name: "index.js",
    filename: "index.js",
    type: "application/javascript+module",
    bytes: content.length,
    sha256: createHash("sha256").update(content).digest("hex"),
  };
};

describe("pnpm tenant provision --dry-run", () => {
  it("plans exactly these requests, in this order, and sends none", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        join(import.meta.dirname, "no-network.mjs"),
        join(root, "scripts/tenant.mjs"),
        "provision",
        "provision-test",
        "--dry-run",
        "--json",
      ],
      { encoding: "utf8", env: { ...process.env, ST_EDGE_TENANTS_DIR: tenantsDir() } },
    );
    assert.equal(run.status, 0, run.stderr);
    for (const secret of Object.values(SECRETS).slice(0, 3))
      assert.ok(!run.stdout.includes(secret), "a secret was printed");
    const plan = JSON.parse(run.stdout);
    const upload = (script, bindings, migrations, capability) => ({
      method: "PUT",
      url: `${SCRIPTS}/${script}`,
      headers: { Authorization: "Bearer <redacted>" },
      body: {
        type: "multipart/form-data",
        parts: [
          { name: "metadata", type: "application/json", value: metadata(bindings, migrations) },
          moduleOf(capability),
        ],
      },
    });
    const kvPut = (key, value) => ({
      method: "PUT",
      url: `${API}/accounts/${ACCOUNT}/storage/kv/namespaces/${DIRECTORY_KV}/values/${encodeURIComponent(key)}`,
      headers: { Authorization: "Bearer <redacted>" },
      body: { type: "application/json", value: JSON.stringify(value) },
    });
    assert.deepEqual(plan, [
      // The first capability hosts the token broker: its own class, its own migration. Its
      // static assets go first: the upload carries the token that says they are in.
      assetsSession("acme-payment-terms"),
      upload(
        "acme-payment-terms",
        [
          ...common(4242, "bearer"),
          { type: "durable_object_namespace", name: "TOKEN_BROKER", class_name: "TokenBroker" },
        ],
        { new_tag: "v1", steps: [{ new_sqlite_classes: ["TokenBroker"] }] },
        "payment-terms",
      ),
      ...secretRequests("acme-payment-terms"),
      assetsSession("acme-payment-posting"),
      upload(
        "acme-payment-posting",
        [
          ...common(4242, "bearer"),
          { type: "durable_object_namespace", name: "IDEMPOTENCY", class_name: "IdempotencyStore" },
          { type: "durable_object_namespace", name: "INVOICE_GATES", class_name: "InvoiceGate" },
          // Every other worker binds the host's broker: one refresher per tenant.
          {
            type: "durable_object_namespace",
            name: "TOKEN_BROKER",
            class_name: "TokenBroker",
            script_name: "acme-payment-terms",
          },
        ],
        {
          new_tag: "v3",
          steps: [
            { new_sqlite_classes: ["IdempotencyStore"] },
            { new_sqlite_classes: ["InvoiceGate"] },
            { new_sqlite_classes: ["TokenBroker"] },
          ],
        },
        "payment-posting",
      ),
      ...secretRequests("acme-payment-posting"),
      kvPut("tenant:provision-test", {
        v: 1,
        tenant: "provision-test",
        workers: { "payment-terms": "acme-payment-terms", "payment-posting": "acme-payment-posting" },
        apiKeyHashes: HASHES,
        hostnames: ["acme.api.example.com"],
      }),
      kvPut("host:acme.api.example.com", { v: 1, tenant: "provision-test" }),
    ]);
  });

  it("writes directory entries the dispatcher accepts", async () => {
    const { TenantEntry, HostEntry } = await import("../../workers/dispatch/src/directory.ts");
    const plan = provisioningPlan({
      name: "acme",
      tenant: TENANT,
      secrets: SECRETS,
      workers: Object.fromEntries(
        TENANT.capabilities.map((c) => [c, { config: { compatibility_date: "2026-11-01" }, modules: [] }]),
      ),
    });
    const [tenantEntry, hostEntry] = plan
      .filter((r) => r.url.includes("/storage/kv/"))
      .map((r) => JSON.parse(r.body.value));
    assert.equal(TenantEntry.safeParse(tenantEntry).success, true);
    assert.equal(HostEntry.safeParse(hostEntry).success, true);
  });
});

/**
 * Cloudflare's side of a provisioning, as its direct-upload guide describes it: an assets upload
 * session answers the files it lacks in buckets and an upload token (or, lacking none, a
 * completion token); the upload endpoint takes base64 files under their hashes with the upload
 * token and answers 201 with a completion token once the session's files are all in; a script
 * upload is refused unless its metadata carries a completion token of a session for that script.
 * `completes: false` answers the last bucket without a token.
 */
function cloudflareApi({ completes = true } = {}) {
  const stored = new Map();
  const sessions = new Map();
  const scripts = new Map();
  const calls = [];
  let next = 0;
  const answer = (status, result, errors = []) =>
    Response.json({ success: status < 400, errors, result }, { status });
  const fetch = async (url, init) => {
    const bearer = init.headers.Authorization.replace(/^Bearer /, "");
    const { pathname } = new URL(url);
    calls.push({ method: init.method, path: pathname, bearer });
    if (pathname.endsWith("/assets-upload-session")) {
      if (bearer !== "api-token")
        return answer(403, null, [{ code: 10000, message: "Authentication error" }]);
      const { manifest } = JSON.parse(init.body);
      const wanted = Object.values(manifest);
      for (const { hash, size } of wanted)
        if (!/^[0-9a-f]{32}$/.test(hash) || !Number.isInteger(size))
          return answer(400, null, [{ message: "bad manifest" }]);
      const missing = [...new Set(wanted.map((f) => f.hash))].filter((hash) => !stored.has(hash));
      const jwt = `${missing.length ? "upload" : "done"}-${next++}`;
      sessions.set(jwt, { script: pathname.slice(0, -"/assets-upload-session".length), manifest, missing });
      if (missing.length === 0) sessions.set(jwt, { ...sessions.get(jwt), complete: true });
      const buckets = [];
      for (let i = 0; i < missing.length; i += 3) buckets.push(missing.slice(i, i + 3));
      return answer(200, { jwt, buckets });
    }
    if (pathname.endsWith("/workers/assets/upload")) {
      const session = sessions.get(bearer);
      if (!session || new URL(url).searchParams.get("base64") !== "true") return answer(401, null);
      for (const [hash, file] of (await new Response(init.body).formData()).entries()) {
        const content = Buffer.from(await file.text(), "base64");
        if (createHash("sha256").update(content).digest("hex").slice(0, 32) !== hash)
          return answer(400, null, [{ message: `${hash} does not match its content` }]);
        stored.set(hash, { content, type: file.type });
      }
      if (!session.missing.every((hash) => stored.has(hash))) return answer(202, {});
      if (!completes) return answer(201, {});
      const jwt = `done-${next++}`;
      sessions.set(jwt, { ...session, complete: true });
      return answer(201, { jwt });
    }
    if (bearer !== "api-token") return answer(403, null);
    if (init.method === "PUT" && /\/scripts\/[^/]+$/.test(pathname)) {
      const metadata = JSON.parse(await (await new Response(init.body).formData()).get("metadata").text());
      const session = sessions.get(metadata.assets?.jwt);
      if (!session?.complete || session.script !== pathname)
        return answer(400, null, [
          { code: 10021, message: "assets: not a completion token for this script" },
        ]);
      scripts.set(pathname.split("/").at(-1), { metadata, assets: session.manifest });
    }
    return answer(200, {});
  };
  return { fetch, stored, scripts, calls };
}

describe("runPlan", () => {
  const assets = assetFiles(SPECS);
  const workers = Object.fromEntries(
    TENANT.capabilities.map((capability) => [
      capability,
      {
        config: {
          compatibility_date: "2026-11-01",
          assets: { directory: "../../specs/workers", binding: "ASSETS", run_worker_first: true },
        },
        modules: [{ name: "index.js", content: Buffer.from("export default {};") }],
        assets,
      },
    ]),
  );
  const plan = () => provisioningPlan({ name: "acme", tenant: TENANT, secrets: SECRETS, workers });

  it("uploads each worker's assets, then its script with the completion token", async () => {
    const api = cloudflareApi();
    await runPlan(plan(), { token: "api-token", fetch: api.fetch });
    for (const script of ["acme-payment-terms", "acme-payment-posting"]) {
      const uploaded = api.scripts.get(script);
      assert.deepEqual(uploaded.assets, manifest);
      assert.match(uploaded.metadata.assets.jwt, /^done-/);
      assert.deepEqual(uploaded.metadata.assets.config, { run_worker_first: true });
    }
    for (const file of readdirSync(SPECS)) {
      const content = readFileSync(join(SPECS, file));
      const hash = manifest[`/${file}`].hash;
      assert.deepEqual(api.stored.get(hash), { content, type: "application/json" });
    }
    // The upload token goes to the upload endpoint only; the API token never does.
    for (const call of api.calls)
      assert.equal(call.bearer === "api-token", !call.path.endsWith("/workers/assets/upload"), call.path);
  });

  it("sends no file again on a second provisioning", async () => {
    const api = cloudflareApi();
    await runPlan(plan(), { token: "api-token", fetch: api.fetch });
    const before = api.calls.length;
    await runPlan(plan(), { token: "api-token", fetch: api.fetch });
    const again = api.calls.slice(before);
    assert.equal(again.filter((call) => call.path.endsWith("/workers/assets/upload")).length, 0);
    assert.equal(again.filter((call) => call.path.endsWith("/assets-upload-session")).length, 2);
    assert.match(api.scripts.get("acme-payment-posting").metadata.assets.jwt, /^done-/);
  });

  it("uploads no script whose assets did not complete", async () => {
    const api = cloudflareApi({ completes: false });
    await assert.rejects(runPlan(plan(), { token: "api-token", fetch: api.fetch }), /no completion token/);
    assert.equal(api.scripts.size, 0);
    assert.equal(api.calls.filter((call) => call.method === "PUT").length, 0);
  });
});

describe("migrationsToSend", () => {
  const migrations = [
    { tag: "v1", new_sqlite_classes: ["IdempotencyStore"] },
    { tag: "v2", new_sqlite_classes: ["TokenBroker"] },
  ];
  const cases = [
    [
      "a new script gets every step",
      undefined,
      {
        new_tag: "v2",
        steps: [{ new_sqlite_classes: ["IdempotencyStore"] }, { new_sqlite_classes: ["TokenBroker"] }],
      },
    ],
    [
      "a script at v1 gets what came after",
      "v1",
      { old_tag: "v1", new_tag: "v2", steps: [{ new_sqlite_classes: ["TokenBroker"] }] },
    ],
    ["a script at the last tag gets none", "v2", undefined],
    [
      "an unknown tag: every step, from that tag",
      "v0",
      {
        old_tag: "v0",
        new_tag: "v2",
        steps: [{ new_sqlite_classes: ["IdempotencyStore"] }, { new_sqlite_classes: ["TokenBroker"] }],
      },
    ],
  ];
  for (const [name, current, want] of cases)
    it(name, () => assert.deepEqual(migrationsToSend(migrations, current), want));
  it("a worker without Durable Objects sends no migrations", () =>
    assert.equal(migrationsToSend([], undefined), undefined));
});

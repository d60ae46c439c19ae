// `pnpm tenant provision <name> --dry-run`: the exact Cloudflare API requests that would provision
// a tenant into its dispatch namespace, planned offline (the worker bundles are real, built by
// wrangler's offline dry run) and sent nowhere: fetch throws in the process under test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { migrationsToSend, provisioningPlan } from "../lib/provision.mjs";
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
  bindings,
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
      // The first capability hosts the token broker: its own class, its own migration.
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

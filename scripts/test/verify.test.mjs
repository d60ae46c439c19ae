// `pnpm tenant verify <name>` against the simulator: in process for each situation (all in place,
// POST /payments removed, a module not licensed, wrong credentials, wrong app key), and once end
// to end over HTTP against a `wrangler dev` simulator with payment creation switched off. Whatever
// happens, verify never creates a payment.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { portBase, startStack } from "../lib/local-stack.mjs";
import { root } from "../lib/tenant-config.mjs";
import { formatTable, PAYMENT_PROBE_BODY, verifyTenant } from "../lib/verify.mjs";

const { createSimulator, DEMO_APP_KEY, DEMO_TENANTS, SIMULATOR_HOSTS } = await import(
  "../../packages/simulator/src/index.ts"
);
const [DEMO] = DEMO_TENANTS;
const ALL = ["invoice-lookup", "tax-zones", "payment-terms", "bills", "payment-posting"];

function check(sim, overrides = {}) {
  return verifyTenant({
    hosts: SIMULATOR_HOSTS,
    tenantId: DEMO.tenantId,
    credentials: { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret },
    appKey: DEMO_APP_KEY,
    capabilities: ALL,
    fetch: (url, init) => sim.fetch(new Request(url, init)),
    ...overrides,
  });
}
const resultOf = (rows, check) => rows.find((r) => r.check === check);
const apiPayments = (sim) => sim.ledger(DEMO.tenantId).payments.filter((p) => p.origin === "api").length;

describe("verify, in process", () => {
  it("passes when credentials, app key, every module and POST /payments are in place", async () => {
    const sim = createSimulator();
    const { ok, rows } = await check(sim);
    assert.equal(ok, true, formatTable(rows));
    assert.deepEqual(
      rows.map((r) => r.check),
      [
        "credentials (token request)",
        "app key",
        "read invoices",
        "read payments",
        "read tax-zones",
        "read payment-terms",
        "read ap-bills",
        "read payment-types",
        "POST /payments (create)",
      ],
    );
    assert.match(
      resultOf(rows, "POST /payments (create)").detail,
      /^live: refused the invalid probe body with 400 \(.*typeId.*\); nothing written$/,
    );
    assert.equal(apiPayments(sim), 0);
  });

  it("reports POST /payments gone when ServiceTitan has removed it", async () => {
    const sim = createSimulator({ retiredOperations: ["Payments_Create"] });
    const { ok, rows } = await check(sim);
    assert.equal(ok, false);
    assert.deepEqual(resultOf(rows, "POST /payments (create)"), {
      check: "POST /payments (create)",
      result: "problem",
      detail: "gone (404): payment-posting cannot create payments in this environment",
    });
    assert.ok(rows.filter((r) => r.check !== "POST /payments (create)").every((r) => r.result === "ok"));
  });

  it("reports a module the tenant has not licensed (403), and only that one", async () => {
    const sim = createSimulator();
    sim.setFaults(DEMO.tenantId, [{ fault: "not-licensed", operationId: "ApBills_GetListPaginated" }]);
    const { ok, rows } = await check(sim);
    assert.equal(ok, false);
    assert.deepEqual(
      rows.filter((r) => r.result !== "ok").map((r) => [r.check, r.detail]),
      [["read ap-bills", "403: not licensed for this module, or the app lacks tn.acc.apbills:r"]],
    );
  });

  it("stops at refused credentials, without printing the secret", async () => {
    const sim = createSimulator();
    const { ok, rows } = await check(sim, {
      credentials: { clientId: DEMO.clientId, clientSecret: "wrong-secret-value" },
    });
    assert.equal(ok, false);
    assert.equal(rows.length, 1);
    assert.match(rows[0].detail, /^refused: invalid_client/);
    assert.ok(!formatTable(rows).includes("wrong-secret-value"));
  });

  it("tells a refused app key apart", async () => {
    const sim = createSimulator();
    const { ok, rows } = await check(sim, { appKey: "not-our-app-key" });
    assert.equal(ok, false);
    assert.equal(resultOf(rows, "app key").result, "problem");
    assert.equal(resultOf(rows, "credentials (token request)").result, "ok");
  });

  it("probes only what the tenant's workers use", async () => {
    const sim = createSimulator({ retiredOperations: ["Payments_Create"] });
    const { ok, rows } = await check(sim, { capabilities: ["payment-terms"] });
    assert.equal(ok, true);
    assert.deepEqual(
      rows.map((r) => r.check),
      ["credentials (token request)", "app key", "read payment-terms"],
    );
  });

  it("sends a probe body the spec's validation refuses, so it cannot create a payment", async () => {
    const sim = createSimulator();
    const token = await sim.fetch(
      new Request(`${SIMULATOR_HOSTS.authBaseUrl}/connect/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: DEMO.clientId,
          client_secret: DEMO.clientSecret,
        }),
      }),
    );
    const { access_token } = await token.json();
    const response = await sim.fetch(
      new Request(`${SIMULATOR_HOSTS.apiBaseUrl}/accounting/v2/tenant/${DEMO.tenantId}/payments`, {
        method: "POST",
        headers: {
          Authorization: access_token,
          "ST-App-Key": DEMO_APP_KEY,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(PAYMENT_PROBE_BODY),
      }),
    );
    assert.equal(response.status, 400);
    const { errors } = await response.json();
    assert.ok(errors.typeId, "typeId must be refused by type");
    assert.equal(apiPayments(sim), 0);
  });
});

describe("pnpm tenant verify, over HTTP", () => {
  let stack;
  let dir;
  before(async () => {
    stack = await startStack({
      simulatorPort: portBase(8786) + 160,
      simulatorVars: { SIM_RETIRED_OPERATIONS: "Payments_Create" },
      workers: [],
    });
    dir = mkdtempSync(join(tmpdir(), "st-edge-verify-"));
    const tenant = {
      servicetitan: { environment: "integration", tenantId: DEMO.tenantId },
      cloudflare: { workerPrefix: "demo", kvNamespaceId: "0".repeat(32) },
      capabilities: ["invoice-lookup", "payment-posting"],
    };
    writeFileSync(join(dir, "verify-test.jsonc"), `// verify test\n${JSON.stringify(tenant)}`);
    writeFileSync(
      join(dir, "verify-test.secrets.json"),
      JSON.stringify({
        ST_APP_KEY: DEMO_APP_KEY,
        ST_CLIENT_ID: DEMO.clientId,
        ST_CLIENT_SECRET: DEMO.clientSecret,
        API_KEY_HASHES: "a".repeat(64),
      }),
    );
  });
  after(() => stack?.stop());

  it("prints the table and exits non-zero when payment creation is switched off", () => {
    const run = spawnSync(
      process.execPath,
      [join(root, "scripts/tenant.mjs"), "verify", "verify-test", "--simulator", stack.simulatorUrl],
      { encoding: "utf8", env: { ...process.env, ST_EDGE_TENANTS_DIR: dir } },
    );
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /\| read invoices \| ok \| 200 \(tn\.acc\.invoices:r\) \|/);
    assert.match(
      run.stdout,
      /\| POST \/payments \(create\) \| PROBLEM \| gone \(404\): payment-posting cannot create payments/,
    );
    assert.match(run.stderr, /verification found problems/);
    assert.ok(!run.stdout.includes(DEMO.clientSecret));
  });
});

#!/usr/bin/env node
// What invoice-lookup itself costs per request, without wrangler's local proxy and without
// other processes in the way: the worker and the simulator bundled with esbuild and run in one
// Node process (V8, as workerd), a ServiceTitan call answered in-process. Each round times
// (a) the simulator answering `GET /invoices?ids=` directly and (b) the worker answering
// `GET /invoices/{id}`, which includes that same simulator call; b − a is the worker's own cost.
// Then the same for the Workers for Platforms dispatcher: (b) vs (c) the dispatcher answering
// `GET /demo/invoice-lookup/invoices/{id}`, which hands the request to that worker in-process;
// c − b is the dispatcher's own cost (directory, the tenant's key check, forwarding).
// Rounds alternate so machine noise hits both alike. Prints `BENCH cpu-overhead` and
// `BENCH dispatch-overhead` lines.
import { createHash, timingSafeEqual } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const ROUNDS = Number(process.argv[2] ?? 3000);
const out = join(root, ".deploy", "bench-cpu");
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "entry.ts"),
  [
    `export { default as worker } from "${root}/workers/invoice-lookup/src/index.ts";`,
    `export { createSimulator, DEMO_APP_KEY, DEMO_TENANTS } from "${root}/packages/simulator/src/index.ts";`,
    `export { hashApiKey } from "${root}/packages/edge/src/caller-auth.ts";`,
    `export { default as dispatcher } from "${root}/workers/dispatch/src/index.ts";`,
    `export { default as payments, IdempotencyStore, InvoiceGate } from "${root}/workers/payment-posting/src/index.ts";`,
  ].join("\n"),
);
await build({
  entryPoints: [join(out, "entry.ts")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2023",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
  outfile: join(out, "bundle.mjs"),
  logLevel: "error",
  // The worker module exports the token broker Durable Object class, whose base class comes from
  // workerd's cloudflare:workers; Node has none, and this benchmark never instantiates it.
  plugins: [
    {
      name: "cloudflare-workers-stub",
      setup(build) {
        build.onResolve({ filter: /^cloudflare:workers$/ }, () => ({
          path: "cloudflare:workers",
          namespace: "stub",
        }));
        build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
          contents:
            "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }",
        }));
      },
    },
  ],
  nodePaths: [
    join(root, "workers/invoice-lookup/node_modules"),
    join(root, "packages/simulator/node_modules"),
    join(root, "workers/dispatch/node_modules"),
    join(root, "workers/payment-posting/node_modules"),
  ],
});
const {
  worker,
  dispatcher,
  payments,
  IdempotencyStore,
  InvoiceGate,
  createSimulator,
  DEMO_APP_KEY,
  DEMO_TENANTS,
  hashApiKey,
} = await import(join(out, "bundle.mjs"));

// workerd has crypto.subtle.timingSafeEqual; Node has it in node:crypto.
crypto.subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(a, b);
// Node's WebCrypto runs each digest as a job on libuv's thread pool and resolves it on a later
// turn of the event loop: the request waits for a thread hop per hash. workerd computes a digest
// on the isolate's own thread (BoringSSL) and returns a settled promise. Rows below are timed
// both ways, alternating round by round: with Node's digest ("webcrypto") and with a synchronous
// SHA-256 (node:crypto's createHash, as workerd does it: "sync digest"). Their difference is what
// the thread pool adds, which workerd does not pay.
const webcryptoDigest = crypto.subtle.digest.bind(crypto.subtle);
const syncDigest = async (algorithm, data) => {
  if ((algorithm?.name ?? algorithm) !== "SHA-256") return webcryptoDigest(algorithm, data);
  const bytes = ArrayBuffer.isView(data) ? data : new Uint8Array(data);
  const digest = createHash("sha256").update(bytes).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
};
/** Runs `fn` with crypto.subtle.digest as workerd runs it (synchronously), then restores Node's. */
const withSyncDigest = (fn) => async () => {
  crypto.subtle.digest = syncDigest;
  try {
    return await fn();
  } finally {
    crypto.subtle.digest = webcryptoDigest;
  }
};
/** A KV namespace in a Map (reads and writes without I/O, as KV's edge cache on a hit). */
const mapKv = (kv = new Map()) => ({
  get: async (key, type) => (kv.has(key) ? (type === "json" ? JSON.parse(kv.get(key)) : kv.get(key)) : null),
  put: async (key, value) => void kv.set(key, value),
  delete: async (key) => void kv.delete(key),
  list: async () => ({ keys: [...kv.keys()].map((name) => ({ name })) }),
});
const TOKENS = mapKv();
const sim = createSimulator({ tokenRateLimit: { requests: 1000, perSeconds: 1 } });
const [tenant] = DEMO_TENANTS;
const KEY = "bench-caller-key";
const env = {
  ST_ENVIRONMENT: "simulator",
  ST_TENANT_ID: String(tenant.tenantId),
  ST_APP_KEY: DEMO_APP_KEY,
  ST_CLIENT_ID: tenant.clientId,
  ST_CLIENT_SECRET: tenant.clientSecret,
  API_KEY_HASHES: await hashApiKey(KEY),
  TOKENS,
  SERVICETITAN: { fetch: (input, init) => sim.fetch(new Request(input, init)) },
};
const ctx = { waitUntil() {}, passThroughOnException() {} };
const tokenResponse = await sim.fetch(
  new Request("https://servicetitan.simulator/connect/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: tenant.clientId,
      client_secret: tenant.clientSecret,
    }),
  }),
);
const { access_token: token } = await tokenResponse.json();
const base = `https://servicetitan.simulator/accounting/v2/tenant/${tenant.tenantId}`;
const list = await (
  await sim.fetch(
    new Request(`${base}/invoices?pageSize=1`, {
      headers: { Authorization: token, "ST-App-Key": DEMO_APP_KEY },
    }),
  )
).json();
const id = list.data[0].id;

const direct = async () => {
  const response = await sim.fetch(
    new Request(`${base}/invoices?ids=${id}&activeState=All`, {
      headers: { Authorization: token, "ST-App-Key": DEMO_APP_KEY },
    }),
  );
  return response.text();
};
const throughWorker = async () => {
  const response = await worker.fetch(
    new Request(`https://worker.local/invoices/${id}`, { headers: { Authorization: `Bearer ${KEY}` } }),
    env,
    ctx,
  );
  if (response.status !== 200)
    throw new Error(`worker answered ${response.status}: ${await response.text()}`);
  return response.text();
};
const time = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const quiet = console.log;
console.log = () => {}; // the worker's JSON log line is still built; only the terminal write is skipped
for (let i = 0; i < 300; i++) {
  await direct();
  await throughWorker();
}
const a = [];
const b = [];
const bs = [];
for (let i = 0; i < ROUNDS; i++) {
  a.push(await time(direct));
  b.push(await time(throughWorker));
  bs.push(await time(withSyncDigest(throughWorker)));
}
console.log = quiet;
const pct = (values, p) =>
  [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))];
const result = {
  rounds: ROUNDS,
  directP50: +pct(a, 0.5).toFixed(3),
  workerP50: +pct(b, 0.5).toFixed(3),
  addedP50: +(pct(b, 0.5) - pct(a, 0.5)).toFixed(3),
  workerP50SyncDigest: +pct(bs, 0.5).toFixed(3),
  addedP50SyncDigest: +(pct(bs, 0.5) - pct(a, 0.5)).toFixed(3),
  directP99: +pct(a, 0.99).toFixed(3),
  workerP99: +pct(b, 0.99).toFixed(3),
};
console.log(`BENCH cpu-overhead ${JSON.stringify(result)}`);

// The dispatcher in front of that same worker, as the demo tenant of a one-entry directory.
const TENANTS = mapKv(
  new Map([
    [
      "tenant:demo",
      JSON.stringify({
        v: 1,
        tenant: "demo",
        workers: { "invoice-lookup": "demo-invoice-lookup" },
        apiKeyHashes: [env.API_KEY_HASHES],
        hostnames: [],
      }),
    ],
  ]),
);
const dispatchEnv = {
  TENANTS,
  LOCAL_USER_WORKERS: JSON.stringify({ "demo-invoice-lookup": "LOCAL_INVOICE_LOOKUP" }),
  LOCAL_INVOICE_LOOKUP: { fetch: (request) => worker.fetch(request, env, ctx) },
};
const throughDispatcher = async () => {
  const response = await dispatcher.fetch(
    new Request(`https://dispatch.local/demo/invoice-lookup/invoices/${id}`, {
      headers: { Authorization: `Bearer ${KEY}` },
    }),
    dispatchEnv,
    ctx,
  );
  if (response.status !== 200)
    throw new Error(`dispatcher answered ${response.status}: ${await response.text()}`);
  return response.text();
};
console.log = () => {};
for (let i = 0; i < 300; i++) {
  await throughWorker();
  await throughDispatcher();
}
const w = [];
const d = [];
for (let i = 0; i < ROUNDS; i++) {
  w.push(await time(throughWorker));
  d.push(await time(throughDispatcher));
}
console.log = quiet;
const dispatch = {
  rounds: ROUNDS,
  workerP50: +pct(w, 0.5).toFixed(3),
  dispatchedP50: +pct(d, 0.5).toFixed(3),
  addedP50: +(pct(d, 0.5) - pct(w, 0.5)).toFixed(3),
  workerP99: +pct(w, 0.99).toFixed(3),
  dispatchedP99: +pct(d, 0.99).toFixed(3),
  p50Ratio: +(pct(d, 0.5) / pct(w, 0.5)).toFixed(2),
  p99Ratio: +(pct(d, 0.99) / pct(w, 0.99)).toFixed(2),
};
console.log(`BENCH dispatch-overhead ${JSON.stringify(dispatch)}`);

// A payment: (a) the simulator answering the two calls a safe post makes (the invoice by id, then
// the create) vs (b) payment-posting answering POST /payments, which makes those same two calls
// and drives its Durable Objects (IdempotencyStore, InvoiceGate), here in process on in-memory
// storage. b − a is the worker's own code plus the objects' (their time is summed separately, so
// the worker's own share is b − a − objects). Each round pays a fresh invoice gate namespace, so
// no earlier payment of ours is still reserved on the invoice (the distinct-invoice case).
/** A Durable Object namespace of `Class` instances on in-memory storage; calls are timed into `spent`. */
function memoryNamespace(Class, spent) {
  const objects = new Map();
  const storage = () => {
    const kv = new Map();
    return {
      kv: {
        get: (key) => structuredClone(kv.get(key)),
        put: (key, value) => void kv.set(key, structuredClone(value)),
        delete: (key) => kv.delete(key),
      },
      setAlarm: async () => {},
      deleteAll: async () => kv.clear(),
    };
  };
  return {
    idFromName: (name) => name,
    get(id) {
      if (!objects.has(id)) objects.set(id, new Class({ storage: storage() }, {}));
      const object = objects.get(id);
      return new Proxy(object, {
        get:
          (target, method) =>
          async (...args) => {
            const start = process.hrtime.bigint();
            // As RPC does: arguments and answers are copied.
            const result = structuredClone(await target[method](...structuredClone(args)));
            spent.ms += Number(process.hrtime.bigint() - start) / 1e6;
            return result;
          },
      });
    },
  };
}
const objectsSpent = { ms: 0 };
const idempotency = memoryNamespace(IdempotencyStore, objectsSpent);
const events = [];
const paymentEnv = (gates) => ({
  ...env,
  IDEMPOTENCY: idempotency,
  INVOICE_GATES: gates,
  EVENTS: { send: async (message) => void events.push(JSON.stringify(message)) },
});
const open =
  list.data.length > 0
    ? (
        await (
          await sim.fetch(
            new Request(`${base}/invoices?pageSize=300`, {
              headers: { Authorization: token, "ST-App-Key": DEMO_APP_KEY },
            }),
          )
        ).json()
      ).data.filter((i) => i.active && Number(i.balance) >= 5)
    : [];
const cashId = (
  await (
    await sim.fetch(
      new Request(`${base}/payment-types`, {
        headers: { Authorization: token, "ST-App-Key": DEMO_APP_KEY },
      }),
    )
  ).json()
).data.find((t) => t.name === "Cash").id;
let round = 0;
const invoiceOfRound = () => open[round % open.length].id;
const directPayment = async () => {
  const invoiceId = invoiceOfRound();
  await (
    await sim.fetch(
      new Request(`${base}/invoices?ids=${invoiceId}&activeState=All&pageSize=50`, {
        headers: { Authorization: token, "ST-App-Key": DEMO_APP_KEY },
      }),
    )
  ).text();
  const response = await sim.fetch(
    new Request(`${base}/payments`, {
      method: "POST",
      headers: { Authorization: token, "ST-App-Key": DEMO_APP_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ typeId: cashId, amount: 0.01, splits: [{ invoiceId, amount: 0.01 }] }),
    }),
  );
  return response.text();
};
const workerPayment = async () => {
  const response = await payments.fetch(
    new Request("https://worker.local/payments", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${KEY}`,
        "Content-Type": "application/json",
        "Idempotency-Key": `cpu-${round}-${Math.random()}`,
      },
      body: JSON.stringify({ invoiceId: invoiceOfRound(), amount: "0.01", paymentType: "Cash" }),
    }),
    paymentEnv(memoryNamespace(InvoiceGate, objectsSpent)),
    ctx,
  );
  if (response.status !== 201)
    throw new Error(`payment-posting answered ${response.status}: ${await response.text()}`);
  return response.text();
};
const PAYMENT_ROUNDS = Math.max(200, Math.round(ROUNDS / 3));
console.log = () => {};
for (let i = 0; i < 100; i++, round++) {
  await directPayment();
  await workerPayment();
}
const pa = [];
const pb = [];
const pbs = [];
const objectsSync = { ms: 0 };
objectsSpent.ms = 0;
for (let i = 0; i < PAYMENT_ROUNDS; i++) {
  pa.push(await time(directPayment));
  round++;
  pb.push(await time(workerPayment));
  round++;
  const before = objectsSpent.ms;
  pbs.push(await time(withSyncDigest(workerPayment)));
  objectsSync.ms += objectsSpent.ms - before;
  objectsSpent.ms = before;
  round++;
}
console.log = quiet;
const objectsPerPayment = objectsSpent.ms / PAYMENT_ROUNDS;
const objectsPerPaymentSync = objectsSync.ms / PAYMENT_ROUNDS;
const payment = {
  rounds: PAYMENT_ROUNDS,
  directP50: +pct(pa, 0.5).toFixed(3),
  workerP50: +pct(pb, 0.5).toFixed(3),
  addedP50: +(pct(pb, 0.5) - pct(pa, 0.5)).toFixed(3),
  objectsMean: +objectsPerPayment.toFixed(3),
  workerOwnP50: +(pct(pb, 0.5) - pct(pa, 0.5) - objectsPerPayment).toFixed(3),
  workerP50SyncDigest: +pct(pbs, 0.5).toFixed(3),
  workerOwnP50SyncDigest: +(pct(pbs, 0.5) - pct(pa, 0.5) - objectsPerPaymentSync).toFixed(3),
  directP99: +pct(pa, 0.99).toFixed(3),
  workerP99: +pct(pb, 0.99).toFixed(3),
};
console.log(`BENCH payment-cpu ${JSON.stringify(payment)}`);

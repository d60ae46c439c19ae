#!/usr/bin/env node
// `pnpm bench`: every benchmark, measured side by side in one run (machines here are shared and
// noisy, so figures are read as ratios). Prints tables and writes bench/results/latest.json.
// Not part of the test suite. Loads only 127.0.0.1, bounded in time.
//
//   node bench/run.mjs [--quick]    --quick: shorter runs (a smoke test of the benchmark itself)
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { LOCAL_TENANT, seedLocalDirectory } from "../scripts/lib/local-dispatch.mjs";
import {
  callerKey,
  DEMO,
  portBase,
  root,
  simulatorGet,
  simulatorToken,
  startStack,
  writeDevVars,
} from "../scripts/lib/local-stack.mjs";
import { benchEvents } from "./events.mjs";

const quick = process.argv.includes("--quick");
const DURATION = quick ? 2 : 5;
const CONCURRENCY = quick ? [1, 10] : [1, 10, 50, 200];
const results = {
  machine: {},
  tokenEconomy: [],
  cpuOverhead: undefined,
  dispatchOverhead: undefined,
  overhead: [],
  payments: [],
  dispatch: [],
  events: undefined,
  bundles: [],
};

results.machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
};

function table(title, rows) {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  console.log(`\n### ${title}\n`);
  console.log(`| ${keys.join(" | ")} |\n| ${keys.map(() => "---").join(" | ")} |`);
  for (const row of rows) console.log(`| ${keys.map((k) => row[k]).join(" | ")} |`);
}

// 1. Token economy (workerd + simulator on a fake clock).
{
  const run = spawnSync("pnpm", ["--filter", "@st-edge/token-cache", "run", "bench:tokens"], {
    cwd: root,
    encoding: "utf8",
  });
  for (const line of `${run.stdout}\n${run.stderr}`.split("\n")) {
    const match = line.match(/BENCH token-economy (\{.*\})/);
    if (match) results.tokenEconomy.push(JSON.parse(match[1]));
  }
  table(
    "Token economy: upstream token requests vs one per 900 s of demand (before: KV alone; broker: the workers' setup)",
    results.tokenEconomy.map((r) => ({
      design: r.design,
      scenario: r.scenario,
      hours: r.hours,
      tenants: r.tenants,
      isolates: r.isolates,
      locations: r.locations,
      "margin (s)": r.marginSeconds,
      ours: r.ours,
      "ideal (1 per 900 s)": r.idealPerLifetime,
      "ours / ideal": r.ratioToIdeal.toFixed(3),
      "broker calls": r.brokerCalls,
      "KV reads": r.kvReads,
      "KV writes": r.kvWrites,
      "memory hits": r.memoryHits,
      naive: r.naive,
    })),
  );
}

async function load(url, { connections, headers = {}, method = "GET", body, setupRequest }) {
  const result = await autocannon({
    url,
    connections,
    duration: DURATION,
    method,
    headers,
    body,
    requests: setupRequest ? [{ method, headers, body, setupRequest }] : undefined,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

// 2a. The worker's own cost per request, in one process (bench/cpu-overhead.mjs).
{
  const output = execFileSync(
    process.execPath,
    [join(root, "bench/cpu-overhead.mjs"), quick ? "500" : "3000"],
    { encoding: "utf8" },
  );
  const match = output.match(/BENCH cpu-overhead (\{.*\})/);
  if (match) results.cpuOverhead = JSON.parse(match[1]);
  const dispatch = output.match(/BENCH dispatch-overhead (\{.*\})/);
  if (dispatch) results.dispatchOverhead = JSON.parse(dispatch[1]);
  table(
    "Edge overhead, in process: invoice by id, simulator direct vs through invoice-lookup (ms)",
    results.cpuOverhead ? [results.cpuOverhead] : [],
  );
  table(
    "Dispatcher overhead, in process: invoice-lookup direct vs through the dispatcher (ms)",
    results.dispatchOverhead ? [results.dispatchOverhead] : [],
  );
}

// 2b–3. Edge overhead and payment posting, on local wrangler dev processes. The worker runs with
// its own simulator inside its workerd process (an in-process service binding), and "direct"
// calls go to a separate simulator process: both paths cross one loopback HTTP hop, so the
// difference is what the worker itself adds. Upstream latency is simulated by the simulators.
// 100 above `pnpm start`'s ports, so a benchmark can run beside a local stack.
const BENCH_PORT = portBase(8786) + 100;
const key = callerKey();
writeDevVars(key, ["invoice-lookup", "payment-posting"]);
seedLocalDirectory(key);
for (const upstreamLatency of [0, 50]) {
  const stack = await startStack({
    simulatorPort: BENCH_PORT,
    simulatorVars: { SIM_FAULTS: upstreamLatency ? `latency=${upstreamLatency}` : "" },
    workers: [
      { name: "invoice-lookup", port: BENCH_PORT + 1, embedSimulator: true },
      { name: "payment-posting", port: BENCH_PORT + 5, embedSimulator: true },
      // The dispatcher with an invoice-lookup (and its simulator) in its own process: what
      // Workers for Platforms does, one in-process hop from dispatcher to user worker.
      ...(upstreamLatency === 0
        ? [
            {
              name: "dispatch",
              port: BENCH_PORT + 7,
              embedSimulator: true,
              alongside: [join(root, "workers/invoice-lookup/wrangler.jsonc")],
            },
          ]
        : []),
    ],
  });
  try {
    const token = await simulatorToken(stack.simulatorUrl);
    const { data: invoices } = await simulatorGet(stack.simulatorUrl, token, "/invoices?pageSize=100");
    const invoice = invoices.find((i) => i.active && Number(i.balance) > 0) ?? invoices[0];
    const direct = `${stack.simulatorUrl}/accounting/v2/tenant/${DEMO.tenantId}/invoices?ids=${invoice.id}`;
    const throughWorker = `${stack.url("invoice-lookup")}/invoices/${invoice.id}`;
    const upstreamHeaders = { Authorization: token, "ST-App-Key": DEMO.appKey };
    const callerHeaders = { Authorization: `Bearer ${key}` };
    // Warm both paths (isolates, the worker's token cache).
    await load(direct, { connections: 1, headers: upstreamHeaders });
    await load(throughWorker, { connections: 1, headers: callerHeaders });
    for (const connections of upstreamLatency ? [10] : CONCURRENCY) {
      const a = await load(direct, { connections, headers: upstreamHeaders });
      const b = await load(throughWorker, { connections, headers: callerHeaders });
      results.overhead.push({
        upstreamLatencyMs: upstreamLatency,
        connections,
        directP50: a.p50,
        workerP50: b.p50,
        addedP50: +(b.p50 - a.p50).toFixed(2),
        directP99: a.p99,
        workerP99: b.p99,
        throughputRatio: +(b.rps / a.rps).toFixed(2),
        directRps: a.rps,
        workerRps: b.rps,
        errors: a.errors + b.errors + a.non2xx + b.non2xx,
      });
    }
    if (upstreamLatency === 0) {
      // The dispatcher's added latency: the same invoice by id, straight from invoice-lookup's
      // process vs through the dispatcher (directory lookup, the tenant's key check, dispatch).
      const dispatched = `${stack.url("dispatch")}/${LOCAL_TENANT}/invoice-lookup/invoices/${invoice.id}`;
      await load(dispatched, { connections: 1, headers: callerHeaders });
      for (const connections of quick ? [1, 10] : [1, 10, 50]) {
        const a = await load(throughWorker, { connections, headers: callerHeaders });
        const b = await load(dispatched, { connections, headers: callerHeaders });
        results.dispatch.push({
          connections,
          directP50: a.p50,
          dispatchedP50: b.p50,
          addedP50: +(b.p50 - a.p50).toFixed(2),
          directP99: a.p99,
          dispatchedP99: b.p99,
          p50Ratio: +(b.p50 / Math.max(a.p50, 1)).toFixed(2),
          p99Ratio: +(b.p99 / Math.max(a.p99, 1)).toFixed(2),
          throughputRatio: +(b.rps / a.rps).toFixed(2),
          errors: a.errors + b.errors + a.non2xx + b.non2xx,
        });
      }
      // Payment posting: through the worker (idempotency Durable Object, invoice and payment-type
      // checks, marker) vs posting straight to the simulator. Each request is a new 0.01 payment.
      const { data: types } = await simulatorGet(stack.simulatorUrl, token, "/payment-types");
      const cash = types.find((t) => t.name === "Cash") ?? types[0];
      const open = invoices.filter((i) => i.active && Number(i.balance) > 10).map((i) => i.id);
      let n = 0;
      const nextInvoice = () => open[n++ % open.length];
      for (const connections of quick ? [10] : [1, 10, 50]) {
        const a = await load(`${stack.simulatorUrl}/accounting/v2/tenant/${DEMO.tenantId}/payments`, {
          connections,
          method: "POST",
          headers: { ...upstreamHeaders, "Content-Type": "application/json" },
          setupRequest: (request) => {
            const invoiceId = nextInvoice();
            return {
              ...request,
              body: JSON.stringify({ typeId: cash.id, amount: 0.01, splits: [{ invoiceId, amount: 0.01 }] }),
            };
          },
        });
        const b = await load(`${stack.url("payment-posting")}/payments`, {
          connections,
          method: "POST",
          headers: { ...callerHeaders, "Content-Type": "application/json" },
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, "Idempotency-Key": `bench-${randomBytes(8).toString("hex")}` },
            body: JSON.stringify({ invoiceId: nextInvoice(), amount: "0.01", paymentType: "Cash" }),
          }),
        });
        results.payments.push({
          connections,
          directP50: a.p50,
          workerP50: b.p50,
          directP99: a.p99,
          workerP99: b.p99,
          directRps: a.rps,
          workerRps: b.rps,
          throughputRatio: +(b.rps / a.rps).toFixed(2),
          p99Ratio: +(b.p99 / Math.max(a.p99, 1)).toFixed(2),
          non2xx: a.non2xx + b.non2xx,
        });
      }
    }
  } finally {
    stack.stop();
    await new Promise((r) => setTimeout(r, 1500));
  }
}
table("Edge overhead: invoice by id, simulator direct vs through invoice-lookup (ms)", results.overhead);
table("Payment posting: simulator direct vs through payment-posting (ms)", results.payments);
table(
  "Workers for Platforms dispatcher: invoice by id, invoice-lookup direct vs through the dispatcher (ms)",
  results.dispatch,
);

// 4. Instant triggers: event-to-delivery latency per path, and deliveries under target faults.
{
  results.events = await benchEvents({ port: BENCH_PORT, quick });
  const { ownWrites, webhooks, polled, faults, pollIntervalSeconds } = results.events;
  table("Instant triggers: event to signed delivery at a local receiver (ms)", [
    { path: "our own writes (EVENTS queue, via POST /events)", ...ownWrites },
    { path: "ServiceTitan webhook (signed CloudEvent → receiver)", ...webhooks },
    { path: `polled change (export feed, a poll every ${pollIntervalSeconds} s)`, ...polled },
  ]);
  table("Instant triggers: deliveries to a target failing 40 % of attempts (500, hang, dropped connection)", [
    faults,
  ]);
}

// 5. Bundle sizes from the example tenant's offline dry-run.
{
  const output = execFileSync(process.execPath, [join(root, "scripts/tenant.mjs"), "dry-run", "example"], {
    cwd: root,
    encoding: "utf8",
  });
  for (const line of output.split("\n")) {
    const match = line.match(/^\| (\S+) \| ([\d.]+) KiB \| (\d+) KiB \| (\w+) \|$/);
    if (match)
      results.bundles.push({
        worker: match[1],
        gzipKiB: Number(match[2]),
        budgetKiB: Number(match[3]),
        within: match[4],
      });
  }
  table("Bundle sizes (minified, gzip)", results.bundles);
}

mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log("\nwrote bench/results/latest.json");
process.exit(0);

#!/usr/bin/env node
// `pnpm bench`: every benchmark, measured side by side in one run (machines here are shared and
// noisy, so figures are read as ratios). Prints tables and writes bench/results/latest.json.
// Not part of the test suite. Loads only 127.0.0.1, bounded in time.
//
//   node bench/run.mjs [--quick]    --quick: shorter runs (a smoke test of the benchmark itself)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { LOCAL_TENANT, localDirectorySeed } from "../scripts/lib/local-dispatch.mjs";
import {
  callerKey,
  DEMO,
  portBase,
  root,
  simulatorGet,
  simulatorToken,
  startStack,
  WORKER_NAMES,
  writeDevVars,
} from "../scripts/lib/local-stack.mjs";
import { costs, PRICES } from "./costs.mjs";
import { benchEvents } from "./events.mjs";
import { benchPayments } from "./payments.mjs";
import { benchWorkerdCpu } from "./workerd-cpu.mjs";

const quick = process.argv.includes("--quick");
/**
 * The local stack before it ran in one runtime: a `wrangler dev` process (each with its own
 * workerd) per worker and one for the simulator, 7 in all, each with its own KV. Measured with
 * `pnpm start` on this machine before commit 2d8a0fe (the old layout is gone, so it cannot be
 * measured again in the same run as the new one).
 */
const BEFORE_ONE_PROCESS = {
  layout: "a wrangler dev per worker and the simulator's",
  processes: 7,
  startSeconds: 14.5,
  rssMiB: 4112,
  measured: "2026-12-02, before 2d8a0fe",
};

/** Resident memory of a process group (the stack's watchdog leads it), in MiB. */
function groupRssMiB(pgid) {
  const lines = execFileSync("ps", ["-eo", "pgid=,rss="], { encoding: "utf8" }).trim().split("\n");
  const kib = lines
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([group]) => group === pgid)
    .reduce((sum, [, rss]) => sum + rss, 0);
  return Math.round(kib / 1024);
}
const DURATION = quick ? 2 : 5;
const CONCURRENCY = quick ? [1, 10] : [1, 10, 50, 200];
const results = {
  machine: {},
  tokenEconomy: [],
  cpuOverhead: undefined,
  dispatchOverhead: undefined,
  overhead: [],
  paymentCpu: undefined,
  workerdCpu: [],
  payments: [],
  paymentProfiles: [],
  costs: [],
  localStack: [],
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
  const payment = output.match(/BENCH payment-cpu (\{.*\})/);
  if (payment) results.paymentCpu = JSON.parse(payment[1]);
  table(
    "Edge overhead, in process: invoice by id, simulator direct vs through invoice-lookup (ms)",
    results.cpuOverhead ? [results.cpuOverhead] : [],
  );
  table(
    "Dispatcher overhead, in process: invoice-lookup direct vs through the dispatcher (ms)",
    results.dispatchOverhead ? [results.dispatchOverhead] : [],
  );
  table(
    "Payment CPU, in process: the simulator's two calls vs payment-posting with its Durable Objects on in-memory storage (ms; goal: workerOwnP50 ≤ 0.5)",
    results.paymentCpu ? [results.paymentCpu] : [],
  );
}

// 2c. The same in workerd: CPU of the runtime's JavaScript thread per request, and a V8 profile's
// shares of it (bench/workerd-cpu.mjs).
{
  writeDevVars(callerKey(), ["invoice-lookup", "payment-posting"]);
  const measured = await benchWorkerdCpu({
    port: portBase(8786) + 160,
    key: callerKey(),
    rounds: quick ? 60 : 300,
  });
  results.workerdCpu = measured.rows;
  results.workerdCpuTop = measured.top;
  table(
    "Worker CPU in workerd: the runtime's JavaScript thread per request, one at a time (measured), and a V8 profile's shares of it (ms; goal: ownJsCpuMs ≤ 0.5)",
    measured.rows,
  );
}

// 2b–3. Edge overhead, the dispatcher and payment posting on local stacks: one runtime each (the
// simulator and the workers, as `pnpm start` runs them). "Direct" calls go to that stack's
// simulator, so both paths cross one loopback HTTP hop and the difference is what the worker
// adds. Upstream latency is simulated by the simulator. 100 above `pnpm start`'s ports, so a
// benchmark can run beside a local stack.
const BENCH_PORT = portBase(8786) + 100;
const key = callerKey();
writeDevVars(key, ["invoice-lookup", "payment-posting"]);
for (const upstreamLatency of [0, 50]) {
  const stack = await startStack({
    simulatorPort: BENCH_PORT,
    simulatorVars: { SIM_FAULTS: upstreamLatency ? `latency=${upstreamLatency}` : "" },
    workers: [
      { name: "invoice-lookup", port: BENCH_PORT + 1 },
      // The dispatcher in the same runtime as the invoice-lookup it forwards to: what Workers for
      // Platforms does, one in-process hop from dispatcher to user worker.
      ...(upstreamLatency === 0 ? [{ name: "dispatch", port: BENCH_PORT + 7 }] : []),
    ],
    seeds: upstreamLatency === 0 ? [localDirectorySeed(key)] : [],
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
      // The dispatcher's added latency: the same invoice by id, straight from invoice-lookup vs
      // through the dispatcher (directory lookup, the tenant's key check, dispatch).
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
    }
  } finally {
    stack.stop();
    await stack.stopped;
  }
}
table("Edge overhead: invoice by id, simulator direct vs through invoice-lookup (ms)", results.overhead);
table(
  "Workers for Platforms dispatcher: invoice by id, invoice-lookup direct vs through the dispatcher (ms)",
  results.dispatch,
);

// 3. The payment hot path (bench/payments.mjs): rows at 0 and 50 ms upstream latency, the
// Server-Timing profile, per-call counts and what they cost.
{
  const { rows, profiles } = await benchPayments({ port: BENCH_PORT + 20, key, quick });
  results.payments = rows;
  results.paymentProfiles = profiles;
  table(
    "Payment posting: simulator direct (one call) vs through payment-posting (ideal: two calls) (ms)",
    rows,
  );
  for (const profile of profiles) {
    table(
      `Where a payment's time goes (Server-Timing, median of ${profile.payments} payments one at a time, ${profile.upstreamLatencyMs} ms upstream latency; spans overlap: claim ⊃ key-begin ∥ gate-acquire, st-GET-invoices (sent alongside the claim) ∥ claim, checks ⊃ reads (waits for it), record ⊃ key-attempt ∥ gate-reserve (absent here: recorded with the claim when every invoice is named by id), send ⊃ st-POST-payments, after ⊃ key-succeed ∥ gate-finish: after the answer, which an untimed payment does not wait for) (ms)`,
      [profile.steps],
    );
    const perCall = Object.entries(profile.calls).map(([call, counts]) => ({ call, ...counts }));
    table("Billable calls per request (Server-Timing counts; token in isolate memory)", perCall);
    results.costs = costs(profile.calls, results.cpuOverhead, results.paymentCpu, results.workerdCpu);
    table(
      `Cost at Cloudflare's published Workers Paid prices, beyond the included usage (USD; ${PRICES.source.join(", ")})`,
      results.costs,
    );
  }
}

// 3b. Start time and resident memory of the whole local stack (what `pnpm start` runs).
{
  const started = Date.now();
  const stack = await startStack({
    simulatorPort: BENCH_PORT + 40,
    workers: WORKER_NAMES.map((name, index) => ({ name, port: BENCH_PORT + 41 + index })),
  });
  const seconds = (Date.now() - started) / 1000;
  const rssMiB = groupRssMiB(stack.pid);
  stack.stop();
  await stack.stopped;
  results.localStack = [
    {
      layout: BEFORE_ONE_PROCESS.layout,
      processes: BEFORE_ONE_PROCESS.processes,
      startSeconds: BEFORE_ONE_PROCESS.startSeconds,
      rssMiB: BEFORE_ONE_PROCESS.rssMiB,
      measured: BEFORE_ONE_PROCESS.measured,
    },
    {
      layout: "one runtime (Miniflare), as deployed",
      processes: 1,
      startSeconds: +seconds.toFixed(1),
      rssMiB,
      measured: "this run",
    },
  ];
  table("Local stack: every worker and the simulator, start time and resident memory", results.localStack);
}

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

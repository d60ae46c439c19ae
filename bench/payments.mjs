// The payment hot path: new payments posted straight to the simulator ("direct": one upstream
// call) vs through payment-posting (a safe post needs two upstream calls in sequence: read the
// invoice, then create), at 0 and 50 ms of simulated upstream latency. The ideal through the
// worker is two direct calls: p50 ≤ 2 × direct p50 (+ 10 ms: the goal), throughput ≥ 0.5 of
// direct (0.45: the goal).
//
// The simulator (ServiceTitan's stand-in) runs in a runtime of its own and the workers in
// another, as deployed: ServiceTitan runs elsewhere. Each runtime runs JavaScript on one thread,
// so a simulator in the workers' runtime would spend the workers' thread on ServiceTitan's work,
// which the direct path does not pay; one row shows that setup too ("in process").
//
// Payments through the worker go to distinct invoices (no invoice is paid twice through the worker
// in one stack, so no earlier write of ours is reserved on it): what is measured is the posting
// path, not the per-invoice gate; a last row pays one hot invoice from 10 connections, which the
// gate decides one at a time. Upstream calls per row are counted by the simulator
// (`GET /__sim/stats`). Local state is in memory (tmpfs): on disk every Durable Object write
// waits for an fsync, which one more row shows.
//
// Then one call at a time with `X-Server-Timing: on` (the worker's SERVER_TIMING=on): where a
// payment's time goes, step by step, and what each call costs (ServiceTitan calls, Durable Object
// requests, KV reads and writes, queue messages) for a payment, a replay and an invoice read.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { DEMO, simulatorGet, simulatorToken, startStack } from "../scripts/lib/local-stack.mjs";
import { cpuMeter, workerdPid } from "./process-cpu.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
};
/** A pause between rows: queue deliveries and alarms of the last one settle. */
const ROW_GAP_MS = 500;
/**
 * Invoices paid through the worker per part of a run (each at most once). A 10-connection row of
 * 160 payments lasted about 3 s and its throughput ratio moved 0.33–0.50 between runs (its first
 * and last requests, with fewer than 10 in flight, weigh a lot): 400 make it steadier.
 */
const SIZES = {
  full: { warm: 5, one: 60, ten: 400, profile: 30 },
  quick: { warm: 3, one: 20, ten: 60, profile: 10 },
};

/** `Server-Timing: total;dur=1.2, st-GET-invoices;dur=50.1;desc="1", n-do;desc="6"` → { spans, counts }. */
export function parseServerTiming(header) {
  const spans = {};
  const counts = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    if (!name) continue;
    const field = (key) =>
      params
        .find((p) => p.trim().startsWith(`${key}=`))
        ?.split("=")[1]
        ?.replaceAll('"', "");
    if (name.startsWith("n-")) counts[name.slice(2)] = Number(field("desc"));
    else spans[name] = { ms: Number(field("dur")), n: Number(field("desc") ?? 1) };
  }
  return { spans, counts };
}

async function simulatorCalls(simulatorUrl) {
  const stats = await (await fetch(`${simulatorUrl}/__sim/stats`)).json();
  return stats.calls;
}

/** What the simulator answered between two snapshots, per operation. */
const callsBetween = (before, after) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([operation, n]) => [operation, n - (before[operation] ?? 0)])
      .filter(([, n]) => n > 0),
  );

async function load({ url, connections, amount, headers, body }) {
  const started = performance.now();
  let lastAnswer = started;
  const run = autocannon({
    url,
    connections,
    amount,
    method: "POST",
    headers,
    requests: [{ method: "POST", headers, setupRequest: (request) => ({ ...request, ...body() }) }],
  });
  run.on("response", () => {
    lastAnswer = performance.now();
  });
  const result = await run;
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    // Requests over the time to the last answer. autocannon ends a run of `amount` requests only
    // at its next one-second tick, so its own finish − start rounds the run's length up to whole
    // seconds: a 2.2 s row read as 3 s, and short rows' ratios came out as ratios of small integers
    // (1/3, 2/5, 1/2).
    rps: Math.round((result.requests.total / ((lastAnswer - started) / 1000)) * 10) / 10,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Runs the payment rows and the profile on a stack at `port` (ST_EDGE_PORT_BASE + 100: beside
 * `pnpm start`). `key` is the caller key the workers accept.
 */
export async function benchPayments({ port, key, quick }) {
  const rows = [];
  const profiles = [];
  const runs = [
    { latency: 0, connections: [1, 10] },
    { latency: 50, connections: [1, 10], hot: true, profile: true },
    { latency: 50, connections: [10], simulator: "in process" },
    { latency: 50, connections: [10], state: "disk" },
  ];
  for (const run of runs) {
    const disk = run.state === "disk" ? mkdtempSync(join(tmpdir(), "st-edge-bench-")) : undefined;
    // 3,000 invoices: about 700 open ones, enough to pay each at most once through the worker.
    const simulatorVars = {
      SIM_FAULTS: run.latency ? `latency=${run.latency}` : "",
      SIM_INVOICE_COUNT: "3000",
    };
    const upstream =
      run.simulator === "in process"
        ? undefined
        : await startStack({ simulatorPort: port, simulatorVars, workers: [] });
    const stacks = [upstream];
    try {
      const stack = await startStack({
        simulatorPort: port,
        simulatorVars,
        upstream: upstream?.simulatorUrl,
        workers: [
          { name: "invoice-lookup", port: port + 1, vars: { SERVER_TIMING: "on" } },
          { name: "payment-posting", port: port + 5, vars: { SERVER_TIMING: "on" } },
        ],
        persistTo: disk,
      });
      stacks.push(stack);
      const result = await runStack({ stack, key, run, sizes: quick ? SIZES.quick : SIZES.full });
      rows.push(...result.rows);
      if (result.profile) profiles.push(result.profile);
    } finally {
      for (const stack of stacks) stack?.stop();
      await Promise.all(stacks.map((stack) => stack?.stopped));
      if (disk) rmSync(disk, { recursive: true, force: true });
    }
  }
  return { rows, profiles };
}

async function runStack({ stack, key, run, sizes }) {
  const { latency } = run;
  // The workers' runtime: its CPU per payment, and how busy its JavaScript thread was.
  const runtime = workerdPid(stack.pid);
  const token = await simulatorToken(stack.simulatorUrl);
  const { data: invoices } = await simulatorGet(stack.simulatorUrl, token, "/invoices?pageSize=5000");
  const { data: types } = await simulatorGet(stack.simulatorUrl, token, "/payment-types");
  const cash = types.find((t) => t.name === "Cash") ?? types[0];
  const open = invoices
    .filter((i) => i.active && Number(i.balance) >= 1)
    .sort((a, b) => Number(b.balance) - Number(a.balance));
  const [hot, ...pool] = open.map((i) => i.id);
  // Each part of the run takes its own invoices, in order: none is paid twice through the worker.
  let next = 0;
  const take = (n) => {
    if (next + n > pool.length) throw new Error(`the simulator has only ${pool.length} open invoices`);
    next += n;
    return pool.slice(next - n, next);
  };
  const upstreamHeaders = {
    Authorization: token,
    "ST-App-Key": DEMO.appKey,
    "Content-Type": "application/json",
  };
  const callerHeaders = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
  const directUrl = `${stack.simulatorUrl}/accounting/v2/tenant/${DEMO.tenantId}/payments`;
  const workerUrl = `${stack.url("payment-posting")}/payments`;
  const newKey = () => `bench-${randomBytes(8).toString("hex")}`;
  const payWorker = (invoiceId, { timed = false, idempotencyKey = newKey() } = {}) =>
    fetch(workerUrl, {
      method: "POST",
      headers: {
        ...callerHeaders,
        "Idempotency-Key": idempotencyKey,
        ...(timed ? { "X-Server-Timing": "on" } : {}),
      },
      body: JSON.stringify({ invoiceId, amount: "0.01", paymentType: "Cash" }),
    });

  // Warm both paths (isolates, the worker's token and payment types), then let the warm-up's
  // reservations lapse.
  for (const invoiceId of take(sizes.warm)) {
    await (await payWorker(invoiceId)).text();
    await (
      await fetch(directUrl, {
        method: "POST",
        headers: upstreamHeaders,
        body: JSON.stringify({ typeId: cash.id, amount: 0.01, splits: [{ invoiceId, amount: 0.01 }] }),
      })
    ).text();
  }
  await sleep(ROW_GAP_MS);

  const rows = [];
  for (const connections of run.connections) {
    // One connection is slow per request: fewer of them, still enough for a median.
    const invoicesOfRow = take(connections === 1 ? sizes.one : sizes.ten);
    const amount = invoicesOfRow.length;
    let d = 0;
    const a = await load({
      url: directUrl,
      connections,
      amount,
      headers: upstreamHeaders,
      body: () => ({
        body: JSON.stringify({
          typeId: cash.id,
          amount: 0.01,
          splits: [{ invoiceId: invoicesOfRow[d++ % amount], amount: 0.01 }],
        }),
      }),
    });
    await sleep(ROW_GAP_MS);
    let w = 0;
    const before = await simulatorCalls(stack.simulatorUrl);
    const meter = cpuMeter(runtime);
    const b = await load({
      url: workerUrl,
      connections,
      amount,
      headers: callerHeaders,
      body: () => ({
        headers: { ...callerHeaders, "Idempotency-Key": newKey() },
        body: JSON.stringify({ invoiceId: invoicesOfRow[w++ % amount], amount: "0.01", paymentType: "Cash" }),
      }),
    });
    const cpu = meter.stop();
    const calls = callsBetween(before, await simulatorCalls(stack.simulatorUrl));
    rows.push(row({ latency, connections, invoices: "distinct", run, a, b, calls, cpu }));
    await sleep(ROW_GAP_MS);
  }

  // One hot invoice from 10 connections: the gate decides them one at a time.
  if (run.hot) {
    const amount = sizes.one;
    const a = await load({
      url: directUrl,
      connections: 10,
      amount,
      headers: upstreamHeaders,
      body: () => ({
        body: JSON.stringify({ typeId: cash.id, amount: 0.01, splits: [{ invoiceId: hot, amount: 0.01 }] }),
      }),
    });
    const before = await simulatorCalls(stack.simulatorUrl);
    const b = await load({
      url: workerUrl,
      connections: 10,
      amount,
      headers: callerHeaders,
      body: () => ({
        headers: { ...callerHeaders, "Idempotency-Key": newKey() },
        body: JSON.stringify({ invoiceId: hot, amount: "0.01", paymentType: "Cash" }),
      }),
    });
    const calls = callsBetween(before, await simulatorCalls(stack.simulatorUrl));
    rows.push(row({ latency, connections: 10, invoices: "one hot invoice", run, a, b, calls }));
    await sleep(ROW_GAP_MS);
  }
  if (!run.profile) return { rows };
  return { rows, profile: await profile({ stack, key, latency, invoices: take(sizes.profile), payWorker }) };
}

function row({ latency, connections, invoices, run, a, b, calls, cpu }) {
  const payments = b.requests - b.non2xx;
  const idealP50 = 2 * a.p50;
  const simulator = run.simulator ?? "own process";
  const state = run.state ?? "memory";
  const headline =
    latency > 0 && invoices === "distinct" && state === "memory" && simulator === "own process";
  return {
    upstreamLatencyMs: latency,
    connections,
    invoices,
    simulator,
    state,
    directP50: a.p50,
    workerP50: b.p50,
    idealP50,
    p50VsIdeal: +(b.p50 / Math.max(idealP50, 1)).toFixed(2),
    p50Goal: headline ? `≤ ${idealP50 + 10}` : "",
    directP99: a.p99,
    workerP99: b.p99,
    directRps: a.rps,
    workerRps: b.rps,
    throughputRatio: +(b.rps / a.rps).toFixed(2),
    throughputGoal: headline && connections === 10 ? "≥ 0.45" : "",
    throughputVsIdeal: +(b.rps / a.rps / 0.5).toFixed(2),
    upstreamPerPayment: +(Object.values(calls).reduce((x, y) => x + y, 0) / Math.max(payments, 1)).toFixed(2),
    paymentReads: calls.Payments_GetList ?? 0,
    // The workers' runtime while the row ran: CPU ms of its JavaScript thread per payment, and
    // that thread's CPU over the row's wall time (1 = a core to itself, all the time).
    runtimeCpuMs: cpu ? +(cpu.busiestThreadMs / Math.max(payments, 1)).toFixed(2) : "",
    runtimeBusy: cpu ? +(cpu.busiestThreadMs / cpu.wallMs).toFixed(2) : "",
    non2xx: a.non2xx + b.non2xx + a.errors + b.errors,
  };
}

/** One call at a time with Server-Timing: the steps of a payment, and the costs of three calls. */
async function profile({ stack, key, latency, invoices, payWorker }) {
  const n = invoices.length;
  const payments = [];
  let replayed;
  for (const invoiceId of invoices) {
    const idempotencyKey = `bench-profile-${randomBytes(6).toString("hex")}`;
    const response = await payWorker(invoiceId, { timed: true, idempotencyKey });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`profile payment answered ${response.status}: ${text}`);
    payments.push(parseServerTiming(response.headers.get("Server-Timing")));
    replayed = idempotencyKey;
    await sleep(20);
  }
  // The last key again: a replay.
  const replayResponse = await payWorker(invoices[n - 1], { timed: true, idempotencyKey: replayed });
  await replayResponse.text();
  const replay = parseServerTiming(replayResponse.headers.get("Server-Timing"));
  // An invoice read, on a warm isolate (its first read fetched the token): the second one counts.
  const readInvoice = () =>
    fetch(`${stack.url("invoice-lookup")}/invoices/${invoices[0]}`, {
      headers: { Authorization: `Bearer ${key}`, "X-Server-Timing": "on" },
    });
  await (await readInvoice()).text();
  const readResponse = await readInvoice();
  await readResponse.text();
  const read = parseServerTiming(readResponse.headers.get("Server-Timing"));

  const names = [...new Set(payments.flatMap((p) => Object.keys(p.spans)))];
  const steps = Object.fromEntries(
    names.map((name) => [name, +median(payments.map((p) => p.spans[name]?.ms ?? 0)).toFixed(1)]),
  );
  const counts = (timing) => ({
    upstream: timing.counts.upstream ?? 0,
    durableObject: timing.counts.do ?? 0,
    kvRead: timing.counts["kv-read"] ?? 0,
    kvWrite: timing.counts["kv-write"] ?? 0,
    queue: timing.counts.queue ?? 0,
  });
  return {
    upstreamLatencyMs: latency,
    payments: n,
    steps,
    calls: {
      payment: counts(payments.at(-1)),
      replay: counts(replay),
      invoiceRead: counts(read),
    },
  };
}

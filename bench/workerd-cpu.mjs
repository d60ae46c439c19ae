// The workers' CPU per request measured in workerd (the runtime Cloudflare runs them in), not in
// Node: payment-posting and invoice-lookup run in one local runtime (Miniflare), the simulator in
// another (its work is not theirs), requests go one at a time.
//
// 1. Measured: the CPU time the runtime's JavaScript thread spent per request (Linux scheduler
//    statistics, bench/process-cpu.mjs: time on a CPU, not time waiting for one), for a payment,
//    an invoice read and `GET /healthz` (the runtime's floor: an HTTP request, routing, a log line).
//    This is everything that thread did: our JavaScript, the runtime's builtins (fetch, Request
//    and Response, streams, timers, RPC to Durable Objects), the objects' own work (they run in
//    the worker's isolate locally; on Cloudflare elsewhere), V8's garbage collection.
// 2. Sorted: V8's sampling profiler on each worker's isolate through workerd's DevTools inspector
//    (100 µs samples) tells the shares of that time: JavaScript of our bundle (ours and its
//    libraries), the runtime's builtins, the Durable Objects' classes, SHA-256 (crypto.subtle.digest:
//    in workerd a builtin on the isolate's own thread), GC and V8. The profiler samples wall time
//    in each state, so on a loaded machine its milliseconds run long; its shares hold, and a share
//    of the measured CPU estimates that part's CPU (`ownJsCpuMs`, `hashingCpuMs`).
// Prints a `BENCH workerd-cpu` line when run by itself (`node bench/workerd-cpu.mjs [rounds]`).
import { randomBytes } from "node:crypto";
import { simulatorGet, simulatorToken, startStack } from "../scripts/lib/local-stack.mjs";
import { cpuMeter, workerdPid } from "./process-cpu.mjs";

/** What a sample's innermost frame is: the runtime's builtins, V8's own work, or JavaScript. */
function kindOf(frame) {
  const name = frame.functionName;
  if (name === "(garbage collector)") return "gc";
  if (name === "(program)") return "v8";
  if (name === "digest") return "hashing";
  if (frame.url === "") return "runtime";
  if (frame.url.startsWith("node-internal:") || frame.url.startsWith("cloudflare-internal:"))
    return "runtimeJs";
  return "js";
}
const KINDS = ["js", "runtime", "runtimeJs", "hashing", "gc", "v8"];

class Inspector {
  static async connect(url) {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", reject, { once: true });
    });
    return new Inspector(socket);
  }
  constructor(socket) {
    this.socket = socket;
    this.next = 1;
    this.waiting = new Map();
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
      else waiter.resolve(message.result);
    });
  }
  send(method, params = {}) {
    const id = this.next++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }
  close() {
    this.socket.close();
  }
}

/**
 * Sums a V8 CPU profile: busy ms by kind (kindOf), outside and inside the Durable Objects' classes
 * (`objectLines(scriptId)`: the line ranges of their classes in that script), and the busiest
 * functions by self time.
 */
export function summarize(profile, objectLines) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map();
  const { samples, timeDeltas } = profile;
  // A sample's time is the delta to the next sample.
  for (let i = 0; i < samples.length; i++) {
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    hits.set(samples[i], (hits.get(samples[i]) ?? 0) + ms);
  }
  const inObject = (frame) =>
    (objectLines(frame.scriptId) ?? []).some(
      ([from, to]) => frame.lineNumber >= from && frame.lineNumber <= to,
    );
  const worker = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const objects = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const functions = new Map();
  for (const [id, ms] of hits) {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === "(idle)" || frame.functionName === "(root)") continue;
    let object = false;
    for (let at = id; at !== undefined && !object; at = parent.get(at))
      object = inObject(byId.get(at).callFrame);
    (object ? objects : worker)[kindOf(frame)] += ms;
    const key = `${object ? "[DO] " : ""}${frame.functionName || "(anonymous)"} ${frame.url.split("/").at(-1)}:${frame.lineNumber}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
  }
  const top = [...functions].sort((a, b) => b[1] - a[1]).slice(0, 20);
  return { worker, objects, top };
}

/** Line ranges (0-based, as profiles count) of the Durable Object classes in a script's source. */
function classLines(source) {
  const lines = source.split("\n");
  const ranges = [];
  lines.forEach((line, i) => {
    if (!/^var (IdempotencyStore|InvoiceGate|TokenBroker) = class /.test(line)) return;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("};"));
    ranges.push([i, end]);
  });
  return ranges;
}

async function profiled(inspector, rounds, request) {
  await inspector.send("Debugger.enable");
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  for (let i = 0; i < rounds; i++) await request(i);
  const { profile } = await inspector.send("Profiler.stop");
  const sources = new Map();
  for (const node of profile.nodes) {
    const { scriptId, url } = node.callFrame;
    if (!url.endsWith("index.js") || sources.has(scriptId)) continue;
    const { scriptSource } = await inspector.send("Debugger.getScriptSource", { scriptId });
    sources.set(scriptId, classLines(scriptSource));
  }
  await inspector.send("Debugger.disable");
  return summarize(profile, (scriptId) => sources.get(scriptId));
}

export async function benchWorkerdCpu({ port, key, rounds = 300 }) {
  const inspectorPort = port + 9;
  const upstream = await startStack({
    simulatorPort: port,
    simulatorVars: { SIM_INVOICE_COUNT: "3000" },
    workers: [],
  });
  let stack;
  try {
    stack = await startStack({
      simulatorPort: port,
      upstream: upstream.simulatorUrl,
      inspectorPort,
      workers: [
        { name: "invoice-lookup", port: port + 1 },
        { name: "payment-posting", port: port + 5 },
      ],
    });
    const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
    const target = (name) => {
      const found = targets.find((t) => t.id?.endsWith(`:${name}`) || t.title?.includes(name));
      if (!found) throw new Error(`no inspector target for ${name}: ${JSON.stringify(targets)}`);
      return found.webSocketDebuggerUrl.replace("localhost", "127.0.0.1");
    };
    const token = await simulatorToken(stack.simulatorUrl);
    const { data: invoices } = await simulatorGet(stack.simulatorUrl, token, "/invoices?pageSize=5000");
    const open = invoices.filter((i) => i.active && Number(i.balance) >= 1).map((i) => i.id);
    const callerHeaders = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
    const pay = async (invoiceId) => {
      const response = await fetch(`${stack.url("payment-posting")}/payments`, {
        method: "POST",
        headers: { ...callerHeaders, "Idempotency-Key": `cpu-${randomBytes(8).toString("hex")}` },
        body: JSON.stringify({ invoiceId, amount: "0.01", paymentType: "Cash" }),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`payment answered ${response.status}: ${text}`);
    };
    const read = async () => {
      const response = await fetch(`${stack.url("invoice-lookup")}/invoices/${open[0]}`, {
        headers: callerHeaders,
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`read answered ${response.status}: ${text}`);
    };
    const paymentRounds = Math.min(rounds, Math.floor((open.length - 20) / 2));
    for (let i = 0; i < 10; i++) await pay(open[open.length - 1 - i]);
    for (let i = 0; i < 20; i++) await read();

    const workerd = workerdPid(stack.pid);
    const cpuOf = async (n, request) => {
      const meter = cpuMeter(workerd);
      for (let i = 0; i < n; i++) await request(i);
      const { totalMs, busiestThreadMs } = meter.stop();
      return { process: +(totalMs / n).toFixed(3), jsThread: +(busiestThreadMs / n).toFixed(3) };
    };
    const health = () => fetch(`${stack.url("payment-posting")}/healthz`).then((r) => r.text());
    const threadCpu = {
      healthz: await cpuOf(rounds, health),
      invoiceRead: await cpuOf(rounds, read),
      payment: await cpuOf(Math.floor(paymentRounds / 2), (i) => pay(open[paymentRounds + 10 + i])),
    };
    const payments = await Inspector.connect(target("payment-posting"));
    const p = await profiled(payments, paymentRounds, (i) => pay(open[i]));
    payments.close();
    const lookups = await Inspector.connect(target("invoice-lookup"));
    const r = await profiled(lookups, rounds, () => read());
    lookups.close();
    const round3 = (x) => +x.toFixed(3);
    /**
     * One table row: the JavaScript thread's CPU per request (measured), and the profile's shares
     * of the isolate's busy samples. The profile samples wall time in each state, so on a loaded
     * machine its milliseconds run long; its shares are what it tells, and a share of the
     * measured CPU is the estimate of each part's CPU.
     */
    const rowOf = (call, summary, measured) => {
      const busy = KINDS.reduce((sum, k) => sum + summary.worker[k] + summary.objects[k], 0);
      const share = (ms) => ms / busy;
      const objects = KINDS.reduce((sum, k) => sum + summary.objects[k], 0);
      const ownJs = share(summary.worker.js);
      return {
        call,
        cpuMs: measured.jsThread,
        processCpuMs: measured.process,
        healthzCpuMs: threadCpu.healthz.jsThread,
        ownJsShare: round3(ownJs),
        runtimeShare: round3(share(summary.worker.runtime + summary.worker.runtimeJs)),
        objectsShare: round3(share(objects)),
        hashingShare: round3(share(summary.worker.hashing + summary.objects.hashing)),
        gcV8Share: round3(share(summary.worker.gc + summary.worker.v8)),
        ownJsCpuMs: round3(ownJs * measured.jsThread),
        hashingCpuMs: round3(share(summary.worker.hashing) * measured.jsThread),
      };
    };
    const per = (ms, n) => +(ms / n).toFixed(3);
    return {
      rows: [rowOf("payment", p, threadCpu.payment), rowOf("invoice read", r, threadCpu.invoiceRead)],
      top: {
        payment: p.top.slice(0, 12).map(([frame, ms]) => ({ frame, ms: per(ms, paymentRounds) })),
        invoiceRead: r.top.slice(0, 12).map(([frame, ms]) => ({ frame, ms: per(ms, rounds) })),
      },
    };
  } finally {
    stack?.stop();
    upstream.stop();
    await Promise.all([stack?.stopped, upstream.stopped]);
  }
}

if (import.meta.main || process.argv[1]?.endsWith("workerd-cpu.mjs")) {
  const { callerKey, portBase, writeDevVars } = await import("../scripts/lib/local-stack.mjs");
  const key = callerKey();
  writeDevVars(key, ["invoice-lookup", "payment-posting"]);
  const out = await benchWorkerdCpu({
    port: portBase(8786) + 160,
    key,
    rounds: Number(process.argv[2] ?? 300),
  });
  console.log(`BENCH workerd-cpu ${JSON.stringify(out)}`);
}

#!/usr/bin/env node
// `pnpm start`: the ServiceTitan simulator and every worker on this machine, seeded, with demo
// credentials and a demo caller API key made on first run (.dev.vars files, git-ignored).
// Prints each worker's URL and a few copy-paste requests. Ctrl-C stops everything.
// Everything runs in one local runtime (one workerd process, scripts/lib/stack-host.mjs), as one
// tenant's deployment runs: one KV namespace, one namespace per Durable Object class, queues and
// service bindings in process; each worker keeps its own port. Edits to a worker reload it.
// Local state (the simulator's data and every worker's KV and Durable Objects) is kept under
// .dev/state between runs, so the two worlds stay consistent: a payment replayed after a restart
// still exists in the simulator.
//
//   --reset    wipe .dev/state first: a freshly seeded simulator and empty worker storage
//   --smoke    start on throwaway state, run the printed requests, check the answers, stop
//   --verbose  with --smoke, show the workers' output too
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import {
  callerKey,
  EXTRA_DEV_VARS,
  HOST,
  MCP_WORKER,
  portBase,
  REGISTRY,
  STATE_DIR,
  simulatorGet,
  simulatorPersistence,
  simulatorToken,
  startStack,
  WORKER_NAMES,
  writeDevVars,
} from "./lib/local-stack.mjs";

const smoke = process.argv.includes("--smoke");
const verbose = process.argv.includes("--verbose");
const reset = process.argv.includes("--reset");
// ST_EDGE_PORT_BASE moves every port (default 8786), for a second checkout on the same machine.
const BASE = portBase(8786);
const SIMULATOR_PORT = BASE;
// Every worker on its own port, in one process. The events API runs with its watcher (the Durable
// Object, queue consumers); their subscriptions and seen versions are kept with the rest of the
// state (.dev/state).
const WORKERS = WORKER_NAMES.map((name, index) => ({ name, port: BASE + 1 + index }));
// The MCP server last: it reaches the workers above through service bindings.
const MCP = { name: MCP_WORKER, port: BASE + 1 + WORKERS.length };
WORKERS.push(MCP);
const MCP_URL = `http://${HOST}:${MCP.port}`;
const portOf = (name) => WORKERS.find((worker) => worker.name === name).port;

/** Picks an open invoice with a tax zone from the simulator, as a ServiceTitan client would. */
async function sampleInvoice(simulatorUrl) {
  const token = await simulatorToken(simulatorUrl);
  const { data } = await simulatorGet(simulatorUrl, token, "/invoices?pageSize=200");
  const invoice = data.find((i) => i.active && i.taxZoneId && Number(i.balance) >= 25);
  if (!invoice) throw new Error("the simulator has no open invoice with a tax zone");
  return invoice;
}

/** A JSON-RPC message to the MCP server, as an MCP client sends it over Streamable HTTP. */
const mcpMessage = (id, method, params) => JSON.stringify({ jsonrpc: "2.0", id, method, params });
/** An MCP answer that is a result (for a tool call: not a tool error). */
const mcpResult = (text) => {
  const json = JSON.parse(text.startsWith("event:") ? text.slice(text.indexOf("data: ") + 6) : text);
  return json.result !== undefined && json.result.isError !== true;
};

function sampleRequests(stack, key, invoice) {
  const idempotencyKey = `demo-${randomBytes(4).toString("hex")}`;
  const payment = JSON.stringify({
    invoiceId: invoice.id,
    amount: "25.00",
    paymentType: "Check",
    checkNumber: "1042",
    memo: "first payment",
  });
  const adjustment = JSON.stringify({
    summary: "Balance written off",
    royaltyMemo: "approved by the office",
    items: [{ skuName: "PM-PROMO", description: "Write-off", quantity: "1", unitPrice: "-10.00" }],
  });
  const list = [
    {
      title: "Look up an invoice",
      method: "GET",
      url: `${stack.url("invoice-lookup")}/invoices/${invoice.id}`,
      status: 200,
    },
    {
      title: "Resolve its tax zone",
      method: "GET",
      url: `${stack.url("tax-zones")}/tax-zones/resolve?invoiceId=${invoice.id}`,
      status: 200,
    },
    {
      title: "Post a payment",
      method: "POST",
      url: `${stack.url("payment-posting")}/payments`,
      body: payment,
      idempotencyKey,
      status: 201,
    },
    {
      title: "Replay it: same Idempotency-Key, same answer, no second payment",
      method: "POST",
      url: `${stack.url("payment-posting")}/payments`,
      body: payment,
      idempotencyKey,
      status: 201,
      replay: true,
    },
    {
      title: "Mark it exported to your ledger (one result per invoice)",
      method: "POST",
      url: `${stack.url("invoice-changes")}/invoices/mark-exported`,
      body: JSON.stringify({ invoices: [{ invoiceId: invoice.id, externalId: "QB-1042" }] }),
      status: 200,
    },
    {
      title: "The office edits it afterwards",
      method: "PATCH",
      url: `${stack.url("invoice-changes")}/invoices/${invoice.id}`,
      body: JSON.stringify({ summary: "Discount agreed on the phone" }),
      status: 200,
    },
    {
      title: "Invoices edited after they were exported",
      method: "GET",
      url: `${stack.url("invoice-changes")}/invoices/export-drift?limit=5`,
      status: 200,
    },
    {
      title: "Write off the rest with an adjustment invoice (exactly once per Idempotency-Key)",
      method: "POST",
      url: `${stack.url("invoice-adjustments")}/invoices/${invoice.id}/adjustments`,
      body: adjustment,
      idempotencyKey: `${idempotencyKey}-adjustment`,
      status: 201,
    },
    {
      title: "List instant-trigger subscriptions (see workers/events/README.md to subscribe a receiver)",
      method: "GET",
      url: `${stack.url("events")}/hooks`,
      status: 200,
    },
    {
      title: "MCP: initialize (see workers/mcp/README.md to connect an MCP client)",
      method: "POST",
      url: `${stack.url(MCP_WORKER)}/mcp`,
      mcp: mcpMessage(1, "initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "curl", version: "1" },
      }),
      status: 200,
      check: mcpResult,
    },
    {
      title: "MCP: list the tools",
      method: "POST",
      url: `${stack.url(MCP_WORKER)}/mcp`,
      mcp: mcpMessage(2, "tools/list", {}),
      status: 200,
      check: mcpResult,
    },
    {
      title: "MCP: call a tool (get_invoice, with its payments)",
      method: "POST",
      url: `${stack.url(MCP_WORKER)}/mcp`,
      mcp: mcpMessage(3, "tools/call", { name: "get_invoice", arguments: { invoiceId: invoice.id } }),
      status: 200,
      check: mcpResult,
    },
  ];
  return list.map((r) => ({
    ...r,
    body: r.body ?? r.mcp,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(r.body ? { "Content-Type": "application/json" } : {}),
      ...(r.idempotencyKey ? { "Idempotency-Key": r.idempotencyKey } : {}),
      ...(r.mcp ? { "Content-Type": "application/json", Accept: "application/json, text/event-stream" } : {}),
    },
    curl: [
      "curl -s",
      r.method === "GET" ? "" : `-X ${r.method}`,
      `-H 'Authorization: Bearer ${key}'`,
      r.body ? "-H 'Content-Type: application/json'" : "",
      r.idempotencyKey ? `-H 'Idempotency-Key: ${r.idempotencyKey}'` : "",
      r.body ? `-d '${r.body}'` : "",
      r.mcp
        ? `-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '${r.mcp}'`
        : "",
      `'${r.url}'`,
    ]
      .filter(Boolean)
      .join(" "),
  }));
}

async function runRequests(list) {
  let ok = true;
  for (const r of list) {
    const response = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
    const text = await response.text();
    const replayed = response.headers.get("Idempotent-Replayed") === "true";
    const pass = response.status === r.status && (!r.replay || replayed) && (!r.check || r.check(text));
    ok &&= pass;
    console.log(`${pass ? "ok  " : "FAIL"} ${response.status} ${r.title}`);
    if (!pass) console.log(`     ${text.slice(0, 500)}`);
  }
  return ok;
}

/** Which state this run starts from, before anything runs (the simulator tells the rest once up). */
function prepareState() {
  if (smoke) return "throwaway (a smoke run never touches .dev/state)";
  if (reset) {
    rmSync(STATE_DIR, { recursive: true, force: true });
    return "reset: .dev/state wiped, so the simulator is freshly seeded and every worker's storage is empty";
  }
  return existsSync(STATE_DIR)
    ? "kept from the last run (.dev/state)"
    : "fresh: first run, kept in .dev/state from now on";
}

/** One line on the simulator's side of the state: what it replayed, or why it could not. */
function describeSimulatorState({ anchor, replayed, problem }) {
  if (problem) return `  simulator: ${problem}`;
  return `  simulator: seeded for ${anchor}, ${replayed} write${replayed === 1 ? "" : "s"} replayed from earlier runs`;
}

const started = Date.now();
const key = callerKey();
// The MCP server's OAuth binds tokens to its own origin, which moves with ST_EDGE_PORT_BASE.
writeDevVars(key, [...WORKER_NAMES, MCP_WORKER], { [MCP_WORKER]: { MCP_PUBLIC_URL: MCP_URL } });
const state = prepareState();
let stack;
const shutdown = (code) => {
  stack?.stop();
  setTimeout(() => process.exit(code), 300);
};
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));
try {
  stack = await startStack({
    simulatorPort: SIMULATOR_PORT,
    // The simulator sends ServiceTitan-style webhooks for its invoice changes to the events worker.
    simulatorVars: {
      SIM_WEBHOOK_URL: `http://${HOST}:${portOf("events")}/webhooks/servicetitan`,
      SIM_WEBHOOK_KEY: EXTRA_DEV_VARS.events.ST_WEBHOOK_KEY,
    },
    workers: WORKERS,
    persistTo: smoke ? undefined : STATE_DIR,
    // `pnpm start:dispatch` binds to these workers from its own process; edits reload them.
    ...(smoke ? {} : { registry: REGISTRY, watch: true }),
    log: (name, line) => {
      if (!smoke || verbose) console.log(`[${name}] ${line}`);
    },
    onExit: (name, code) => {
      console.error(`[${name}] exited (${code}); stopping everything`);
      shutdown(1);
    },
  });
  console.log(`State: ${state}\n${describeSimulatorState(await simulatorPersistence(stack.simulatorUrl))}`);
  const list = sampleRequests(stack, key, await sampleInvoice(stack.simulatorUrl));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (smoke) {
    const ok = await runRequests(list);
    console.log(`smoke: everything up in ${seconds} s; the printed requests ${ok ? "passed" : "FAILED"}`);
    shutdown(ok ? 0 : 1);
  } else {
    console.log(`\nServiceTitan simulator  ${stack.simulatorUrl}  (demo tenant 1000001)`);
    for (const w of WORKERS.filter((w) => w !== MCP))
      console.log(`${w.name.padEnd(23)} http://${HOST}:${w.port}  (OpenAPI: /openapi.json)`);
    console.log(`${"mcp (MCP server)".padEnd(23)} ${MCP_URL}/mcp  (Streamable HTTP; API key or OAuth)`);
    console.log(`\nYour demo API key: ${key}\n`);
    for (const r of list) console.log(`# ${r.title}\n${r.curl}\n`);
    console.log(`Everything is up (${seconds} s). Ctrl-C stops it; \`pnpm start --reset\` starts over.`);
  }
} catch (error) {
  console.error(String(error));
  shutdown(1);
}

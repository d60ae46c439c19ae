#!/usr/bin/env node
// `pnpm start:dispatch`, beside a running `pnpm start`: the Workers for Platforms dispatcher on
// this machine, in front of the workers `pnpm start` runs. Its tenant directory gets one tenant,
// "demo", with the demo caller key; the namespace is LOCAL_USER_WORKERS' service bindings, found
// through the same per-checkout dev registry. Prints a copy-paste request. Ctrl-C stops it.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { LOCAL_TENANT, seedLocalDirectory } from "./lib/local-dispatch.mjs";
import { callerKey, HOST, portBase, REGISTRY, root, WORKER_NAMES } from "./lib/local-stack.mjs";
import { PATH } from "./lib/wrangler.mjs";

// The port after pnpm start's (the simulator, then one per worker).
const PORT = portBase(8786) + 1 + WORKER_NAMES.length;
const key = callerKey();
seedLocalDirectory(key);
const dir = join(root, "workers/dispatch");
const child = spawn(
  join(dir, "node_modules/.bin/wrangler"),
  [
    "dev",
    "--ip",
    HOST,
    "--port",
    String(PORT),
    "--inspector-port",
    String(PORT + 1000),
    "--show-interactive-dev-session=false",
  ],
  {
    cwd: dir,
    stdio: "inherit",
    env: { ...process.env, PATH, WRANGLER_SEND_METRICS: "false", WRANGLER_REGISTRY_PATH: REGISTRY },
  },
);
console.log(`\nDispatcher http://${HOST}:${PORT}, tenant "${LOCAL_TENANT}" (the workers of pnpm start):`);
console.log(
  `curl -s -H 'Authorization: Bearer ${key}' 'http://${HOST}:${PORT}/${LOCAL_TENANT}/payment-terms/payment-terms'\n`,
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 0));

#!/usr/bin/env node
// The local stack in one process, as it runs deployed: every worker of the plan (and the
// ServiceTitan simulator) in one Miniflare, i.e. one workerd, each on its own port (a direct
// socket, no proxy in front), with one KV namespace (TOKENS, id "local") and one namespace per
// Durable Object class shared by every worker that binds it, and queues between them. Started by
// startStack (local-stack.mjs) as a child process on node ≥ 22.12, with the plan as JSON in
// ST_EDGE_STACK_PLAN; prints one `STACK-READY {...}` line once every socket is up and stops on
// SIGTERM or SIGINT.
//
// Workers are bundled here with esbuild as `wrangler dev` bundles them (same conditions, target,
// externals, keep_names, NODE_ENV), and their bindings come from wrangler's own reading of each
// config (`unstable_getMiniflareWorkerOptions`, which also merges .dev.vars). A worker with the
// nodejs_compat flag is bundled by wrangler itself (`wrangler deploy --dry-run`), so its Node.js
// polyfills are wrangler's. With `watch`, sources are rebuilt on change and the runtime reloaded.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { context } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { readJsonc } from "./jsonc.mjs";

const plan = JSON.parse(process.env.ST_EDGE_STACK_PLAN ?? "null");
if (!plan) throw new Error("stack-host.mjs is started by startStack (scripts/lib/local-stack.mjs)");
const { root, host, stateDir, registry, workers, seeds = [], watch = false, inspectorPort, upstream } = plan;
const SIMULATOR = "servicetitan-simulator";
const outRoot = join(root, ".deploy", "local", `stack-${plan.id}`);
/** Told when a watched worker was rebuilt (set once the runtime runs). */
let onRebuilt = () => {};

/** The state of the old one-process-per-worker layout (`<state>/<name>/v3`), merged into one. */
function adoptSeparateState() {
  if (!existsSync(stateDir)) return;
  const target = join(stateDir, "v3", "do");
  for (const entry of readdirSync(stateDir)) {
    const objects = join(stateDir, entry, "v3", "do");
    if (entry === "v3" || !existsSync(objects)) continue;
    mkdirSync(target, { recursive: true });
    for (const namespace of readdirSync(objects)) {
      // One namespace per Durable Object class: each lived in its owner's process before.
      if (!existsSync(join(target, namespace))) renameSync(join(objects, namespace), join(target, namespace));
    }
    // What else was there is each process's own KV copy of the token cache: not carried over
    // (ServiceTitan tokens do not outlive a simulator restart anyway).
    rmSync(join(stateDir, entry), { recursive: true, force: true });
  }
}

/** esbuild options as `wrangler dev` uses them (wrangler's bundleWorker, COMMON_ESBUILD_OPTIONS). */
const esbuildOptions = (config, outfile) => ({
  entryPoints: [config.main],
  absWorkingDir: dirname(config.configPath),
  outfile,
  bundle: true,
  format: "esm",
  target: "es2024",
  supported: { "import-source": true, using: true },
  conditions: ["workerd", "worker", "browser"],
  keepNames: config.keep_names ?? true,
  sourcemap: true,
  metafile: true,
  logLevel: "silent",
  loader: { ".js": "jsx", ".mjs": "jsx", ".cjs": "jsx" },
  define: {
    "process.env.NODE_ENV": '"development"',
    "global.process.env.NODE_ENV": '"development"',
    "globalThis.process.env.NODE_ENV": '"development"',
    ...config.define,
  },
  plugins: [
    {
      name: "cloudflare-internal-imports",
      setup(build) {
        build.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, external: true }));
        // nodejs_als (the MCP server's agents package): workerd provides AsyncLocalStorage.
        if (config.compatibility_flags?.includes("nodejs_als"))
          build.onResolve({ filter: /^node:async_hooks$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});

/**
 * Service bindings, the simulator's replaced by `upstream` when the simulator runs in another
 * process (a benchmark's upstream, as ServiceTitan runs elsewhere deployed): plain HTTP to it.
 */
function upstreamBound(serviceBindings = {}) {
  if (!upstream) return serviceBindings;
  return Object.fromEntries(
    Object.entries(serviceBindings).map(([binding, target]) => [
      binding,
      (typeof target === "string" ? target : target?.name) === SIMULATOR
        ? { external: { address: upstream, http: {} } }
        : target,
    ]),
  );
}

/** One worker's Miniflare options and, with `watch`, its rebuild context. */
async function prepareWorker({ config: configPath, port, vars = {}, name: label }) {
  const config = unstable_readConfig({ config: configPath }, { hideWarnings: true });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  const outdir = join(outRoot, config.name);
  const outfile = join(outdir, "index.js");
  let rebuild;
  if (config.compatibility_flags?.includes("nodejs_compat")) {
    const wrangler = join(dirname(configPath), "node_modules/.bin/wrangler");
    const build = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", outdir, "-c", configPath], {
      cwd: dirname(configPath),
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    if (build.status !== 0)
      throw new Error(`bundling ${config.name} failed:\n${build.stdout}${build.stderr}`);
  } else {
    const options = esbuildOptions({ ...config, configPath }, outfile);
    options.plugins.push({
      name: "reload-after-rebuild",
      setup(build) {
        build.onEnd((result) => {
          if (result.errors.length > 0)
            console.error(`[stack] ${label}: build failed, still running the last good one`);
          else onRebuilt();
        });
      },
    });
    const built = await context(options);
    const result = await built.rebuild();
    if (result.errors.length > 0) throw new Error(`bundling ${config.name} failed`);
    if (watch) rebuild = built;
    else await built.dispose();
  }
  return {
    label,
    config,
    rebuild,
    // Read afresh on every (re)load: the bundle on disk is the latest build.
    options: () => {
      const { modulesRules: _rules, ...rest } = workerOptions;
      return {
        ...rest,
        name: config.name,
        modulesRoot: outdir,
        modules: [{ type: "ESModule", path: outfile, contents: readFileSync(outfile, "utf8") }],
        bindings: { ...workerOptions.bindings, ...vars },
        serviceBindings: upstreamBound(workerOptions.serviceBindings),
        unsafeDirectSockets: port === undefined ? [] : [{ host, port }],
      };
    },
  };
}

function miniflareOptions(prepared) {
  return convertV4MiniflareOptions({
    rootPath: root,
    host,
    // The entry socket is Miniflare's own (dispatchFetch); callers use each worker's socket.
    port: 0,
    cf: false,
    logRequests: false,
    // DevTools (chrome://inspect): a CPU profile of any worker in the stack.
    ...(inspectorPort ? { inspectorPort } : {}),
    ...(stateDir ? { resourcePersistencePath: join(stateDir, "v3") } : {}),
    ...(registry ? { unsafeDevRegistryPath: registry } : {}),
    handleStructuredLogs: ({ level, message }) => {
      const stream = level === "error" || level === "warn" ? process.stderr : process.stdout;
      stream.write(`${message.trimEnd()}\n`);
    },
    workers: prepared.map((worker) => worker.options()),
  });
}

/** Every wrangler config in the repository, by the worker name it declares. */
function configsByName() {
  const found = new Map();
  const dirs = [
    join(root, "packages/simulator"),
    ...readdirSync(join(root, "workers")).map((d) => join(root, "workers", d)),
  ];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((f) => /^wrangler(\..+)?\.jsonc$/.test(f))) {
      const name = readJsonc(join(dir, file)).name;
      if (name) found.set(name, join(dir, file));
    }
  }
  return found;
}

/** Names of the scripts a worker binds: services and Durable Object hosts. */
const boundScripts = ({ options }) => {
  const { serviceBindings = {}, durableObjects = {} } = options();
  return [
    ...Object.values(serviceBindings).map((target) => (typeof target === "string" ? target : target?.name)),
    ...Object.values(durableObjects).map((binding) => binding?.scriptName),
  ].filter((name) => typeof name === "string");
};

/**
 * The plan's workers, and every worker they bind that the plan left out (the tenant's token broker
 * lives in invoice-lookup, the dispatcher binds each capability), without a socket of their own:
 * in one runtime a binding to a missing worker is an error, not a dangling "not connected".
 */
async function prepareAll() {
  const prepared = await Promise.all(workers.map(prepareWorker));
  const known = configsByName();
  for (;;) {
    const have = new Set(prepared.map((worker) => worker.config.name));
    const missing = [...new Set(prepared.flatMap(boundScripts))].filter(
      (name) => !have.has(name) && !(upstream && name === SIMULATOR),
    );
    const found = missing.filter((name) => known.has(name));
    if (found.length === 0) return prepared;
    for (const name of found) console.log(`[stack] also running ${name}, which the stack's workers bind`);
    prepared.push(
      ...(await Promise.all(found.map((name) => prepareWorker({ name, config: known.get(name) })))),
    );
  }
}

const started = Date.now();
if (stateDir) adoptSeparateState();
const prepared = await prepareAll();
const mf = new Miniflare(miniflareOptions(prepared));
await mf.ready;
for (const { worker, binding, entries } of seeds) {
  const name = prepared.find((candidate) => candidate.label === worker)?.config.name;
  const kv = await mf.getKVNamespace(binding, name);
  for (const { key, value } of entries)
    await kv.put(key, typeof value === "string" ? value : JSON.stringify(value));
}
console.log(`STACK-READY ${JSON.stringify({ seconds: (Date.now() - started) / 1000 })}`);

if (watch) {
  // esbuild watches each worker's inputs; once builds settle, the runtime reloads if a bundle
  // changed (a rebuild that changes nothing, such as the first one in watch mode, reloads nothing).
  const bundles = () => prepared.map((worker) => worker.options().modules[0].contents);
  let loaded = bundles();
  let timer;
  onRebuilt = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const now = bundles();
      const changed = prepared.filter((_, index) => now[index] !== loaded[index]).map((w) => w.label);
      if (changed.length === 0) return;
      loaded = now;
      try {
        await mf.setOptions(miniflareOptions(prepared));
        console.log(`[stack] reloaded after a change to ${[...new Set(changed)].join(", ")}`);
      } catch (error) {
        console.error(`[stack] reload failed: ${error.message}`);
      }
    }, 200);
  };
  await Promise.all(prepared.map((worker) => worker.rebuild?.watch()));
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => undefined);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// The parent went away without a signal (killed hard): do not outlive it.
process.stdin.on("close", stop);
process.stdin.resume();

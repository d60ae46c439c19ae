// CPU time of a local stack's runtime (one workerd process), read from Linux's scheduler
// statistics: what the runtime's threads spent on a CPU, not the wall time they waited for one
// (on a shared machine the two differ by the load).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** The workerd process of a stack (`stack.pid` leads the stack's process group). */
export function workerdPid(group) {
  const lines = execFileSync("ps", ["-eo", "pid=,pgid=,comm="], { encoding: "utf8" }).trim().split("\n");
  const found = lines
    .map((line) => line.trim().split(/\s+/))
    .find(([, pgid, comm]) => Number(pgid) === group && comm === "workerd");
  if (!found) throw new Error("no workerd process in the stack's process group");
  return Number(found[0]);
}

/** CPU time (ms) each thread of a process has run so far, by thread id (schedstat: ns on a CPU). */
export function threadCpuMs(pid) {
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(
        tid,
        Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6,
      );
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/**
 * Starts counting a process's CPU; `stop()` answers the ms all its threads ran since, and the ms
 * of its busiest thread (workerd runs JavaScript on one thread: that one).
 */
export function cpuMeter(pid) {
  const before = threadCpuMs(pid);
  const started = performance.now();
  return {
    stop() {
      const after = threadCpuMs(pid);
      let total = 0;
      let busiest = 0;
      for (const [tid, ms] of after) {
        const spent = ms - (before.get(tid) ?? 0);
        total += spent;
        busiest = Math.max(busiest, spent);
      }
      return { totalMs: total, busiestThreadMs: busiest, wallMs: performance.now() - started };
    },
  };
}

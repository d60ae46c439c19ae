// One local stack (simulator + every worker, the events API with its watcher, in one local
// runtime) for an integration's test suite: its own ports (ST_EDGE_PORT_BASE + offset) and
// throwaway local storage, so it runs beside `pnpm start` and beside the other integration's
// stack. Started once per suite.
import {
  callerKey,
  DEMO,
  EXTRA_DEV_VARS,
  portBase,
  startStack,
  WORKER_NAMES,
  writeDevVars,
} from "./local-stack.mjs";

/**
 * @example const stack = await startTestStack({ instance: "zapier-test", offset: 40 });
 *   stack.url("invoice-lookup"); await stack.setFaults([{ fault: "status=429" }]); stack.stop();
 */
export async function startTestStack({ instance, offset }) {
  const base = portBase(8786) + offset;
  // A stack left over from a killed run would answer in place of this one: refuse to share it.
  const busy = await fetch(`http://127.0.0.1:${base}/`).then(
    () => true,
    () => false,
  );
  if (busy)
    throw new Error(`port ${base} is in use: stop what runs there (a stale ${instance} stack?) first`);
  // No persistTo: the stack's storage is throwaway (idempotency records from an earlier run would
  // replay answers this fresh simulator never gave).
  const apiKey = callerKey();
  writeDevVars(apiKey);
  const lines = [];
  const stack = await startStack({
    simulatorPort: base,
    workers: WORKER_NAMES.map((name, index) => ({ name, port: base + 1 + index })),
    log: (name, line) => lines.push(`${name}: ${line}`),
  });
  // Stop the stack when this test process ends on its own terms (its watchdog covers the rest).
  process.once("exit", stack.stop);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      stack.stop();
      process.exit(1);
    });
  }
  const admin = async (method, path, body) => {
    const response = await fetch(`${stack.simulatorUrl}/__sim${path}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}`);
    return response.status === 204 ? undefined : response.json();
  };
  return {
    apiKey,
    workers: WORKER_NAMES,
    url: stack.url,
    simulatorUrl: stack.simulatorUrl,
    stop: stack.stop,
    /** The last lines the processes printed, for a failing test's message. */
    logs: () => lines.slice(-400).join("\n"),
    reset: () => admin("POST", "/reset"),
    /** Fault rules for the demo tenant (packages/simulator/README.md, "Tenant rules"). */
    setFaults: (rules) => admin("PUT", `/tenants/${DEMO.tenantId}/faults`, { rules }),
    clearFaults: () => admin("DELETE", `/tenants/${DEMO.tenantId}/faults`),
    ledger: () => admin("GET", `/tenants/${DEMO.tenantId}/ledger`),
    /** The deployment's hook signing secret (what a subscriber checks X-Signature with). */
    hookSecret: EXTRA_DEV_VARS.events.HOOK_SIGNING_SECRET,
    /** The events worker's subscriptions (`GET /hooks`), as an operator would list them. */
    hooks: async () => {
      const response = await fetch(`${stack.url("events")}/hooks`, {
        headers: { Authorization: `Bearer ${apiKey}` },
      });
      if (!response.ok) throw new Error(`GET /hooks answered ${response.status}`);
      return (await response.json()).data;
    },
  };
}

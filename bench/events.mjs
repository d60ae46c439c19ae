// Instant triggers (workers/events): event-to-delivery latency from a change to the signed POST
// arriving at a subscriber, for our own writes (the EVENTS queue: publishEvent's path, entered
// through POST /events), ServiceTitan webhooks (signed CloudEvents to the receiver) and polled
// changes (payments made in the simulator, found by the watcher's alarm); then deliveries to a
// target that fails often (5xx, hangs, dropped connections), counting lost deliveries and record
// versions that arrived under a second X-Delivery-Id. Runs the simulator and the events worker
// (API + watcher) in one local runtime on 127.0.0.1, and a receiver in this process.
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import {
  callerKey,
  DEMO,
  EXTRA_DEV_VARS,
  simulatorGet,
  simulatorToken,
  startStack,
  writeDevVars,
} from "../scripts/lib/local-stack.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
};
const summary = (values) => ({
  n: values.length,
  p50Ms: percentile(values, 50),
  p99Ms: percentile(values, 99),
  maxMs: values.length ? Math.max(...values) : null,
});

/** A subscriber's server: records every POST; `fault(path)` may answer 500, hang or drop instead. */
async function receiver(port) {
  const arrivals = [];
  let fault = () => undefined;
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const kind = fault(request.url);
      arrivals.push({
        at: Date.now(),
        path: request.url,
        deliveryId: request.headers["x-delivery-id"],
        ok: kind === undefined,
        item: JSON.parse(body),
      });
      if (kind === "drop") return request.socket.destroy();
      if (kind === "hang") return; // never answered: the worker's timeout ends it
      response.statusCode = kind === "500" ? 500 : 200;
      response.end();
    });
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    arrivals,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    setFault: (f) => {
      fault = f;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Waits until `found()` is truthy, polling every 50 ms, for at most `ms`. */
async function until(found, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = found();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(50);
  }
}

function api(base, key) {
  return async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
}

/** A simulator client: pays 0.01 on an open invoice (the payment and its invoice both change). */
async function simulator(url) {
  const token = await simulatorToken(url);
  const { data: types } = await simulatorGet(url, token, "/payment-types");
  const { data: invoices } = await simulatorGet(url, token, "/invoices?pageSize=300");
  const open = invoices.filter((i) => i.active && Number(i.balance) > 5).map((i) => i.id);
  let n = 0;
  return async () => {
    const invoiceId = open[n++ % open.length];
    const response = await fetch(`${url}/accounting/v2/tenant/${DEMO.tenantId}/payments`, {
      method: "POST",
      headers: { Authorization: token, "ST-App-Key": DEMO.appKey, "Content-Type": "application/json" },
      body: JSON.stringify({ typeId: types[0].id, amount: 0.01, splits: [{ invoiceId, amount: 0.01 }] }),
    });
    if (!response.ok) throw new Error(`simulator answered ${response.status}`);
    return { paymentId: (await response.json()).id, invoiceId };
  };
}

/** A ServiceTitan CloudEvent, signed (hex HMAC-SHA256 of the body) with the demo webhook key. */
function signedEvent(invoiceId) {
  const body = JSON.stringify({
    specversion: "1.0",
    id: randomUUID(),
    type: "tn.acc.invoice-updated",
    time: new Date().toISOString(),
    source: "https://webhooks.servicetitan.io",
    userassignedid: randomUUID(),
    datacontenttype: "application/json",
    data: { invoice: { id: invoiceId }, tenantId: DEMO.tenantId, tenantName: "Demo Plumbing & Air" },
  });
  const signature = createHmac("sha256", EXTRA_DEV_VARS.events.ST_WEBHOOK_KEY).update(body).digest("hex");
  return { body, signature };
}

async function withStack({ port, vars }, run) {
  const key = callerKey();
  writeDevVars(key, ["events"], { events: vars });
  const stack = await startStack({
    simulatorPort: port,
    // The events API with its watcher (its capability's two configs), in one runtime.
    workers: [{ name: "events", port: port + 6 }],
  });
  try {
    return await run({
      stack,
      call: api(stack.url("events"), key),
      pay: await simulator(stack.simulatorUrl),
    });
  } finally {
    stack.stop();
    writeDevVars(key, ["events"]);
    await sleep(1500);
  }
}

/**
 * @param {{ port: number, quick: boolean }} options
 * @returns the figures for bench/results/latest.json
 */
export async function benchEvents({ port, quick }) {
  const n = quick ? 8 : 40;
  const target = await receiver(port + 50);
  const results = { pollIntervalSeconds: 10 };
  try {
    // Run 1: no polling (an hour apart), so each path is measured on its own; fast retries.
    await withStack(
      {
        port,
        vars: {
          POLL_INTERVAL_SECONDS: "3600",
          HOOK_RETRY_DELAYS_SECONDS: "1,1,1,2,2,2,3,3,3,3,3,3",
          HOOK_TIMEOUT_MS: "1000",
        },
      },
      async ({ stack, call, pay }) => {
        const own = await call("POST", "/hooks", { event: "payment.created", targetUrl: target.url("/own") });
        const hook = await call("POST", "/hooks", {
          event: "invoice.updated",
          targetUrl: target.url("/webhook"),
        });
        const ownLatencies = [];
        for (let i = 0; i < n; i++) {
          const { paymentId } = await pay();
          const sent = Date.now();
          await call("POST", "/events", { event: "payment.created", recordId: paymentId });
          const arrival = await until(
            () =>
              target.arrivals.find(
                (a) => a.path === "/own" && a.item.paymentId === paymentId && a.at >= sent,
              ),
            30_000,
          );
          if (arrival) ownLatencies.push(arrival.at - sent);
        }
        results.ownWrites = summary(ownLatencies);
        const hooks = [];
        for (let i = 0; i < n; i++) {
          const { invoiceId } = await pay();
          const { body, signature } = signedEvent(invoiceId);
          const sent = Date.now();
          const response = await fetch(`${stack.url("events")}/webhooks/servicetitan`, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-ServiceTitan-Signature": signature },
            body,
          });
          if (!response.ok) throw new Error(`the receiver answered ${response.status}`);
          const arrival = await until(
            () =>
              target.arrivals.find(
                (a) => a.path === "/webhook" && a.item.invoiceId === invoiceId && a.at >= sent,
              ),
            30_000,
          );
          if (arrival) hooks.push(arrival.at - sent);
        }
        results.webhooks = summary(hooks);

        // Faults: a target that answers 500, hangs past the timeout or drops the connection 40 %
        // of the time. Every version must arrive (lost = 0), each under one X-Delivery-Id.
        const flaky = await call("POST", "/hooks", {
          event: "payment.created",
          targetUrl: target.url("/flaky"),
        });
        let draw = 7;
        const random = () => {
          draw = (draw * 48271) % 2147483647;
          return draw / 2147483647;
        };
        target.setFault((path) => {
          if (path !== "/flaky") return undefined;
          const r = random();
          return r < 0.25 ? "500" : r < 0.35 ? "hang" : r < 0.4 ? "drop" : undefined;
        });
        const versions = [];
        for (let i = 0; i < n * 2; i++) {
          const { paymentId } = await pay();
          versions.push(paymentId);
          await call("POST", "/events", { event: "payment.created", recordId: paymentId });
        }
        const flakyOk = () =>
          new Set(target.arrivals.filter((a) => a.path === "/flaky" && a.ok).map((a) => a.item.paymentId));
        await until(() => versions.every((id) => flakyOk().has(id)), quick ? 60_000 : 180_000);
        await sleep(3000); // late duplicates, if any, would arrive now
        const ids = new Map();
        for (const a of target.arrivals.filter((a) => a.path === "/flaky")) {
          const set = ids.get(a.item.id) ?? new Set();
          set.add(a.deliveryId);
          ids.set(a.item.id, set);
        }
        const delivered = flakyOk();
        const dead = await call("GET", "/dead-letters");
        results.faults = {
          versions: versions.length,
          attempts: target.arrivals.filter((a) => a.path === "/flaky").length,
          failedAnswers: target.arrivals.filter((a) => a.path === "/flaky" && !a.ok).length,
          lost: versions.filter((id) => !delivered.has(id)).length,
          secondDeliveryIds: [...ids.values()].filter((set) => set.size > 1).length,
          deadLetters: dead.data.length,
        };
        target.setFault(() => undefined);
        for (const { id } of [own, hook, flaky]) await call("DELETE", `/hooks/${id}`);
      },
    );

    // Run 2: the pnpm start settings (a poll every 10 s): payments made in ServiceTitan directly.
    await withStack({ port, vars: {} }, async ({ call, pay }) => {
      const polled = await call("POST", "/hooks", {
        event: "payment.created",
        targetUrl: target.url("/polled"),
      });
      await sleep(1000);
      const made = [];
      for (let i = 0; i < (quick ? 5 : 20); i++) {
        await sleep(Math.random() * (quick ? 1500 : 3000));
        const { paymentId } = await pay();
        made.push({ paymentId, at: Date.now() });
      }
      await until(
        () =>
          made.every((m) =>
            target.arrivals.some(
              (a) => a.path === "/polled" && a.item.paymentId === m.paymentId && a.at >= m.at,
            ),
          ),
        60_000,
      );
      results.polled = summary(
        made.flatMap((m) => {
          const arrival = target.arrivals.find(
            (a) => a.path === "/polled" && a.item.paymentId === m.paymentId && a.at >= m.at,
          );
          return arrival ? [arrival.at - m.at] : [];
        }),
      );
      await call("DELETE", `/hooks/${polled.id}`);
    });
  } finally {
    await target.close();
  }
  return results;
}

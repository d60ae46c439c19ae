// The events pipeline under chaos: subscribers failing 40 % of attempts (5xx, hangs past the
// timeout, dropped connections), the queue handing over some messages twice and losing others,
// the Durable Object resetting mid-batch, and ServiceTitan repeating and reordering its webhooks.
// Every record version must reach every subscriber (lost = 0), each under one X-Delivery-Id
// (duplicates = 0). Prints one `chaos:` line (pnpm test:chaos sums it into its closing line).
import { env } from "cloudflare:test";
import { mulberry32 } from "@st-edge/simulator";
import { afterAll, describe, expect, it } from "vitest";
import { dispatch } from "../src/dispatch.ts";
import { type WatcherStore, watchRound } from "../src/feeds.ts";
import { tenantStore } from "../src/settings.ts";
import {
  call,
  consume,
  payInvoice,
  publish,
  type Received,
  type Sent,
  setup,
  subscribe,
  WEBHOOK_KEY,
} from "./support.ts";

// CHAOS_EVENTS sets the size (CI runs the default, seeded; `pnpm test:chaos --full` runs 200).
const PAYMENTS = Number((env as { CHAOS_EVENTS?: string }).CHAOS_EVENTS || 40);
const hooks = ["https://hooks.example.com/a", "https://hooks.example.com/b", "https://other.example.com/c"];

describe("events under chaos", () => {
  const figures = {
    versions: 0,
    deliveries: 0,
    attempts: 0,
    /** Queue messages played (both queues): the pipeline's own work, per delivery. */
    messages: 0,
    lost: 0,
    duplicates: 0,
    faults: {} as Record<string, number>,
  };
  const fault = (kind: string) => {
    figures.faults[kind] = (figures.faults[kind] ?? 0) + 1;
  };

  it("delivers every version to every subscriber, once per X-Delivery-Id, whatever fails", async () => {
    const s = await setup({
      HOOK_RETRY_DELAYS_SECONDS: "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
      HOOK_TIMEOUT_MS: "150",
    });
    const draw = mulberry32(20261201);
    for (const hook of hooks) await subscribe(s.env, "payment.created", hook);
    await subscribe(s.env, "invoice.updated", hooks[0] ?? "");
    const succeeded: Received[] = [];
    s.targets.answer = (request, received) => {
      const r = draw();
      if (r < 0.25) {
        fault("target-5xx");
        return new Response("down", { status: 503 });
      }
      if (r < 0.35) {
        fault("target-hang");
        return new Promise<Response>((_, reject) =>
          request.signal.addEventListener("abort", () => reject(request.signal.reason)),
        );
      }
      if (r < 0.4) {
        fault("target-reset");
        return Promise.reject(new TypeError("Network connection lost"));
      }
      succeeded.push(received);
      return new Response("ok");
    };
    s.sim.configureWebhooks({
      url: "https://events.test/webhooks/servicetitan",
      key: WEBHOOK_KEY,
      faults: { repeat: 0.3, reorder: true },
      fetch: (request) =>
        call(s.env, request.url, { method: "POST", headers: request.headers, body: request.body, key: null }),
    });

    // The Durable Object resets while a batch is being recorded, now and then.
    const real = tenantStore(s.env);
    const flaky: WatcherStore = {
      feedState: (feed) => real.feedState(feed),
      feedFailed: (input) => real.feedFailed(input),
      ingest: async (input) => {
        if (draw() < 0.2) {
          fault("store-reset");
          throw new Error("Durable Object reset because its code was updated.");
        }
        return real.ingest(input);
      },
    };

    /**
     * The queues: some messages handed over twice, some lost (the sweeper finds those). Every
     * message is played at once, as due: retries here wait 0 s, and a delivery held back for its
     * target's cap waits in the Durable Object, not in the queue.
     */
    const play = async (queue: string, messages: Sent[]) => {
      const handed: Sent[] = [];
      for (const message of messages) {
        const r = draw();
        if (queue === "st-deliveries" && r < 0.05) {
          fault("message-lost");
          continue;
        }
        handed.push(message);
        if (r > 0.9) {
          fault("message-twice");
          handed.push(message);
        }
      }
      figures.messages += handed.length;
      return handed.length ? consume(s.env, queue, handed) : [];
    };

    for (let n = 0; n < PAYMENTS; n++) {
      const { paymentId } = await payInvoice(s);
      if (draw() < 0.5) await publish(s.env, "payment.created", paymentId);
      if (n % 5 === 4) {
        await s.sim.deliverWebhooks();
        await watchRound({
          env: s.env,
          store: flaky,
          feeds: ["payments", "invoices"],
          now: Date.now() + n * 3_600_000,
        });
      }
    }
    await s.sim.deliverWebhooks();
    // Rounds until everything is settled: queues played out, feeds caught up, lost messages swept.
    for (let round = 0; round < 200; round++) {
      await watchRound({
        env: s.env,
        store: real,
        feeds: ["payments", "invoices"],
        now: Date.now() + 10 ** 12,
      });
      for (let inner = 0; inner < 50; inner++) {
        const events = s.events.take();
        const deliveries = s.deliveries.take();
        if (events.length === 0 && deliveries.length === 0) break;
        s.events.sent.push(...(await play("st-events", events)));
        s.deliveries.sent.push(...(await play("st-deliveries", deliveries)));
      }
      const swept = await real.sweep({ graceMs: 0 });
      const status = await (await call(s.env, "/watcher")).json<{ deliveries: Record<string, number> }>();
      const { pending = 0, held = 0, inflight = 0 } = status.deliveries;
      const open = pending + held + inflight;
      if (swept.length === 0 && open === 0) break;
      // A delivery made pending this very millisecond is not past due yet: give it a moment.
      if (swept.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
      await dispatch(s.env.DELIVERIES, `simulator:${s.tenant.tenantId}`, swept);
    }

    const payments = s.sim.ledger(s.tenant.tenantId).payments.filter((p) => p.origin === "api");
    /** Per subscriber: the X-Delivery-Ids each record version arrived under. */
    const idsOf = (attempts: readonly Received[]) => {
      const byHook = new Map<string, Map<string, Set<string>>>();
      for (const r of attempts) {
        const versions = byHook.get(r.url) ?? new Map<string, Set<string>>();
        const id = JSON.parse(r.body).id as string;
        versions.set(id, (versions.get(id) ?? new Set<string>()).add(r.headers.get("X-Delivery-Id") ?? ""));
        byHook.set(r.url, versions);
      }
      return byHook;
    };
    const delivered = idsOf(succeeded);
    const attempted = idsOf(s.targets.received);
    const status = await (await call(s.env, "/watcher")).json<{ deliveries: Record<string, number> }>();
    figures.versions = payments.length;
    figures.deliveries = status.deliveries.delivered ?? 0;
    figures.attempts = s.targets.received.length;
    for (const hook of hooks) {
      const arrived = new Set([...(delivered.get(hook)?.keys() ?? [])].map((id) => Number(id.split("-")[0])));
      figures.lost += payments.filter((p) => !arrived.has(p.id)).length;
      figures.duplicates += [...(attempted.get(hook)?.values() ?? [])].filter((ids) => ids.size > 1).length;
    }
    expect(figures.lost).toBe(0);
    expect(figures.duplicates).toBe(0);
    expect(status.deliveries.dead ?? 0).toBe(0);
  }, 240_000);

  afterAll(() => {
    const { faults, ...rest } = figures;
    console.log(
      `chaos: events ${Object.entries(rest)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")} faults=${JSON.stringify(faults)}`,
    );
  });
});

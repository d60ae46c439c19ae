// Deliveries: signed POSTs of the poll item, retried with growing delays on 5xx, timeouts and
// network errors under one X-Delivery-Id, dead-lettered after the last try (listed, replayable),
// 410 Gone unsubscribing, redirects checked hop by hop, and a cap on requests in flight per target.
import { expectProblem } from "@st-edge/edge/testing";
import type { DetailedPayment } from "@st-edge/servicetitan";
import { toPollItem } from "@st-edge/views/payment";
import { describe, expect, it } from "vitest";
import { dispatch } from "../src/dispatch.ts";
import { tenantStore } from "../src/settings.ts";
import {
  call,
  consume,
  drain,
  hmacHex,
  newPayment,
  readTenant,
  SIGNING_SECRET,
  setup,
  subscribe,
} from "./support.ts";

const target = "https://hooks.example.com/catch/a";
const hang = (request: Request) =>
  new Promise<Response>((_, reject) => {
    request.signal.addEventListener("abort", () => reject(request.signal.reason));
  });

describe("a delivery", () => {
  it("POSTs /payments/poll's item for the version, signed with the hook secret", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    const paymentId = await newPayment(s);
    await drain(s);
    const [received, ...more] = s.targets.to(target);
    expect(more).toHaveLength(0);
    if (!received) throw new Error("nothing delivered");
    const { data } = await readTenant<{ data: DetailedPayment[] }>(
      s,
      `/payments?ids=${paymentId}&activeState=All`,
    );
    const [payment] = data;
    if (!payment) throw new Error("no payment");
    expect(JSON.parse(received.body)).toEqual(JSON.parse(JSON.stringify(toPollItem(payment))));
    expect(received.headers.get("Content-Type")).toBe("application/json");
    expect(received.headers.get("X-Event")).toBe("payment.created");
    expect(received.headers.get("X-Delivery-Id")).toMatch(/^dl_[0-9a-f]{32}$/);
    // What a receiver does: recompute v1 over "<t>.<raw body>" and check t is recent.
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(received.headers.get("X-Signature") ?? "");
    expect(match).not.toBeNull();
    const [, t = "", v1] = match ?? [];
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(60);
    expect(v1).toBe(await hmacHex(SIGNING_SECRET, `${t}.${received.body}`));
  });

  it("posts once when the queue hands over the same message twice", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    await newPayment(s);
    await consume(s.env, "st-events", s.events.take());
    const [message] = s.deliveries.take();
    if (!message) throw new Error("no delivery message");
    await consume(s.env, "st-deliveries", [message, message]);
    await consume(s.env, "st-deliveries", [message]);
    expect(s.targets.to(target)).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries 5xx, a timeout and a network error with growing delays, under one X-Delivery-Id", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    const answers = [
      () => new Response("busy", { status: 503 }),
      hang,
      () => Promise.reject(new TypeError("Network connection lost")),
      () => new Response("ok"),
    ];
    s.targets.answer = (request, received) => {
      const n = s.targets.to(received.url).length - 1;
      return (answers[n] ?? answers[3])?.(request) ?? new Response("ok");
    };
    await newPayment(s);
    const delays: number[] = [];
    await consume(s.env, "st-events", s.events.take());
    for (let round = 0; round < 6; round++) {
      const messages = s.deliveries.take();
      if (messages.length === 0) break;
      delays.push(...messages.map((m) => m.delaySeconds));
      await consume(s.env, "st-deliveries", messages);
    }
    const received = s.targets.to(target);
    expect(received).toHaveLength(4);
    expect(new Set(received.map((r) => r.headers.get("X-Delivery-Id"))).size).toBe(1);
    // First attempt at once, then the configured steps (1, 2, 4 s here), growing.
    expect(delays).toEqual([0, 1, 2, 4]);
    const status = await (await call(s.env, "/watcher")).json<{ deliveries: Record<string, number> }>();
    expect(status.deliveries).toEqual({ delivered: 1 });
  });

  it("honours a longer Retry-After from the target", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    s.targets.answer = () => new Response("slow down", { status: 429, headers: { "Retry-After": "120" } });
    await newPayment(s);
    await consume(s.env, "st-events", s.events.take());
    await consume(s.env, "st-deliveries", s.deliveries.take());
    expect(s.deliveries.take().map((m) => m.delaySeconds)).toEqual([120]);
  });

  it("dead-letters after the last try; an operator lists it and replays it with the same id", async () => {
    const s = await setup();
    const hook = await subscribe(s.env, "payment.created", target);
    s.targets.answer = () => new Response("down", { status: 500 });
    await newPayment(s);
    await drain(s);
    const attempts = s.targets.to(target);
    expect(attempts).toHaveLength(4);
    const { data } = await (await call(s.env, "/dead-letters")).json<{ data: Record<string, unknown>[] }>();
    expect(data).toEqual([
      expect.objectContaining({
        kind: "delivery",
        id: attempts[0]?.headers.get("X-Delivery-Id"),
        event: "payment.created",
        hookId: hook.id,
        targetUrl: target,
        attempts: 4,
        lastStatus: 500,
      }),
    ]);
    s.targets.answer = () => new Response(null, { status: 204 });
    const replay = await call(s.env, `/dead-letters/${data[0]?.id}/replay`, { method: "POST" });
    expect(replay.status).toBe(202);
    await drain(s);
    const all = s.targets.to(target);
    expect(all).toHaveLength(5);
    expect(all[4]?.headers.get("X-Delivery-Id")).toBe(attempts[0]?.headers.get("X-Delivery-Id"));
    expect(await (await call(s.env, "/dead-letters")).json()).toEqual({ data: [] });
    await expectProblem(
      await call(s.env, `/dead-letters/${data[0]?.id}/replay`, { method: "POST" }),
      404,
      "dead-letter-not-found",
    );
  });

  it("dead-letters at once on a 4xx other than 408, 425, 429 and 410", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    s.targets.answer = () => new Response("no such hook", { status: 404 });
    await newPayment(s);
    await drain(s);
    expect(s.targets.to(target)).toHaveLength(1);
    const { data } = await (await call(s.env, "/dead-letters")).json<{ data: { lastStatus: number }[] }>();
    expect(data.map((d) => d.lastStatus)).toEqual([404]);
  });

  it("sends a delivery whose message was lost again (the sweeper), once", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    await newPayment(s);
    await consume(s.env, "st-events", s.events.take());
    expect(s.deliveries.take()).toHaveLength(1); // the message is lost: never consumed
    const refs = await tenantStore(s.env).sweep({ graceMs: 0 });
    expect(refs).toHaveLength(1);
    await consume(
      s.env,
      "st-deliveries",
      refs.map((ref) => ({
        body: { v: 1, tenant: `simulator:${s.tenant.tenantId}`, ...ref },
        delaySeconds: 0,
      })),
    );
    expect(s.targets.to(target)).toHaveLength(1);
    expect(await tenantStore(s.env).sweep({ graceMs: 0 })).toEqual([]);
  });
});

describe("410 Gone", () => {
  it("unsubscribes the hook: no further deliveries", async () => {
    const s = await setup();
    const hook = await subscribe(s.env, "payment.created", target);
    await subscribe(s.env, "payment.created", "https://other.example.com/keep");
    s.targets.answer = (_, received) => new Response(null, { status: received.url === target ? 410 : 200 });
    await newPayment(s);
    await drain(s);
    const { data } = await (await call(s.env, "/hooks")).json<{
      data: { id: string; targetUrl: string }[];
    }>();
    expect(data.map((h) => h.targetUrl)).toEqual(["https://other.example.com/keep"]);
    expect(data.some((h) => h.id === hook.id)).toBe(false);
    await newPayment(s);
    await drain(s);
    expect(s.targets.to(target)).toHaveLength(1);
    expect(s.targets.to("https://other.example.com/keep")).toHaveLength(2);
    expect(await (await call(s.env, "/dead-letters")).json()).toEqual({ data: [] });
  });
});

describe("redirects", () => {
  it("follows a redirect to another public https URL, re-checking it", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    s.targets.answer = (_, received) =>
      received.url === target
        ? new Response(null, { status: 308, headers: { Location: "https://other.example.com/moved" } })
        : new Response("ok");
    await newPayment(s);
    await drain(s);
    expect(s.targets.to("https://other.example.com/moved")).toHaveLength(1);
  });

  it.each([
    ["the metadata address", "http://169.254.169.254/latest/meta-data/"],
    ["loopback over https", "https://127.0.0.1/"],
    ["a downgrade to http", "http://other.example.com/plain"],
    ["a name resolving to a private address", "https://internal.example.net/x"],
  ])("refuses a redirect to %s and dead-letters the delivery", async (_, location) => {
    const s = await setup();
    s.targets.dns.set("internal.example.net", ["192.168.1.5"]);
    await subscribe(s.env, "payment.created", target);
    s.targets.answer = () => new Response(null, { status: 302, headers: { Location: location } });
    await newPayment(s);
    await drain(s);
    expect(s.targets.received.map((r) => r.url)).toEqual([target]);
    const { data } = await (await call(s.env, "/dead-letters")).json<{ data: { reason: string }[] }>();
    expect(data).toHaveLength(1);
  });
});

describe("per-target concurrency", () => {
  it("keeps at most HOOK_TARGET_CONCURRENCY requests in flight to one target, and delivers all", async () => {
    const s = await setup({ HOOK_TARGET_CONCURRENCY: "2" });
    for (let n = 0; n < 5; n++) await subscribe(s.env, "payment.created", `${target}/${n}`);
    let inFlight = 0;
    let most = 0;
    s.targets.answer = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight--;
      return new Response("ok");
    };
    await newPayment(s);
    await drain(s, { rounds: 60 });
    expect(s.targets.received).toHaveLength(5);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  });

  it("holds deliveries over the cap in the Durable Object until a slot frees: one message each, plus its release", async () => {
    const cap = 2;
    const s = await setup({ HOOK_TARGET_CONCURRENCY: String(cap) });
    const hooks = 8;
    for (let n = 0; n < hooks; n++) await subscribe(s.env, "payment.created", `${target}/${n}`);
    s.targets.answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return new Response("ok");
    };
    await newPayment(s);
    await drain(s, { rounds: 60 });
    expect(s.targets.received).toHaveLength(hooks);
    // The first message of each, and one release per delivery held back (re-queuing a held-back
    // message until its turn costs a message per wait, and grows with the backlog).
    expect(s.deliveries.count).toBeLessThanOrEqual(2 * hooks - cap);
  });

  it("sends a held delivery whose release message was lost (the sweeper), once", async () => {
    const s = await setup({ HOOK_TARGET_CONCURRENCY: "1" });
    for (let n = 0; n < 2; n++) await subscribe(s.env, "payment.created", `${target}/${n}`);
    await newPayment(s);
    await consume(s.env, "st-events", s.events.take());
    // Both messages in one batch: one posts, the other is held back; the release is lost.
    await consume(s.env, "st-deliveries", s.deliveries.take());
    s.deliveries.take();
    expect(s.targets.received).toHaveLength(1);
    const refs = await tenantStore(s.env).sweep({ graceMs: 0 });
    expect(refs).toHaveLength(1);
    await dispatch(s.env.DELIVERIES, `simulator:${s.tenant.tenantId}`, refs);
    await drain(s);
    expect(new Set(s.targets.received.map((r) => r.url)).size).toBe(2);
    expect(s.targets.received).toHaveLength(2);
  });
});

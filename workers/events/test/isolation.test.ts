// Tenant isolation on shared bindings: two deployments (two tenants) with one Durable Object
// namespace, one KV namespace and the same queues. Subscriptions, cursors, versions, received
// ServiceTitan event ids and deliveries are each tenant's own.
import { describe, expect, it } from "vitest";
import { watchRound } from "../src/feeds.ts";
import { tenantStore } from "../src/settings.ts";
import {
  call,
  cloudEvent,
  consume,
  drain,
  payInvoice,
  publish,
  sendWebhook,
  setupPair,
  subscribe,
} from "./support.ts";

describe("tenant isolation", () => {
  it("keeps subscriptions apart: another tenant's hook is neither listed nor removable", async () => {
    const [a, b] = await setupPair();
    const hook = await subscribe(a.env, "payment.created", "https://hooks.example.com/a");
    expect(await (await call(b.env, "/hooks")).json()).toEqual({ data: [] });
    expect((await call(b.env, `/hooks/${hook.id}`, { method: "DELETE" })).status).toBe(404);
    expect(await (await call(a.env, "/hooks")).json()).toMatchObject({ data: [{ id: hook.id }] });
  });

  it("delivers each tenant's changes to its own subscribers only", async () => {
    const [a, b] = await setupPair();
    await subscribe(a.env, "payment.created", "https://hooks.example.com/a");
    await subscribe(b.env, "payment.created", "https://hooks.example.com/b");
    const paid = await payInvoice(a);
    await watchRound({ env: a.env, store: tenantStore(a.env), feeds: ["payments"] });
    await watchRound({ env: b.env, store: tenantStore(b.env), feeds: ["payments"] });
    await drain(a);
    expect(a.targets.to("https://hooks.example.com/a").map((r) => JSON.parse(r.body).paymentId)).toEqual([
      paid.paymentId,
    ]);
    expect(a.targets.to("https://hooks.example.com/b")).toHaveLength(0);
  });

  it("keeps cursors and versions apart", async () => {
    const [a, b] = await setupPair();
    await subscribe(a.env, "payment.created", "https://hooks.example.com/a");
    await subscribe(b.env, "payment.created", "https://hooks.example.com/b");
    await watchRound({ env: a.env, store: tenantStore(a.env), feeds: ["payments"] });
    const status = (s: typeof a) => call(s.env, "/watcher").then((r) => r.json<{ feeds: unknown[] }>());
    expect((await status(a)).feeds).toHaveLength(1);
    expect((await status(b)).feeds).toHaveLength(0);
    // A version one tenant has seen is still news to the other (its own record of the same id).
    const paid = await payInvoice(b);
    await publish(b.env, "payment.created", paid.paymentId);
    await drain(b);
    expect(b.targets.to("https://hooks.example.com/b")).toHaveLength(1);
  });

  it("de-duplicates ServiceTitan events per tenant: one userassignedid is fresh for each", async () => {
    const [a, b] = await setupPair();
    const uid = "shared-occurrence-1";
    expect(await (await sendWebhook(a, cloudEvent(a, 1, { userassignedid: uid }))).json()).toMatchObject({
      duplicate: false,
    });
    expect(await (await sendWebhook(b, cloudEvent(b, 1, { userassignedid: uid }))).json()).toMatchObject({
      duplicate: false,
    });
    expect(await (await sendWebhook(a, cloudEvent(a, 1, { userassignedid: uid }))).json()).toMatchObject({
      duplicate: true,
    });
  });

  it("never acts on another tenant's queue messages with its own credentials", async () => {
    const [a, b] = await setupPair();
    await subscribe(a.env, "payment.created", "https://hooks.example.com/a");
    const paid = await payInvoice(a);
    await publish(a.env, "payment.created", paid.paymentId);
    // Tenant B's consumer is handed A's change, then A's delivery: both are dropped.
    await consume(b.env, "st-events", a.events.take());
    expect(a.deliveries.sent).toHaveLength(0);
    await publish(a.env, "payment.created", paid.paymentId);
    await consume(a.env, "st-events", a.events.take());
    await consume(b.env, "st-deliveries", a.deliveries.take());
    expect(a.targets.received).toHaveLength(0);
    const sentToB = await (await call(b.env, "/watcher")).json<{ deliveries: Record<string, number> }>();
    expect(sentToB.deliveries).toEqual({});
  });
});

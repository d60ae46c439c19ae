// REST hook subscriptions: Zapier's subscribe / unsubscribe shape, and which targets are refused.
import { expectProblem } from "@st-edge/edge/testing";
import { describe, expect, it } from "vitest";
import { call, setup, subscribe } from "./support.ts";

const post = (s: Awaited<ReturnType<typeof setup>>, body: unknown) =>
  call(s.env, "/hooks", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("subscriptions", () => {
  it("subscribes (201), lists, unsubscribes (204), in Zapier's REST hook shape", async () => {
    const s = await setup();
    const created = await post(s, { event: "payment.created", targetUrl: "https://hooks.example.com/z/1" });
    expect(created.status).toBe(201);
    const hook = await created.json<{ id: string; event: string; targetUrl: string; createdAt: string }>();
    expect(hook).toEqual({
      id: expect.stringMatching(/^hk_[0-9a-f]{20}$/),
      event: "payment.created",
      targetUrl: "https://hooks.example.com/z/1",
      createdAt: expect.any(String),
    });
    expect(Date.parse(hook.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await (await call(s.env, "/hooks")).json()).toEqual({ data: [hook] });
    expect((await call(s.env, `/hooks/${hook.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await (await call(s.env, "/hooks")).json()).toEqual({ data: [] });
    await expectProblem(await call(s.env, `/hooks/${hook.id}`, { method: "DELETE" }), 404, "hook-not-found");
  });

  it("answers the existing subscription for the same event and URL (200), a new one otherwise", async () => {
    const s = await setup();
    const first = await subscribe(s.env, "invoice.updated", "https://hooks.example.com/z/2");
    const again = await post(s, { event: "invoice.updated", targetUrl: "https://hooks.example.com/z/2" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: first.id });
    const other = await subscribe(s.env, "invoice.exported", "https://hooks.example.com/z/2");
    expect(other.id).not.toBe(first.id);
  });

  it("arms the tenant's watcher with the first subscription", async () => {
    const s = await setup();
    const before = await (await call(s.env, "/watcher")).json<{
      alarmAt: string | null;
      baselineAt: string | null;
    }>();
    expect(before).toMatchObject({ alarmAt: null, baselineAt: null });
    await subscribe(s.env, "bill.created", "https://hooks.example.com/z/3");
    const after = await (await call(s.env, "/watcher")).json<{
      alarmAt: string | null;
      baselineAt: string | null;
    }>();
    expect(after.alarmAt).not.toBeNull();
    expect(after.baselineAt).not.toBeNull();
  });

  it.each([
    [{ event: "payment.deleted", targetUrl: "https://hooks.example.com/z" }, "event"],
    [{ event: "payment.created" }, "targetUrl"],
    [{ event: "payment.created", targetUrl: "https://hooks.example.com/z", secret: "x" }, ""],
    [{ event: "payment.created", targetUrl: `https://hooks.example.com/${"x".repeat(2100)}` }, "targetUrl"],
  ])("refuses %j with a field error", async (body, field) => {
    const s = await setup();
    const problem = await expectProblem(await post(s, body), 400, "validation-failed");
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: "body", field })]));
  });
});

describe("target refusal", () => {
  it.each([
    ["http when deployed", "http://hooks.example.com/z"],
    ["loopback", "https://127.0.0.1/z"],
    ["loopback in decimal", "https://2130706433/z"],
    ["IPv4-mapped IPv6 loopback", "https://[::ffff:127.0.0.1]/z"],
    ["IPv6 loopback", "https://[::1]/z"],
    ["a private address", "https://10.0.0.8/z"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data/"],
    ["a metadata name", "https://metadata.google.internal/"],
    ["localhost", "https://localhost:8443/z"],
  ])("refuses %s (422 hook-target-refused)", async (_, targetUrl) => {
    const s = await setup();
    const problem = await expectProblem(
      await post(s, { event: "payment.created", targetUrl }),
      422,
      "hook-target-refused",
    );
    expect(problem.errors).toEqual([expect.objectContaining({ in: "body", field: "targetUrl" })]);
    expect(await (await call(s.env, "/hooks")).json()).toEqual({ data: [] });
  });

  it("refuses a name whose DNS answers hold a private address, and one that does not resolve", async () => {
    const s = await setup();
    s.targets.dns.set("rebind.example.net", ["93.184.216.34", "10.0.0.1"]);
    await expectProblem(
      await post(s, { event: "payment.created", targetUrl: "https://rebind.example.net/z" }),
      422,
      "hook-target-refused",
    );
    await expectProblem(
      await post(s, { event: "payment.created", targetUrl: "https://nowhere.example.net/z" }),
      422,
      "hook-target-refused",
    );
  });

  it("allows loopback http only in local mode, and still refuses private addresses there", async () => {
    const s = await setup({ HOOK_TARGET_POLICY: "local", HOOK_DNS_RESOLVER: "off" });
    expect(
      (await post(s, { event: "payment.created", targetUrl: "http://127.0.0.1:9400/hook" })).status,
    ).toBe(201);
    expect(
      (await post(s, { event: "payment.created", targetUrl: "http://localhost:9400/hook" })).status,
    ).toBe(201);
    await expectProblem(
      await post(s, { event: "payment.created", targetUrl: "http://192.168.1.20/hook" }),
      422,
      "hook-target-refused",
    );
  });
});

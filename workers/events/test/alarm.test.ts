// The watcher's schedule, with the worker's own bindings (vitest.config.ts gives them a
// simulator in the test runner's process): the Cron Trigger arms the alarm; the alarm polls the
// feeds, records the deliveries, and arms the next round; an object whose tenant is not the
// bindings' is never polled.
import { createScheduledController, env, runDurableObjectAlarm } from "cloudflare:test";
import { DEMO_APP_KEY, DEMO_TENANTS } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { type EventsBindings, tenantStore } from "../src/settings.ts";
import watcher from "../src/watcher.ts";

const bindings = env as typeof env & EventsBindings;
const [demo] = DEMO_TENANTS;

/** A payment made straight in the simulator the bindings point at, as another integration would. */
async function paymentInServiceTitan(): Promise<number> {
  const upstream = bindings.SERVICETITAN;
  if (!upstream || !demo) throw new Error("no simulator binding");
  const token = await upstream.fetch("https://servicetitan.simulator/connect/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: demo.clientId,
      client_secret: demo.clientSecret,
    }),
  });
  const { access_token } = await token.json<{ access_token: string }>();
  const headers = {
    Authorization: access_token,
    "ST-App-Key": DEMO_APP_KEY,
    "Content-Type": "application/json",
  };
  const base = `https://servicetitan.simulator/accounting/v2/tenant/${demo.tenantId}`;
  const types = await (await upstream.fetch(`${base}/payment-types`, { headers })).json<{
    data: { id: number }[];
  }>();
  const invoices = await (await upstream.fetch(`${base}/invoices?pageSize=100`, { headers })).json<{
    data: { id: number; active: boolean; balance: string | null }[];
  }>();
  const invoice = invoices.data.find((i) => i.active && Number(i.balance) >= 5);
  const created = await upstream.fetch(`${base}/payments`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      typeId: types.data[0]?.id,
      amount: 1,
      splits: [{ invoiceId: invoice?.id, amount: 1 }],
    }),
  });
  if (!created.ok) throw new Error(`simulator answered ${created.status}`);
  return (await created.json<{ id: number }>()).id;
}

describe("the watcher's alarm", () => {
  it("is armed by the Cron Trigger when it is not", async () => {
    const stub = tenantStore(bindings);
    expect((await stub.status()).alarmAt).toBeNull();
    await watcher.scheduled(createScheduledController({ cron: "*/5 * * * *" }), bindings);
    const alarmAt = Date.parse((await stub.status()).alarmAt ?? "");
    expect(alarmAt).toBeGreaterThan(Date.now() + 3_500_000);
  });

  it("polls the feeds when it fires, records the deliveries, and arms the next round", async () => {
    const stub = tenantStore(bindings);
    await stub.addHook({ event: "payment.created", targetUrl: "http://127.0.0.1:9/receiver" });
    await paymentInServiceTitan();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await stub.status();
    expect(status.feeds.map((feed) => [feed.name, feed.cursor, feed.error])).toEqual([
      ["ap-bills", true, null],
      ["invoices", true, null],
      ["payments", true, null],
    ]);
    expect(status.deliveries).toEqual({ pending: 1 });
    expect(Date.parse(status.alarmAt ?? "")).toBeGreaterThan(Date.now() + 3_500_000);
    // The next round finds nothing new.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.status()).deliveries).toEqual({ pending: 1 });
  });

  it("is brought forward when the interval was shortened (a far-off alarm would starve the watcher)", async () => {
    const stub = bindings.TENANT_EVENTS.get(bindings.TENANT_EVENTS.idFromName("simulator:777"));
    await stub.ensureWatching({ tenant: "simulator:777", intervalSeconds: 3600 });
    await stub.ensureWatching({ tenant: "simulator:777", intervalSeconds: 10 });
    expect(Date.parse((await stub.status()).alarmAt ?? "")).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it("never polls for an object whose tenant is not the bindings'", async () => {
    const stub = bindings.TENANT_EVENTS.get(bindings.TENANT_EVENTS.idFromName("simulator:999"));
    await stub.ensureWatching({ tenant: "simulator:999", intervalSeconds: 60 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await stub.status();
    expect(status.feeds).toEqual([]);
    expect(status.alarmAt).toBeNull();
  });
});

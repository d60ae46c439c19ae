// ServiceTitan's webhooks: signature (good, bad, missing, stale), duplicates by userassignedid,
// and the path from a received CloudEvent to a delivery of the invoice's poll item; then the
// simulator's own webhooks (with its faults) end to end.
import { expectProblem } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { toPollItem } from "@st-edge/views/invoice";
import { describe, expect, it } from "vitest";
import { watchRound } from "../src/feeds.ts";
import { tenantStore } from "../src/settings.ts";
import {
  call,
  cloudEvent,
  drain,
  hmacHex,
  payInvoice,
  readTenant,
  sendWebhook,
  setup,
  subscribe,
  WEBHOOK_KEY,
} from "./support.ts";

const target = "https://hooks.example.com/catch/1";

async function readInvoice(s: Awaited<ReturnType<typeof setup>>, id: number): Promise<Invoice> {
  const { data } = await readTenant<{ data: Invoice[] }>(s, `/invoices?ids=${id}&activeState=All`);
  const [invoice] = data;
  if (!invoice) throw new Error(`no invoice ${id}`);
  return invoice;
}

describe("ServiceTitan webhook signature", () => {
  it("accepts a correctly signed event and queues it once", async () => {
    const s = await setup();
    const response = await sendWebhook(s, cloudEvent(s, 1));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: true, duplicate: false });
    expect(s.events.sent).toHaveLength(1);
    expect(s.events.sent[0]?.body).toMatchObject({
      kind: "servicetitan-webhook",
      invoiceId: 1,
      tenantId: s.tenant.tenantId,
    });
  });

  it("accepts the signature as base64 and with a sha256= prefix", async () => {
    const s = await setup();
    for (const form of ["base64", "prefixed"] as const) {
      const event = cloudEvent(s, 1);
      const body = JSON.stringify(event);
      const hex = await hmacHex(WEBHOOK_KEY, body);
      const bytes = Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
      const signature = form === "base64" ? btoa(String.fromCharCode(...bytes)) : `sha256=${hex}`;
      expect((await sendWebhook(s, event, { signature })).status).toBe(200);
    }
    expect(s.events.sent).toHaveLength(2);
  });

  it.each([
    ["unsigned", { signature: null }, "webhook-signature-missing"],
    [
      "signed with another key",
      { key: "another-key-another-key-another-key-0000" },
      "webhook-signature-invalid",
    ],
    ["a signature of another body", { signature: "0".repeat(64) }, "webhook-signature-invalid"],
    ["not a signature", { signature: "hello" }, "webhook-signature-invalid"],
  ])("refuses an event %s, before reading it", async (_, options, type) => {
    const s = await setup();
    const response = await sendWebhook(s, cloudEvent(s, 1), options);
    await expectProblem(response, 401, type);
    expect(s.events.sent).toHaveLength(0);
  });

  it("refuses a signed event whose body was changed after signing", async () => {
    const s = await setup();
    const event = cloudEvent(s, 1);
    const signature = await hmacHex(WEBHOOK_KEY, JSON.stringify(event));
    const tampered = { ...event, data: { ...event.data, invoice: { ...event.data.invoice, id: 2 } } };
    await expectProblem(await sendWebhook(s, tampered, { signature }), 401, "webhook-signature-invalid");
  });

  it.each([
    ["older than the limit", -901],
    ["from the future", 400],
  ])("refuses a signed event %s (stale)", async (_, offsetSeconds) => {
    const s = await setup();
    const time = new Date(Date.now() + offsetSeconds * 1000).toISOString();
    await expectProblem(await sendWebhook(s, cloudEvent(s, 1, { time })), 401, "webhook-stale");
    expect(s.events.sent).toHaveLength(0);
  });

  it("takes the header name and the age limit from settings (UNCONFIRMED upstream)", async () => {
    const s = await setup({ ST_WEBHOOK_SIGNATURE_HEADER: "X-Hmac", ST_WEBHOOK_MAX_AGE_SECONDS: "3600" });
    const event = cloudEvent(s, 1, { time: new Date(Date.now() - 1800_000).toISOString() });
    await expectProblem(await sendWebhook(s, event), 401, "webhook-signature-missing");
    const body = JSON.stringify(event);
    const response = await call(s.env, "/webhooks/servicetitan", {
      method: "POST",
      key: null,
      headers: { "Content-Type": "application/json", "X-Hmac": await hmacHex(WEBHOOK_KEY, body) },
      body,
    });
    expect(response.status).toBe(200);
  });
});

describe("ServiceTitan webhook duplicates", () => {
  it("queues an occurrence once: the same userassignedid with a new id is a duplicate", async () => {
    const s = await setup();
    const first = cloudEvent(s, 7, { id: "delivery-1", userassignedid: "occurrence-42" });
    const again = { ...first, id: "delivery-2" };
    expect(await (await sendWebhook(s, first)).json()).toEqual({ accepted: true, duplicate: false });
    expect(await (await sendWebhook(s, again)).json()).toEqual({ accepted: true, duplicate: true });
    expect(await (await sendWebhook(s, first)).json()).toEqual({ accepted: true, duplicate: true });
    expect(s.events.sent).toHaveLength(1);
    // Another occurrence of the same invoice is not a duplicate.
    expect(await (await sendWebhook(s, cloudEvent(s, 7))).json()).toEqual({
      accepted: true,
      duplicate: false,
    });
  });

  it("answers 503 when queuing fails, and takes the retry as fresh", async () => {
    const s = await setup();
    const event = cloudEvent(s, 7);
    s.events.failures = 1;
    await expectProblem(await sendWebhook(s, event), 503, "events-queue-unavailable");
    expect(await (await sendWebhook(s, event)).json()).toEqual({ accepted: true, duplicate: false });
    expect(s.events.sent).toHaveLength(1);
  });

  it("ignores (200) another tenant's events and invoice task events", async () => {
    const s = await setup();
    const other = await sendWebhook(s, cloudEvent(s, 7, { tenantId: 999 }));
    expect(await other.json()).toMatchObject({ accepted: false });
    const task = await sendWebhook(s, cloudEvent(s, 7, { type: "tn.acc.invoice-task-created" }));
    expect(await task.json()).toMatchObject({ accepted: false });
    expect(s.events.sent).toHaveLength(0);
  });
});

describe("from a webhook to a delivery", () => {
  it("delivers the invoice's poll item (same object, same id as /invoices/poll) to its subscribers", async () => {
    const s = await setup();
    await subscribe(s.env, "invoice.updated", target);
    const { invoiceId } = await payInvoice(s);
    await sendWebhook(s, cloudEvent(s, invoiceId));
    await drain(s);
    const [delivery, ...more] = s.targets.to(target);
    expect(more).toHaveLength(0);
    const expected = toPollItem(await readInvoice(s, invoiceId));
    expect(JSON.parse(delivery?.body ?? "")).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(delivery?.headers.get("X-Event")).toBe("invoice.updated");
  });

  it("delivers invoice.exported for tn.acc.invoice-exported, and a repeat of the version delivers nothing", async () => {
    const s = await setup();
    await subscribe(s.env, "invoice.exported", target);
    const { invoiceId } = await payInvoice(s);
    await sendWebhook(s, cloudEvent(s, invoiceId, { type: "tn.acc.invoice-exported" }));
    await drain(s);
    expect(s.targets.to(target)).toHaveLength(1);
    // ServiceTitan sends another occurrence for the same version: nothing new to deliver.
    await sendWebhook(s, cloudEvent(s, invoiceId, { type: "tn.acc.invoice-exported" }));
    await drain(s);
    expect(s.targets.to(target)).toHaveLength(1);
  });
});

describe("the simulator's webhooks, end to end", () => {
  it("delivers each changed invoice once, whatever ServiceTitan repeats or reorders; the poll finds what it drops", async () => {
    const s = await setup();
    await subscribe(s.env, "invoice.updated", target);
    // ServiceTitan (the simulator) calls this worker's receiver in this isolate.
    s.sim.configureWebhooks({
      url: "https://events.test/webhooks/servicetitan",
      key: WEBHOOK_KEY,
      faults: { repeat: 0.5, reorder: true },
      fetch: (request) =>
        call(s.env, request.url, { method: "POST", headers: request.headers, body: request.body, key: null }),
    });
    const changed = new Set<number>();
    for (let n = 0; n < 6; n++) changed.add((await payInvoice(s)).invoiceId);
    await s.sim.deliverWebhooks();
    const stats = s.sim.webhookStats();
    expect(stats).toMatchObject({
      occurrences: 6,
      attempts: 6 + stats.repeated,
      delivered: 6 + stats.repeated,
    });
    await drain(s);
    const versions = s.targets.to(target).map((r) => JSON.parse(r.body).id as string);
    expect(new Set(versions).size).toBe(versions.length);
    expect(new Set(s.targets.to(target).map((r) => JSON.parse(r.body).invoiceId))).toEqual(changed);

    // An occurrence ServiceTitan never sends: the invoices feed delivers the change instead.
    s.sim.configureWebhooks({ faults: { drop: 1 } });
    const { invoiceId } = await payInvoice(s);
    await s.sim.deliverWebhooks();
    await drain(s);
    const before = s.targets.to(target).length;
    await watchRound({ env: s.env, store: tenantStore(s.env), feeds: ["invoices"] });
    await drain(s);
    const after = s.targets
      .to(target)
      .slice(before)
      .map((r) => JSON.parse(r.body).invoiceId);
    expect(after).toEqual([invoiceId]);
  });
});

describe("a deployment without ServiceTitan's webhook key", () => {
  it("has no receiver (404), rather than failing on every request", async () => {
    const s = await setup({ ST_WEBHOOK_KEY: "" });
    await expectProblem(await sendWebhook(s, cloudEvent(s, 1)), 404, "not-found");
  });
});

// Simulated ServiceTitan webhooks: an invoice change becomes a signed CloudEvent of the March 2026
// document, retried after ServiceTitan's delays until a 200, with drop, repeat, reorder and
// delay faults on demand.
import { dereference, validate } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import accounting from "../../../specs/servicetitan/accounting-v2.effective.json" with { type: "json" };
import { parseWebhookFaults, type WebhookOptions } from "../src/index.ts";
import { session, TENANT, testSimulator } from "./helpers.ts";

const KEY = "simulated-webhook-key-0123456789abcdef";
const URL = "https://receiver.test/webhooks/servicetitan";

interface Received {
  body: string;
  event: {
    id: string;
    type: string;
    userassignedid: string;
    data: { invoice: { id: number }; tenantId: number };
  };
  signature: string | null;
}

/** A receiver answering with `statuses` in turn (then 200), keeping what it got. */
function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const fetch = async (request: Request) => {
    const body = await request.text();
    received.push({
      body,
      event: JSON.parse(body),
      signature: request.headers.get("X-ServiceTitan-Signature"),
    });
    return new Response(null, { status: statuses.shift() ?? 200 });
  };
  return { received, fetch };
}

async function hmacHex(key: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const k = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(body)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A simulator sending to `fetch`, and one payment of 1.00 on an open invoice (its invoice changes). */
async function withPayment(options: WebhookOptions) {
  const { sim, clock } = testSimulator({ webhooks: { url: URL, key: KEY, ...options } });
  const invoice = sim.ledger(TENANT).invoices.find((i) => i.active && Number(i.balance) >= 5);
  if (!invoice) throw new Error("no open invoice");
  const api = await session(sim);
  const types = await (await api.get("/payment-types")).json<{ data: { id: number }[] }>();
  const pay = () =>
    api.post("/payments", {
      typeId: types.data[0]?.id,
      amount: 1,
      splits: [{ invoiceId: invoice.id, amount: 1 }],
    });
  return { sim, clock, invoice, pay };
}

describe("simulated webhooks", () => {
  it("POSTs a CloudEvent of the March 2026 document for each invoice change, signed with the key", async () => {
    const target = receiver();
    const { sim, invoice, pay } = await withPayment({ fetch: target.fetch });
    expect((await pay()).status).toBe(200);
    expect(target.received).toHaveLength(0);
    await sim.deliverWebhooks();
    const [first, ...more] = target.received;
    expect(more).toHaveLength(0);
    if (!first) throw new Error("nothing sent");
    expect(first.signature).toBe(await hmacHex(KEY, first.body));
    expect(first.event).toMatchObject({
      type: "tn.acc.invoice-updated",
      source: "https://webhooks.servicetitan.io",
      data: { invoice: { id: invoice.id }, tenantId: TENANT },
    });
    // The spec's examples carry `id` fields that a validator would take for schema ids: leave them out.
    const spec = JSON.parse(
      JSON.stringify(accounting, (key, value) => (key === "example" ? undefined : value)),
    );
    const lookup = dereference({ ...spec, $id: "https://specs.test/accounting.json" });
    const schema = {
      $id: "https://specs.test/probe",
      $ref: "https://specs.test/accounting.json#/components/schemas/CloudEvent_Of_Accounting.V2.Webhook.InvoiceUpdatedEventPayload",
    };
    dereference(schema, lookup);
    const result = validate(first.event, schema, "2020-12", lookup, false);
    expect(result.errors).toEqual([]);
    expect(sim.webhookStats()).toMatchObject({ occurrences: 1, attempts: 1, delivered: 1, pending: 0 });
  });

  it("retries anything but a 200 after 10, 30, 60 and 300 s, then gives up; userassignedid stays, id changes", async () => {
    const target = receiver([500, 503, 0 /* no answer: see below */, 204, 500]);
    const failing = {
      fetch: async (request: Request) => {
        const answer = await target.fetch(request);
        if (answer.status === 0) throw new TypeError("connection reset");
        return answer;
      },
    };
    const { sim, clock, pay } = await withPayment(failing);
    await pay();
    await sim.deliverWebhooks();
    for (const wait of [10, 30, 60, 300]) {
      clock.advance(wait * 1000 - 1);
      await sim.deliverWebhooks();
      const before = target.received.length;
      clock.advance(1);
      await sim.deliverWebhooks();
      expect(target.received.length).toBe(before + 1);
    }
    expect(target.received).toHaveLength(5);
    expect(new Set(target.received.map((r) => r.event.userassignedid)).size).toBe(1);
    expect(new Set(target.received.map((r) => r.event.id)).size).toBe(5);
    expect(sim.webhookStats()).toMatchObject({ attempts: 5, delivered: 0, abandoned: 1, pending: 0 });
  });

  it("stops retrying at the first 200", async () => {
    const target = receiver([500]);
    const { sim, clock, pay } = await withPayment({ fetch: target.fetch });
    await pay();
    await sim.deliverWebhooks();
    clock.advance(10_000);
    await sim.deliverWebhooks();
    clock.advance(600_000);
    await sim.deliverWebhooks();
    expect(target.received).toHaveLength(2);
    expect(sim.webhookStats()).toMatchObject({ delivered: 1, pending: 0 });
  });

  it("drops, repeats, reorders and delays on demand", async () => {
    const dropped = receiver();
    const all = await withPayment({ fetch: dropped.fetch, faults: { drop: 1 } });
    await all.pay();
    await all.sim.deliverWebhooks();
    expect(dropped.received).toHaveLength(0);
    expect(all.sim.webhookStats()).toMatchObject({ occurrences: 1, dropped: 1 });

    const repeated = receiver();
    const twice = await withPayment({ fetch: repeated.fetch, faults: { repeat: 1 } });
    await twice.pay();
    await twice.sim.deliverWebhooks();
    expect(repeated.received).toHaveLength(2);
    expect(repeated.received[0]?.event.userassignedid).toBe(repeated.received[1]?.event.userassignedid);
    expect(repeated.received[0]?.event.id).not.toBe(repeated.received[1]?.event.id);

    const delayed = receiver();
    const later = await withPayment({ fetch: delayed.fetch, faults: { delayMs: 5000 } });
    await later.pay();
    await later.sim.deliverWebhooks();
    expect(delayed.received).toHaveLength(0);
    later.clock.advance(5000);
    await later.sim.deliverWebhooks();
    expect(delayed.received).toHaveLength(1);

    const shuffled = receiver();
    const mixed = await withPayment({ fetch: shuffled.fetch, faults: { reorder: true } });
    for (let n = 0; n < 8; n++) {
      await mixed.pay();
      mixed.clock.advance(1);
    }
    await mixed.sim.deliverWebhooks();
    const times = shuffled.received.map((r) => JSON.parse(r.body).time as string);
    expect(times).toHaveLength(8);
    expect(times).not.toEqual([...times].sort());
  });

  it("sends nothing without a url, and can be pointed at a receiver at run time", async () => {
    const target = receiver();
    const { sim, pay } = await withPayment({ url: undefined, fetch: target.fetch });
    await pay();
    await sim.deliverWebhooks();
    expect(target.received).toHaveLength(0);
    sim.configureWebhooks({ url: URL });
    await pay();
    await sim.deliverWebhooks();
    expect(target.received).toHaveLength(1);
  });

  it("reads faults from text (env vars) and refuses what it cannot read", () => {
    expect(parseWebhookFaults("drop=0.1, repeat=0.5,reorder,delay=250")).toEqual({
      drop: 0.1,
      repeat: 0.5,
      reorder: true,
      delayMs: 250,
    });
    expect(() => parseWebhookFaults("drop=2")).toThrow(RangeError);
    expect(() => parseWebhookFaults("explode")).toThrow(RangeError);
  });
});

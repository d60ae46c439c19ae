// Our own writes are announced at once on the events queue (@st-edge/events): a posted payment
// once (never again on a replay), a changed payment and a status change as updates. The queue is
// a recording stand-in for the Queue binding; the events worker's own tests take it from there.
import type { ChangeMessage } from "@st-edge/events";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { type CreatedBody, call, freshKey, invoicePicker, post, TENANT, testEnv } from "./support.ts";

const sim = createSimulator();
const nextInvoice = invoicePicker(sim);

function recordingQueue() {
  const sent: ChangeMessage[] = [];
  const queue = {
    send: async (message: ChangeMessage) => {
      sent.push(message);
    },
    sendBatch: async () => {},
  } as unknown as Queue;
  return { sent, queue };
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describe("events of our own writes", () => {
  it("a posted payment is announced once, by reference; a replay announces nothing", async () => {
    const { sent, queue } = recordingQueue();
    const e = await testEnv(sim, { EVENTS: queue });
    const invoice = nextInvoice();
    const key = freshKey("announce");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.50" };
    const created: CreatedBody = await (await post(e, key, body)).json();
    expect((await post(e, key, body)).headers.get("Idempotent-Replayed")).toBe("true");
    expect(sent).toEqual([
      expect.objectContaining({
        v: 1,
        kind: "change",
        environment: "simulator",
        tenantId: TENANT,
        event: "payment.created",
        recordId: created.id,
        payload: null,
      }),
    ]);
  });

  it("a PATCH and a status change are announced as updates", async () => {
    const { sent, queue } = recordingQueue();
    const e = await testEnv(sim, { EVENTS: queue });
    const invoice = nextInvoice();
    const created: CreatedBody = await (
      await post(e, freshKey("update"), { paymentType: "Cash", invoiceId: invoice.id, amount: "2.00" })
    ).json();
    expect((await call(e, `/payments/${created.id}`, json("PATCH", { memo: "changed" }))).status).toBe(200);
    expect(
      (await call(e, "/payments/status", json("POST", { paymentIds: [created.id], status: "Posted" })))
        .status,
    ).toBe(200);
    expect(sent.map((message) => [message.event, message.recordId])).toEqual([
      ["payment.created", created.id],
      ["payment.updated", created.id],
      ["payment.updated", created.id],
    ]);
  });

  it("a refused post announces nothing", async () => {
    const { sent, queue } = recordingQueue();
    const e = await testEnv(sim, { EVENTS: queue });
    const invoice = nextInvoice();
    const over = Decimal.parse(invoice.balance).plus(Decimal.parse("1.00")).toFixed(2);
    expect(
      (await post(e, freshKey("refused"), { paymentType: "Cash", invoiceId: invoice.id, amount: over }))
        .status,
    ).toBe(422);
    expect(sent).toEqual([]);
  });
});

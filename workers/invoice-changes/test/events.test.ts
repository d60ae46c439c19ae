// Our writes are published at once onto the EVENTS queue (@st-edge/events): one message per write,
// carrying the invoice's poll item as read back, so REST hook subscribers hear of it in seconds.
import type { ChangeMessage } from "@st-edge/events";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { invoice, invoicePicker, NO_LOCKS, send, testEnv, unpaid } from "./support.ts";

const sim = createSimulator({ invoiceLocks: NO_LOCKS });
const pick = invoicePicker(sim);

/** A queue binding that keeps what it is sent. */
function recordingQueue() {
  const sent: ChangeMessage[] = [];
  const binding = {
    metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
    send: async (message: unknown) => {
      sent.push(message as ChangeMessage);
      return { metadata: { metrics: { backlogCount: 1, backlogBytes: 1 } } };
    },
    sendBatch: async () => ({ metadata: { metrics: { backlogCount: 1, backlogBytes: 1 } } }),
  } satisfies Queue;
  return { binding, sent };
}

describe("events", () => {
  it("an update publishes invoice.updated with the version ServiceTitan now holds", async () => {
    const queue = recordingQueue();
    const e = await testEnv(sim, { EVENTS: queue.binding });
    const target = await pick(() => true);
    expect((await send(e, "PATCH", `/invoices/${target.id}`, { summary: "published" })).status).toBe(200);
    const after = await invoice(sim, target.id);
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({
      v: 1,
      kind: "change",
      event: "invoice.updated",
      recordId: target.id,
      versionId: `${target.id}-${after.modifiedOn}`,
      payload: { invoiceId: target.id, summary: "published" },
    });
  });

  it("an item change publishes invoice.updated; a refused one publishes nothing", async () => {
    const queue = recordingQueue();
    const e = await testEnv(sim, { EVENTS: queue.binding });
    const target = await pick(unpaid);
    const added = await send(e, "POST", `/invoices/${target.id}/items`, {
      skuName: "SVC-DIAG",
      description: "Diagnostic",
      quantity: 1,
      unitPrice: "10.00",
    });
    expect(added.status).toBe(200);
    expect(queue.sent.map((message) => message.event)).toEqual(["invoice.updated"]);
    await send(e, "POST", `/invoices/${target.id}/items`, {
      skuName: "SVC-DIAG",
      description: "x",
      quantity: 1,
    });
    expect(queue.sent).toHaveLength(1);
  });

  it("a mark publishes invoice.exported for each invoice marked, none for one that failed", async () => {
    const queue = recordingQueue();
    const e = await testEnv(sim, { EVENTS: queue.binding });
    const target = await pick(() => true);
    const marked = await send(e, "POST", "/invoices/mark-exported", {
      invoices: [{ invoiceId: target.id, externalId: "QB-9" }, { invoiceId: 99999999 }],
    });
    expect(marked.status).toBe(200);
    expect(queue.sent.map((message) => [message.event, message.recordId])).toEqual([
      ["invoice.exported", target.id],
    ]);
  });
});

// The publishing contract: what publishEvent puts on the EVENTS queue, and that it never throws.
import type { PollItem } from "@st-edge/views/payment";
import { describe, expect, it, vi } from "vitest";
import { type ChangeMessage, MAX_INLINE_PAYLOAD_BYTES, publishEvent } from "./index.ts";

/** A queue binding that keeps what it is sent, or refuses it. */
function queue(refuse = false) {
  const sent: unknown[] = [];
  const binding = {
    sent,
    metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
    send: async (message: unknown) => {
      if (refuse) throw new Error("Queue send failed: backlog full");
      sent.push(message);
      return { metadata: { metrics: { backlogCount: 1, backlogBytes: 1 } } };
    },
    sendBatch: async () => ({ metadata: { metrics: { backlogCount: 1, backlogBytes: 1 } } }),
  } satisfies Queue & { sent: unknown[] };
  return binding;
}

const payment = (memo: string | null = null): PollItem => ({
  id: "13000001-2026-01-02T03:04:05.1230000Z",
  paymentId: 13000001,
  modifiedOn: "2026-01-02T03:04:05.1230000Z",
  typeId: 1,
  type: "Check",
  amount: "25.00",
  paidOn: null,
  memo,
  marker: null,
  checkNumber: null,
  authCode: null,
  status: "Pending",
  customerId: 9,
  active: true,
  splits: [{ invoiceId: 11000001, amount: "25.00" }],
  unappliedAmount: "0.00",
});

const bindings = (EVENTS: Queue | undefined) => ({
  EVENTS,
  ST_ENVIRONMENT: "integration",
  ST_TENANT_ID: "1000001",
});

describe("publishEvent", () => {
  it("queues a change by reference, naming the tenant and the record", async () => {
    const events = queue();
    expect(await publishEvent(bindings(events), { event: "payment.created", recordId: 13000001 })).toBe(true);
    const [message] = events.sent as ChangeMessage[];
    expect(message).toMatchObject({
      v: 1,
      kind: "change",
      environment: "integration",
      tenantId: 1000001,
      event: "payment.created",
      recordId: 13000001,
      versionId: null,
      payload: null,
    });
    expect(Date.parse(message?.occurredAt ?? "")).toBeGreaterThan(Date.now() - 5000);
  });

  it("carries the poll item and its version id when given", async () => {
    const events = queue();
    await publishEvent(bindings(events), {
      event: "payment.updated",
      recordId: 13000001,
      payload: payment(),
    });
    expect(events.sent[0]).toMatchObject({ versionId: payment().id, payload: payment() });
  });

  it("sends a poll item too large for a queue message by reference instead", async () => {
    const events = queue();
    const huge = payment("x".repeat(MAX_INLINE_PAYLOAD_BYTES));
    await publishEvent(bindings(events), { event: "payment.updated", recordId: 13000001, payload: huge });
    expect(events.sent[0]).toMatchObject({ versionId: null, payload: null, recordId: 13000001 });
  });

  it("is off without an EVENTS binding", async () => {
    expect(await publishEvent(bindings(undefined), { event: "invoice.updated", recordId: 1 })).toBe(false);
  });

  it("never throws: a refused send or a bad tenant id is logged and answered false", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await publishEvent(bindings(queue(true)), { event: "invoice.updated", recordId: 1 })).toBe(
        false,
      );
      const badTenant = { ...bindings(queue()), ST_TENANT_ID: "tenant-one" };
      expect(await publishEvent(badTenant, { event: "invoice.updated", recordId: 1 })).toBe(false);
      expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)).event)).toEqual([
        "event-publish-failed",
        "event-publish-failed",
      ]);
    } finally {
      errors.mockRestore();
    }
  });
});

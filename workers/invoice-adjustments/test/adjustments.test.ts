// Creating adjustment invoices: the contract payments have (201, replay with Idempotent-Replayed,
// 422 for the same key with another body, the key required), the marker at the end of royaltyMemo,
// and refusals before anything is sent.
import { env } from "cloudflare:test";
import { expectProblem, readThenGate } from "@st-edge/edge/testing";
import type { ChangeMessage } from "@st-edge/events";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import type { AdjustmentBindings } from "../src/settings.ts";
import {
  adjust,
  adjustmentsOf,
  type CreatedBody,
  freshKey,
  invoices,
  originalPicker,
  TENANT,
  testEnv,
  writeOff,
} from "./support.ts";

const sim = createSimulator();
const pick = originalPicker(sim);

describe("create", () => {
  it("creates the adjustment for the original's customer, with the marker after the royalty memo", async () => {
    const e = await testEnv(sim);
    const original = await pick();
    const key = freshKey("create");
    const response = await adjust(e, original.id, key, writeOff("25.00", "approved by Dana"));
    expect(response.status).toBe(201);
    const created: CreatedBody = await response.json();
    expect(response.headers.get("Idempotent-Replayed")).toBeNull();
    const carrying = (await adjustmentsOf(sim, original.id)).filter((i) =>
      i.royalty?.memo?.includes(String(created.marker)),
    );
    expect(carrying).toHaveLength(1);
    const stored = carrying[0];
    expect(created).toMatchObject({
      id: stored?.id,
      adjustmentToId: original.id,
      customer: original.customer,
      summary: "Balance written off",
      subTotal: "-25.00",
      idempotencyKey: key,
    });
    expect(created.marker).toMatch(/^\[ste:[0-9a-f]{16}\]$/);
    expect(stored?.royalty?.memo).toBe(`approved by Dana ${created.marker}`);
    // The original's own balance is untouched: the adjustment is an invoice of its own.
    expect((await invoices(sim)).find((i) => i.id === original.id)?.balance).toBe(original.balance);
  });

  it("replays the first answer for the same key and body, and creates nothing more", async () => {
    const e = await testEnv(sim);
    const original = await pick();
    const key = freshKey("replay");
    const first: CreatedBody = await (await adjust(e, original.id, key, writeOff("5.00"))).json();
    const again = await adjust(e, original.id, key, writeOff("5.00"));
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await again.json()) as CreatedBody).id).toBe(first.id);
    // Amounts written another way are the same request.
    const numbers = writeOff("5.00");
    const same = await adjust(e, original.id, key, {
      ...numbers,
      items: [{ ...numbers.items[0], unitPrice: -5, quantity: 1 }],
    });
    expect(((await same.json()) as CreatedBody).id).toBe(first.id);
    expect((await adjustmentsOf(sim, original.id)).filter((i) => i.id === first.id)).toHaveLength(1);
    expect(
      (await adjustmentsOf(sim, original.id)).filter((i) => i.royalty?.memo?.includes(String(first.marker))),
    ).toHaveLength(1);
  });

  it("refuses the same key with another body (422) and writes nothing", async () => {
    const e = await testEnv(sim);
    const original = await pick();
    const key = freshKey("mismatch");
    expect((await adjust(e, original.id, key, writeOff("5.00"))).status).toBe(201);
    const count = (await adjustmentsOf(sim, original.id)).length;
    await expectProblem(await adjust(e, original.id, key, writeOff("6.00")), 422, "idempotency-key-reused");
    expect(await adjustmentsOf(sim, original.id)).toHaveLength(count);
  });
});

describe("the original's read", () => {
  const gate = (invoiceId: number) => {
    const gates = (env as unknown as AdjustmentBindings).INVOICE_GATES;
    return gates.get(gates.idFromName(`simulator:${TENANT}:invoice:${invoiceId}`));
  };

  it("goes out while the key is claimed and the gate taken, not after them", async () => {
    const { env: e, events } = readThenGate(await testEnv(sim), { until: "read" });
    const original = await pick();
    const response = await adjust(e, original.id, freshKey("ahead"), writeOff("2.00"));
    expect(response.status).toBe(201);
    // The original's read, the gate, then the created adjustment read back.
    expect(events).toEqual(["invoice read", "gate acquire", "invoice read"]);
    expect(await adjustmentsOf(sim, original.id)).toHaveLength(1);
  });

  it("leaves the gate free after a replay, which takes it early too", async () => {
    const e = await testEnv(sim);
    const original = await pick();
    const key = freshKey("replay-gate");
    expect((await adjust(e, original.id, key, writeOff("4.00"))).status).toBe(201);
    const again = await adjust(e, original.id, key, writeOff("4.00"));
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await gate(original.id).inspect())?.holder ?? null).toBeNull();
  });
});

describe("events", () => {
  it("a new adjustment publishes invoice.created once; its replay publishes nothing", async () => {
    const sent: ChangeMessage[] = [];
    const queue = {
      metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
      send: async (message: unknown) => {
        sent.push(message as ChangeMessage);
        return { metadata: { metrics: { backlogCount: 1, backlogBytes: 1 } } };
      },
      sendBatch: async () => ({ metadata: { metrics: { backlogCount: 1, backlogBytes: 1 } } }),
    } satisfies Queue;
    const e = await testEnv(sim, { EVENTS: queue });
    const original = await pick();
    const key = freshKey("published");
    const created: CreatedBody = await (await adjust(e, original.id, key, writeOff("3.00"))).json();
    await adjust(e, original.id, key, writeOff("3.00"));
    expect(sent.map((message) => [message.event, message.recordId])).toEqual([
      ["invoice.created", created.id],
    ]);
    expect(sent[0]?.payload).toMatchObject({ invoiceId: created.id, adjustmentToId: original.id });
  });
});

describe("refusals", () => {
  it("needs an Idempotency-Key and refuses placeholders, a marker-shaped memo and unknown fields (400)", async () => {
    const e = await testEnv(sim);
    const original = await pick();
    await expectProblem(await adjust(e, original.id, null, writeOff("1.00")), 400, "validation-failed");
    for (const body of [
      { ...writeOff("1.00"), summary: "{{1.summary}}" },
      { ...writeOff("1.00"), royaltyMemo: "copied [ste:0123456789abcdef]" },
      { ...writeOff("1.00"), adjustmentToId: 5 },
      { ...writeOff("1.00"), items: [{ skuName: "PM-PROMO", description: "x", quantity: 1 }] },
      { ...writeOff("1.00"), royaltyMemo: "x".repeat(233) },
    ]) {
      await expectProblem(await adjust(e, original.id, freshKey("bad"), body), 400, "validation-failed");
    }
    // Nothing was created for any of them.
    expect((await adjustmentsOf(sim, original.id)).some((i) => i.royalty?.memo?.includes("[ste:"))).toBe(
      false,
    );
  });

  it("refuses an unknown invoice (404), an inactive one and an adjustment itself (422)", async () => {
    const e = await testEnv(sim);
    const all = await invoices(sim);
    const inactive = all.find((i) => !i.active && i.adjustmentToId == null);
    const adjustment = all.find((i) => i.active && i.adjustmentToId != null);
    if (!inactive || !adjustment) throw new Error("the seed has no inactive invoice or no adjustment");
    await expectProblem(
      await adjust(e, 99999999, freshKey("unknown"), writeOff("1.00")),
      404,
      "invoice-not-found",
    );
    await expectProblem(
      await adjust(e, inactive.id, freshKey("inactive"), writeOff("1.00")),
      422,
      "invoice-inactive",
    );
    const problem = await expectProblem(
      await adjust(e, adjustment.id, freshKey("adj"), writeOff("1.00")),
      422,
      "unprocessable",
    );
    expect(String(problem.detail)).toContain(String(adjustment.adjustmentToId));
  });
});

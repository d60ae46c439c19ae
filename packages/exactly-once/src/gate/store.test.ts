// The InvoiceGate Durable Object's storage (run for real): one alarm write when a record is created,
// none while writes go through it, and the alarm deletes a record once nobody uses it.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RESERVATION_TTL_MS } from "../settings.ts";
import { QUIET_KEPT_MS, type Reservation } from "./state.ts";
import type { InvoiceGate } from "./store.ts";

const gates = (env as unknown as { GATES: DurableObjectNamespace<InvoiceGate> }).GATES;
const gate = (name: string) => gates.get(gates.idFromName(name));
const alarmOf = (stub: DurableObjectStub<InvoiceGate>) =>
  runInDurableObject(stub, (_object, state) => state.storage.getAlarm());

const reservation = (id: string): Reservation => {
  const now = Date.now();
  return {
    id,
    expect: { kind: "payment", marker: `[ste:${id}]`, paymentId: null, applied: "10.00" },
    amount: "10.00",
    outcome: "unknown",
    settleBy: now + 5_000,
    createdAt: now,
    expiresAt: now + RESERVATION_TTL_MS,
  };
};

/** One write through the gate: acquire, reserve, applied. */
async function write(stub: DurableObjectStub<InvoiceGate>, id: string) {
  const acquired = await stub.acquire({ leaseMs: 30_000, waitMs: 0 });
  if (acquired.kind !== "acquired") throw new Error("the gate is busy");
  expect(await stub.reserve({ lease: acquired.lease, reservation: reservation(id) })).toEqual({ ok: true });
  await stub.finish({ lease: acquired.lease, applied: [{ id, paymentId: 13000001 }] });
}

describe("the gate's alarm", () => {
  it("is armed once, when the record is created, for when it is idle at the latest; later writes leave it", async () => {
    const stub = gate("alarm-once");
    const before = Date.now();
    await write(stub, "0000000000000001");
    const armed = await alarmOf(stub);
    // The lease's end, a day's reservation after it and the quiet kept after that: nothing made
    // under that lease outlives it.
    expect(armed).toBeGreaterThanOrEqual(before + 30_000 + RESERVATION_TTL_MS + QUIET_KEPT_MS);
    await write(stub, "0000000000000002");
    expect(await alarmOf(stub)).toBe(armed);
  });

  it("re-arms for a record still in use when it fires, and deletes one nobody uses", async () => {
    const inUse = gate("alarm-in-use");
    await write(inUse, "0000000000000003");
    const { reservations } = (await inUse.inspect()) ?? { reservations: [] };
    expect(await runDurableObjectAlarm(inUse)).toBe(true);
    expect(await inUse.inspect()).not.toBeNull();
    // Past the reservation's end, the record is kept a while longer for the quiet it vouches for.
    expect(await alarmOf(inUse)).toBe((reservations[0]?.expiresAt ?? 0) + QUIET_KEPT_MS);

    // A check that refused: the gate was let go with nothing reserved; the record is kept for the
    // quiet after the hold, then deleted.
    const unused = gate("alarm-unused");
    const acquired = await unused.acquire({ leaseMs: 30_000, waitMs: 0 });
    if (acquired.kind !== "acquired") throw new Error("the gate is busy");
    await unused.finish({ lease: acquired.lease });
    const released = await unused.inspect();
    expect(released).toMatchObject({ holder: null, reservations: [] });
    expect(await runDurableObjectAlarm(unused)).toBe(true);
    expect(await alarmOf(unused)).toBe((released?.busyAt ?? 0) + QUIET_KEPT_MS);
    // Once that quiet has passed (the record's clock set back by it), the alarm deletes it.
    await runInDurableObject(unused, (_object, state) => {
      const record = state.storage.kv.get<{ busyAt: number; updatedAt: number }>("gate");
      if (!record) throw new Error("no record");
      state.storage.kv.put("gate", { ...record, busyAt: record.busyAt - QUIET_KEPT_MS });
    });
    expect(await runDurableObjectAlarm(unused)).toBe(true);
    expect(await runInDurableObject(unused, (_object, state) => [...state.storage.kv.list()])).toEqual([]);
  });
});

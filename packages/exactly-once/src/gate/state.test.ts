// Table tests of the gate's transitions that depend on the kind of reservation.
import { describe, expect, it } from "vitest";
import { acquire, confirm, finish, type GateRecord, idle, QUIET_KEPT_MS, type Reservation } from "./state.ts";

const NOW = 1_000_000;
const base = {
  outcome: "unknown",
  amount: "12.00",
  settleBy: NOW + 5_000,
  createdAt: NOW,
  expiresAt: NOW + 60_000,
} as const;
const payment: Reservation = {
  ...base,
  id: "pay",
  expect: { kind: "payment", marker: "[ste:0123456789abcdef]", paymentId: null, applied: "12.00" },
};
const total: Reservation = { ...base, id: "total", expect: { kind: "invoice-total", before: "99.00" } };
const held = (reservations: Reservation[]): GateRecord => ({
  holder: { lease: "L", expiresAt: NOW + 30_000 },
  reservations,
  updatedAt: NOW,
});

describe("finish", () => {
  const cases: [
    string,
    {
      given: {
        record: GateRecord;
        applied?: { id: string; paymentId: number | null }[];
        withdrawn?: string[];
      };
      want: Reservation[];
    },
  ][] = [
    [
      "an applied payment learns its id",
      {
        given: { record: held([payment]), applied: [{ id: "pay", paymentId: 13000001 }] },
        want: [
          {
            ...payment,
            outcome: "applied",
            expect: { ...payment.expect, paymentId: 13000001 } as Reservation["expect"],
          },
        ],
      },
    ],
    [
      "an applied total change keeps its expectation",
      {
        given: { record: held([total]), applied: [{ id: "total", paymentId: null }] },
        want: [{ ...total, outcome: "applied" }],
      },
    ],
    [
      "a withdrawn total change ends; the payment beside it stays",
      { given: { record: held([payment, total]), withdrawn: ["total"] }, want: [payment] },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    const { result, next } = finish(given.record, {
      lease: "L",
      now: NOW + 1,
      applied: given.applied,
      withdrawn: given.withdrawn,
    });
    expect(result.released).toBe(true);
    expect(next?.reservations ?? []).toEqual(want);
    expect(next?.holder ?? null).toBeNull();
  });
});

describe("acquire", () => {
  it("hands the next holder both kinds of reservation", () => {
    const { result } = acquire(
      { holder: null, reservations: [payment, total], updatedAt: NOW },
      {
        lease: "M",
        now: NOW + 1,
        leaseMs: 1_000,
      },
    );
    expect(result).toEqual({ kind: "acquired", lease: "M", reservations: [payment, total], quietMs: 0 });
  });
});

describe("quiet: how long before an acquire nobody held the gate and no reservation of ours was live", () => {
  const quietAt = (record: GateRecord | undefined, now: number) => {
    const { result } = acquire(record, { lease: "Q", now, leaseMs: 1_000 });
    if (result.kind !== "acquired") throw new Error("busy");
    return result.quietMs;
  };

  it("an invoice with no record vouches for QUIET_KEPT_MS; one with a live reservation for none", () => {
    expect(quietAt(undefined, NOW)).toBe(QUIET_KEPT_MS);
    expect(quietAt({ holder: null, reservations: [payment], updatedAt: NOW }, NOW + 1)).toBe(0);
  });

  it("counts from the later of the last reservation's end and the last holder's release, and keeps the record QUIET_KEPT_MS after", () => {
    const confirmed = confirm(held([payment]), { lease: "L", now: NOW + 10, ended: ["pay"] }).next;
    const released = finish(confirmed, { lease: "L", now: NOW + 20 }).next;
    // Nothing held, nothing reserved, yet kept: deleting it would forget that a write just landed.
    expect(released).toMatchObject({ holder: null, reservations: [], busyAt: NOW + 20 });
    expect(quietAt(released, NOW + 1_000)).toBe(980);
    expect(idle(released, NOW + 20 + QUIET_KEPT_MS - 1)).toBe(false);
    expect(idle(released, NOW + 20 + QUIET_KEPT_MS)).toBe(true);
    // A finish once the quiet is long enough lets the record go: an absent one vouches as much.
    const again = acquire(released, { lease: "M", now: NOW + 20 + QUIET_KEPT_MS, leaseMs: 1_000 }).next;
    expect(finish(again, { lease: "M", now: NOW + 21 + QUIET_KEPT_MS }).next?.busyAt).toBe(
      NOW + 21 + QUIET_KEPT_MS,
    );
  });

  it("counts a hold that reserved nothing (an item added, an adjustment invoice created), and keeps its record", () => {
    const taken = acquire(undefined, { lease: "W", now: NOW, leaseMs: 30_000 }).next;
    const released = finish(taken, { lease: "W", now: NOW + 40 }).next;
    expect(released).toMatchObject({ holder: null, reservations: [], busyAt: NOW + 40 });
    expect(quietAt(released, NOW + 45)).toBe(5);
    // A lease that lapsed without a finish counts until it ran out.
    const lapsed = { holder: { lease: "W", expiresAt: NOW + 30_000 }, reservations: [], updatedAt: NOW };
    expect(quietAt(lapsed, NOW + 31_000)).toBe(1_000);
  });

  it("counts from a withdrawn reservation's end, and from an expired one's expiry", () => {
    const withdrawn = finish(held([payment]), { lease: "L", now: NOW + 30, withdrawn: ["pay"] }).next;
    expect(quietAt(withdrawn, NOW + 100)).toBe(70);
    const expired = { holder: null, reservations: [payment], updatedAt: NOW };
    expect(quietAt(expired, payment.expiresAt + 5_000)).toBe(5_000);
  });

  it("is kept by every transition, and a later hold or reservation moves it", () => {
    const ended = confirm(held([payment]), { lease: "L", now: NOW + 10, ended: ["pay"] }).next;
    const reserved = confirm(ended, { lease: "L", now: NOW + 50, ended: [] }).next;
    // Still held at NOW + 50: the stamp says so.
    expect(reserved?.busyAt).toBe(NOW + 50);
    const later = { ...total, id: "later" };
    const withLater = finish(
      { ...(reserved as GateRecord), reservations: [later] },
      { lease: "L", now: NOW + 70, withdrawn: ["later"] },
    ).next;
    expect(quietAt(withLater, NOW + 80)).toBe(10);
  });
});

describe("acquire with the write's reservation (recorded with the claim)", () => {
  const mine: Reservation = { ...payment, id: "mine", amount: "5.00" };

  it("records it with the lock; what was there before is what the holder is handed", () => {
    const { result, next } = acquire(
      { holder: null, reservations: [total], updatedAt: NOW },
      { lease: "M", now: NOW + 1, leaseMs: 1_000, reservation: mine },
    );
    expect(result).toMatchObject({ kind: "acquired", reserved: true, reservations: [total], quietMs: 0 });
    expect(next?.reservations).toEqual([total, mine]);
  });

  it("leaves one of the same id alone (an earlier request's of the same key, perhaps landed)", () => {
    const landed: Reservation = { ...mine, outcome: "applied", amount: "7.00" };
    const { result, next } = acquire(
      { holder: null, reservations: [landed], updatedAt: NOW },
      { lease: "M", now: NOW + 1, leaseMs: 1_000, reservation: mine },
    );
    expect(result.kind === "acquired" && result.reserved).toBeFalsy();
    expect(next?.reservations).toEqual([landed]);
  });

  it("is not made when the gate is busy", () => {
    const busy = held([]);
    expect(acquire(busy, { lease: "M", now: NOW + 1, leaseMs: 1_000, reservation: mine })).toEqual({
      result: { kind: "busy", retryAfterMs: 29_999 },
      next: busy,
    });
  });
});

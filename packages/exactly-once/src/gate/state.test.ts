// Table tests of the gate's transitions that depend on the kind of reservation.
import { describe, expect, it } from "vitest";
import { acquire, finish, type GateRecord, type Reservation } from "./state.ts";

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
    expect(result).toEqual({ kind: "acquired", lease: "M", reservations: [payment, total] });
  });
});

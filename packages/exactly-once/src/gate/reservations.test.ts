// Table tests: what a holder's reads say about each kind of reservation, and what is left.
import { Decimal } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { available, type InvoiceSeen, type PaymentSeen, sortOut } from "./reservations.ts";
import type { Expectation, Reservation } from "./state.ts";

const INVOICE = 11000041;
const MARKER = "[ste:0123456789abcdef]";
const NOW = 1_000_000;

const reservation = (id: string, expect: Expectation, more: Partial<Reservation> = {}): Reservation => ({
  id,
  expect,
  amount: "10.00",
  outcome: "unknown",
  settleBy: NOW + 5_000,
  createdAt: NOW - 1_000,
  expiresAt: NOW + 86_400_000,
  ...more,
});

const byMarker: Expectation = { kind: "payment", marker: MARKER, paymentId: null, applied: "10.00" };
const byId: Expectation = { kind: "payment", marker: null, paymentId: 13000007, applied: "25.00" };
const total: Expectation = { kind: "invoice-total", before: "180.50" };

const paid = (id: number, amount: string, more: Partial<PaymentSeen> = {}): PaymentSeen => ({
  id,
  active: true,
  memo: null,
  appliedTo: [{ appliedTo: INVOICE, appliedAmount: amount }],
  ...more,
});

describe("sortOut", () => {
  const cases: [
    string,
    {
      given: { reservation: Reservation; payments?: PaymentSeen[]; invoice?: InvoiceSeen; now?: number };
      want: "ended" | "pending";
    },
  ][] = [
    [
      "a create not listed yet stays",
      { given: { reservation: reservation("a", byMarker) }, want: "pending" },
    ],
    [
      "a create shows once a payment carries its marker",
      {
        given: {
          reservation: reservation("a", byMarker),
          payments: [paid(1, "10.00", { memo: `rent ${MARKER}` })],
        },
        want: "ended",
      },
    ],
    [
      "an update shows once its payment applies the expected amount",
      { given: { reservation: reservation("b", byId), payments: [paid(13000007, "25.00")] }, want: "ended" },
    ],
    [
      "an update whose payment still applies the old amount stays",
      {
        given: { reservation: reservation("b", byId), payments: [paid(13000007, "5.00")] },
        want: "pending",
      },
    ],
    [
      "a voided payment applies nothing: its reservation ends",
      {
        given: { reservation: reservation("b", byId), payments: [paid(13000007, "5.00", { active: false })] },
        want: "ended",
      },
    ],
    [
      "an unknown payment not shown by settleBy is absent",
      { given: { reservation: reservation("a", byMarker), now: NOW + 5_001 }, want: "ended" },
    ],
    [
      "an applied payment waits for reads past settleBy",
      {
        given: { reservation: reservation("a", byMarker, { outcome: "applied" }), now: NOW + 5_001 },
        want: "pending",
      },
    ],
    [
      "a total change stays while the invoice still reads its total from before",
      { given: { reservation: reservation("c", total), invoice: { total: "180.50" } }, want: "pending" },
    ],
    [
      "the same total written another way is still the total from before",
      { given: { reservation: reservation("c", total), invoice: { total: "180.5" } }, want: "pending" },
    ],
    [
      "a total change shows once the invoice reads another total",
      { given: { reservation: reservation("c", total), invoice: { total: "150.25" } }, want: "ended" },
    ],
    [
      "a total change with no invoice read stays",
      { given: { reservation: reservation("c", total) }, want: "pending" },
    ],
    [
      "a total change ends at settleBy even when applied (reads show it by then)",
      {
        given: {
          reservation: reservation("c", total, { outcome: "applied" }),
          invoice: { total: "180.50" },
          now: NOW + 5_001,
        },
        want: "ended",
      },
    ],
    [
      "payments never show a total change",
      {
        given: {
          reservation: reservation("c", total),
          payments: [paid(1, "10.00", { memo: MARKER })],
          invoice: { total: "180.50" },
        },
        want: "pending",
      },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    const sorted = sortOut(
      [given.reservation],
      INVOICE,
      given.payments ?? [],
      given.now ?? NOW,
      given.invoice,
    );
    expect(sorted.ended.length === 1 ? "ended" : "pending").toBe(want);
    expect(sorted.ended.length + sorted.pending.length).toBe(1);
  });
});

describe("available", () => {
  const cases: [string, { given: { balance: string; amounts: string[] }; want: string }][] = [
    ["nothing pending: the balance", { given: { balance: "100.00", amounts: [] }, want: "100.00" }],
    [
      "a pending payment and a pending total decrease both come off",
      { given: { balance: "100.00", amounts: ["30.00", "45.55"] }, want: "24.45" },
    ],
    ["may go below zero", { given: { balance: "10.00", amounts: ["10.01"] }, want: "-0.01" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    const pending = given.amounts.map((amount, n) => reservation(`r${n}`, total, { amount }));
    expect(available(Decimal.parse(given.balance), pending).toFixed(2)).toBe(want);
  });
});

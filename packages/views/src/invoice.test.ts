// The response shape and its derived money fields, table-driven.
import type { DetailedPayment, Invoice } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import {
  amountPaid,
  InvoiceFields,
  isPaid,
  toAppliedPayment,
  toInvoiceView,
  toPollItem,
  versionId,
} from "./invoice.ts";

type Money = Pick<Invoice, "total" | "balance">;

const invoice = (fields: Partial<Invoice> = {}): Invoice => ({
  id: 101,
  active: true,
  createdOn: "2026-01-05T10:00:00.1230000Z",
  invoiceConfiguration: "JobInvoice",
  reviewStatus: "Reviewed",
  sentStatus: "Sent",
  ...fields,
});

describe("amountPaid", () => {
  const cases: [string, { given: Money; want: string | null }][] = [
    ["partly paid", { given: { total: "100.00", balance: "25.50" }, want: "74.50" }],
    ["keeps the finer scale", { given: { total: "100", balance: "0.005" }, want: "99.995" }],
    ["fully paid", { given: { total: "250.00", balance: "0.00" }, want: "250.00" }],
    ["overpaid", { given: { total: "80.00", balance: "-20.00" }, want: "100.00" }],
    ["no float error", { given: { total: "0.30", balance: "0.10" }, want: "0.20" }],
    [
      "beyond double precision",
      { given: { total: "12345678901234567.89", balance: "0.01" }, want: "12345678901234567.88" },
    ],
    ["credit invoice", { given: { total: "-40.00", balance: "-40.00" }, want: "0.00" }],
    ["missing total", { given: { total: null, balance: "1.00" }, want: null }],
    ["missing balance", { given: { total: "1.00" }, want: null }],
  ];
  it.each(cases)("%s", (_, { given, want }) => expect(amountPaid(given)).toBe(want));
});

describe("isPaid", () => {
  const cases: [string, { given: Money; want: boolean }][] = [
    ["nothing left", { given: { total: "100.00", balance: "0.00" }, want: true }],
    ["overpaid", { given: { total: "100.00", balance: "-0.01" }, want: true }],
    ["a cent left", { given: { total: "100.00", balance: "0.01" }, want: false }],
    ["unpaid", { given: { total: "100.00", balance: "100.00" }, want: false }],
    ["zero total", { given: { total: "0.00", balance: "0.00" }, want: false }],
    ["credit (negative total)", { given: { total: "-25.00", balance: "0.00" }, want: false }],
    ["missing balance", { given: { total: "100.00", balance: null }, want: false }],
    ["missing total", { given: { balance: "0.00" }, want: false }],
  ];
  it.each(cases)("%s", (_, { given, want }) => expect(isPaid(given)).toBe(want));
});

describe("toInvoiceView", () => {
  it("answers every documented field, null when ServiceTitan left it out", () => {
    const view = toInvoiceView(invoice());
    expect(Object.keys(view).sort()).toEqual(
      [...Object.keys(InvoiceFields.shape), "amountPaid", "isPaid"].sort(),
    );
    expect(view.balance).toBeNull();
    expect(view.items).toBeNull();
    expect(view.amountPaid).toBeNull();
    expect(view.isPaid).toBe(false);
  });

  it("passes money strings and nested records through untouched", () => {
    const items = [{ id: 1, total: "10.10", quantity: "1.5000" }] as unknown as Invoice["items"];
    const view = toInvoiceView(
      invoice({ total: "100.10", balance: "0.10", subTotal: "92.700", items, customer: { id: 9 } }),
    );
    expect(view).toMatchObject({
      total: "100.10",
      balance: "0.10",
      subTotal: "92.700",
      amountPaid: "100.00",
    });
    expect(view.items).toBe(items);
    expect(view.customer).toEqual({ id: 9 });
    expect(JSON.parse(JSON.stringify(view)).total).toBe("100.10");
  });

  it("drops fields ServiceTitan might add that are not in the documented shape", () => {
    const view = toInvoiceView({ ...invoice(), surprise: 1 } as Invoice);
    expect("surprise" in view).toBe(false);
  });
});

describe("polling versions", () => {
  it("makes one id per version and keeps the invoice id", () => {
    const first = invoice({ modifiedOn: "2026-02-01T08:00:00.0000000Z" });
    const again = invoice({ modifiedOn: "2026-02-03T09:30:00.5000000Z" });
    expect(versionId(first)).toBe("101-2026-02-01T08:00:00.0000000Z");
    expect(versionId(again)).not.toBe(versionId(first));
    expect(toPollItem(again)).toMatchObject({ id: "101-2026-02-03T09:30:00.5000000Z", invoiceId: 101 });
  });

  it("falls back to createdOn for a record never modified", () => {
    expect(versionId(invoice({ modifiedOn: null }))).toBe("101-2026-01-05T10:00:00.1230000Z");
  });
});

describe("toAppliedPayment", () => {
  const payment = (appliedTo: DetailedPayment["appliedTo"]): DetailedPayment => ({
    id: 5,
    active: true,
    createdOn: "2026-01-06T00:00:00Z",
    modifiedOn: "2026-01-06T00:00:00Z",
    total: "100.00",
    appliedTo,
  });
  const split = (to: number, amount: string | null) => ({
    appliedId: to * 10,
    appliedTo: to,
    appliedAmount: amount,
  });

  const cases: [string, { given: DetailedPayment; want: string | null }][] = [
    [
      "a split payment: only this invoice's part",
      { given: payment([split(1, "60.00"), split(2, "40.00")]), want: "60.00" },
    ],
    [
      "two applications here add up",
      { given: payment([split(1, "10.05"), split(1, "0.95")]), want: "11.00" },
    ],
    ["not applied here", { given: payment([split(2, "40.00")]), want: null }],
    ["no amount given", { given: payment([split(1, null)]), want: null }],
    ["no applications", { given: payment(null), want: null }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    const view = toAppliedPayment(given, 1);
    expect(view.amountApplied).toBe(want);
    expect(view.total).toBe("100.00");
    expect(view.memo).toBeNull();
  });
});

// Table tests: the most a change can take off an invoice's total.
import { Decimal, type InvoiceItem } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { type LineChange, lineAmount, mostTakenOff } from "./decrease.ts";

const item = (total: string, taxable = true) => ({ id: 1, total, taxable }) as InvoiceItem;
const d = Decimal.parse;

describe("mostTakenOff", () => {
  const cases: [string, { given: { salesTax: string | null; change: LineChange }; want: string }][] = [
    [
      "deleting a taxable line: the line and all the tax",
      { given: { salesTax: "8.25", change: { kind: "delete", item: item("100.00") } }, want: "108.25" },
    ],
    [
      "deleting an untaxed line: the line",
      { given: { salesTax: "8.25", change: { kind: "delete", item: item("40.00", false) } }, want: "40.00" },
    ],
    [
      "deleting a discount line raises the total",
      { given: { salesTax: "8.25", change: { kind: "delete", item: item("-15.00") } }, want: "0.00" },
    ],
    [
      "adding a fee raises the total",
      { given: { salesTax: "8.25", change: { kind: "add", after: d("35.00") } }, want: "0.00" },
    ],
    [
      "adding a discount: the discount and all the tax",
      { given: { salesTax: "8.25", change: { kind: "add", after: d("-20.00") } }, want: "28.25" },
    ],
    [
      "lowering a taxable line: the difference and the tax",
      {
        given: {
          salesTax: "3.10",
          change: { kind: "change", item: item("50.00"), after: d("30.00"), resku: false },
        },
        want: "23.10",
      },
    ],
    [
      "raising a line takes nothing",
      {
        given: {
          salesTax: "3.10",
          change: { kind: "change", item: item("50.00"), after: d("60.00"), resku: false },
        },
        want: "0.00",
      },
    ],
    [
      "another SKU at the same price may drop the tax",
      {
        given: {
          salesTax: "3.10",
          change: { kind: "change", item: item("50.00"), after: d("50.00"), resku: true },
        },
        want: "3.10",
      },
    ],
    [
      "a new tax zone: all the tax",
      { given: { salesTax: "12.34", change: { kind: "tax-zone" } }, want: "12.34" },
    ],
    [
      "no tax read: nothing for tax",
      { given: { salesTax: null, change: { kind: "delete", item: item("10.00") } }, want: "10.00" },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(mostTakenOff({ salesTax: given.salesTax }, given.change).toFixed(2)).toBe(want);
  });
});

describe("lineAmount", () => {
  it("is quantity × price, half-up to cents, exactly", () => {
    expect(lineAmount(d("3"), d("0.10")).toFixed(2)).toBe("0.30");
    expect(lineAmount(d("1.5"), d("33.33")).toFixed(2)).toBe("50.00");
    expect(lineAmount(d("2"), d("-7.125")).toFixed(2)).toBe("-14.25");
  });
});

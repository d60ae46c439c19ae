import { MoneyFormatError } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { moneyText } from "./bill.ts";

describe("moneyText", () => {
  const cases: [string, { given: string | null | undefined; want: string | null }][] = [
    ["plain", { given: "1234.50", want: "1234.50" }],
    ["keeps the scale", { given: "0.1000", want: "0.1000" }],
    ["whole", { given: "15", want: "15" }],
    ["negative", { given: "-12.30", want: "-12.30" }],
    ["currency sign", { given: "$99.99", want: "99.99" }],
    ["negative with currency sign", { given: "-$5.00", want: "-5.00" }],
    ["thousands separators", { given: "1,234,567.89", want: "1234567.89" }],
    ["padded", { given: " 7.50 ", want: "7.50" }],
    ["null", { given: null, want: null }],
    ["undefined", { given: undefined, want: null }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(moneyText(given)).toBe(want);
  });

  it.each(["", "abc", "1,2", "12,50", "1e3", "€5"])("refuses %j", (given) => {
    expect(() => moneyText(given)).toThrow(MoneyFormatError);
  });
});

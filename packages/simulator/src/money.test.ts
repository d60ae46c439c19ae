import { Decimal } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { allocate, cents, divide } from "./money.ts";

const d = (text: string) => Decimal.parse(text);

describe("divide", () => {
  it.each([
    ["exact", { given: ["10.00", "4"], want: "2.50" }],
    ["rounds half up", { given: ["1.00", "8"], want: "0.13" }],
    ["repeating", { given: ["656.80", "3"], want: "218.93" }],
    ["negative", { given: ["-1.00", "8"], want: "-0.13" }],
    ["fractional divisor", { given: ["10", "2.5"], want: "4.00" }],
  ])("%s", (_name, { given: [value = "0", divisor = "1"], want }) => {
    expect(divide(d(value), d(divisor)).toFixed(2)).toBe(want);
  });

  it("refuses zero", () => {
    expect(() => divide(d("1"), d("0"))).toThrow(RangeError);
  });
});

describe("allocate", () => {
  it.each([
    [
      "proportional, remainder on the last part",
      { total: "10.00", weights: ["1", "1", "1"], want: ["3.33", "3.33", "3.34"] },
    ],
    ["by value", { total: "7.25", weights: ["100.00", "0.00", "300.00"], want: ["1.81", "0.00", "5.44"] }],
    ["no weight", { total: "5.00", weights: ["0", "0"], want: ["0.00", "0.00"] }],
  ])("%s", (_name, { total, weights, want }) => {
    const parts = allocate(d(total), weights.map(d));
    expect(parts.map(cents)).toEqual(want);
    if (weights.some((weight) => weight !== "0")) expect(cents(Decimal.sum(parts))).toBe(cents(d(total)));
  });
});

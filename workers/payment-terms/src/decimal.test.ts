import { MoneyFormatError } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { decimalFromNumber } from "./decimal.ts";

describe("decimalFromNumber", () => {
  const cases: [string, { given: number; want: string }][] = [
    ["typical rate", { given: 0.0825, want: "0.0825" }],
    ["zero", { given: 0, want: "0" }],
    ["whole", { given: 1, want: "1" }],
    ["tiny, printed with an exponent", { given: 1e-7, want: "0.0000001" }],
    ["tiny with digits", { given: 1.25e-7, want: "0.000000125" }],
    ["large, printed with an exponent", { given: 1e21, want: "1000000000000000000000" }],
    ["large with digits", { given: 1.5e21, want: "1500000000000000000000" }],
    ["negative", { given: -0.05, want: "-0.05" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(decimalFromNumber(given).toString()).toBe(want);
  });

  it("refuses NaN and Infinity", () => {
    expect(() => decimalFromNumber(Number.NaN)).toThrow(MoneyFormatError);
    expect(() => decimalFromNumber(Number.POSITIVE_INFINITY)).toThrow(MoneyFormatError);
  });
});

import { describe, expect, it } from "vitest";
import { Decimal, MoneyFormatError } from "./money.ts";

describe("Decimal.parse", () => {
  const valid: [string, { given: string | number; want: string }][] = [
    ["zero with cents", { given: "0.00", want: "0.00" }],
    ["negative", { given: "-12.30", want: "-12.30" }],
    ["large", { given: "1234567.89", want: "1234567.89" }],
    ["whole", { given: "15", want: "15" }],
    ["padded", { given: " 7.5 ", want: "7.5" }],
    ["number", { given: 12.3, want: "12.3" }],
    ["plus sign", { given: "+1.01", want: "1.01" }],
  ];
  it.each(valid)("%s", (_, { given, want }) => {
    expect(Decimal.parse(given).toString()).toBe(want);
  });

  const invalid: [string, string | number][] = [
    ["empty", ""],
    ["exponent", "1e3"],
    ["thousands separator", "1,000.00"],
    ["letters", "abc"],
    ["two points", "1.2.3"],
    ["trailing point", "5."],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["tiny number in exponent form", 1e-7],
    ["too many decimals", "0.0000000000001"],
  ];
  it.each(invalid)("rejects %s", (_, given) => {
    expect(() => Decimal.parse(given)).toThrow(MoneyFormatError);
  });

  it("keeps null as null for ServiceTitan money fields", () => {
    expect(Decimal.fromServiceTitan(null)).toBeNull();
    expect(Decimal.fromServiceTitan(undefined)).toBeNull();
    expect(Decimal.fromServiceTitan("10.00")?.toFixed(2)).toBe("10.00");
    expect(() => Decimal.fromServiceTitan("ten")).toThrow(MoneyFormatError);
  });
});

describe("Decimal arithmetic", () => {
  it("adds without binary floating point error", () => {
    expect(Decimal.parse("0.1").plus(Decimal.parse("0.2")).toFixed(2)).toBe("0.30");
    expect(Decimal.sum(["100.10", "0.20", "-0.30"].map((v) => Decimal.parse(v))).toFixed(2)).toBe("100.00");
    expect(Decimal.sum([]).toFixed(2)).toBe("0.00");
  });

  it("compares across scales", () => {
    expect(Decimal.parse("12.30").equals(Decimal.parse("12.3"))).toBe(true);
    expect(Decimal.parse("12.31").compare(Decimal.parse("12.3"))).toBe(1);
    expect(Decimal.parse("-0.01").compare(Decimal.ZERO)).toBe(-1);
    expect(Decimal.parse("-0.01").isNegative()).toBe(true);
    expect(Decimal.parse("0.00").isZero()).toBe(true);
  });

  const rounding: [string, { given: string; mode: "half-up" | "half-even"; want: string }][] = [
    ["half-up tie", { given: "0.125", mode: "half-up", want: "0.13" }],
    ["half-even tie down", { given: "0.125", mode: "half-even", want: "0.12" }],
    ["half-even tie up", { given: "0.135", mode: "half-even", want: "0.14" }],
    ["negative half-up", { given: "-0.125", mode: "half-up", want: "-0.13" }],
    ["below half", { given: "2.4449", mode: "half-up", want: "2.44" }],
    ["pads", { given: "3", mode: "half-up", want: "3.00" }],
    ["sub-cent negative to zero-ish", { given: "-0.004", mode: "half-up", want: "0.00" }],
  ];
  it.each(rounding)("rounds %s", (_, { given, mode, want }) => {
    expect(Decimal.parse(given).toFixed(2, mode)).toBe(want);
  });

  it("multiplies exactly (tax on an amount)", () => {
    const tax = Decimal.parse("199.99").times(Decimal.parse("0.0825"));
    expect(tax.toString()).toBe("16.499175");
    expect(tax.toFixed(2, "half-up")).toBe("16.50");
  });

  it("converts to a JSON number only when exact", () => {
    expect(Decimal.parse("12.30").toNumber()).toBe(12.3);
    expect(Decimal.parse("1234567.89").toNumber()).toBe(1234567.89);
    expect(() => Decimal.parse("90071992547409.93").toNumber()).toThrow(MoneyFormatError);
    expect(JSON.stringify({ amount: Decimal.parse("5.10") })).toBe('{"amount":"5.10"}');
  });
});

describe("Decimal.fromNumber", () => {
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
    expect(Decimal.fromNumber(given).toString()).toBe(want);
  });

  it("refuses NaN and Infinity", () => {
    expect(() => Decimal.fromNumber(Number.NaN)).toThrow(MoneyFormatError);
    expect(() => Decimal.fromNumber(Number.POSITIVE_INFINITY)).toThrow(MoneyFormatError);
  });
});

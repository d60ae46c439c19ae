import { describe, expect, it } from "vitest";
import { decimalText } from "./decimal.ts";

describe("decimalText", () => {
  it.each([
    ["a percentage", 2.5, "2.5"],
    ["a tiny number printed with an exponent", 1e-7, "0.0000001"],
    ["null", null, null],
    ["absent", undefined, null],
  ])("%s", (_, given, want) => {
    expect(decimalText(given)).toBe(want);
  });
});

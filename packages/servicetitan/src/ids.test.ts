import { describe, expect, it } from "vitest";
import { InvalidIdError, isId, parseId } from "./ids.ts";

describe("parseId", () => {
  it.each([
    ["number", 42, 42],
    ["string", "42", 42],
    ["largest safe", "9007199254740991", 9007199254740991],
  ])("accepts %s", (_, given, want) => {
    expect(parseId(given)).toBe(want);
  });

  it.each([
    ["beyond 2^53 - 1 (would round to another id)", "9007199254740993"],
    ["unsafe number", 2 ** 53],
    ["zero", 0],
    ["negative", -1],
    ["fraction", 1.5],
    ["exponent", "1e3"],
    ["empty", ""],
    ["hex", "0x10"],
    ["null", null],
  ])("rejects %s", (_, given) => {
    expect(() => parseId(given)).toThrow(InvalidIdError);
    expect(isId(given)).toBe(false);
  });
});

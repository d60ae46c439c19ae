// The payment-specific value rule (the shared ones are tested in @st-edge/edge inputs.test.ts).
import { describe, expect, it } from "vitest";
import { memoProblem } from "./inputs.ts";

describe("memoProblem", () => {
  it("reserves the marker prefix and refuses placeholders", () => {
    expect(memoProblem("Paid by check 1001")).toBeUndefined();
    expect(memoProblem("copied [ste:0123456789abcdef]")).toBe(
      'must not contain "[ste:" (reserved for tracing)',
    );
    expect(memoProblem("{{memo}}")).toBe("contains an unfilled template placeholder ({{...}})");
  });
});

// The memo marker: derived from tenant + key, appended after the caller's memo, found again.
import { describe, expect, it } from "vitest";
import { hasMarker, MARKER_LENGTH, MAX_CALLER_MEMO, markerFor, splitMemo, withMarker } from "./marker.ts";

describe("marker", () => {
  it("is short, stable, and differs by tenant and key", async () => {
    const a = await markerFor(1000001, "order-42");
    expect(a).toMatch(/^\[ste:[0-9a-f]{16}\]$/);
    expect(a).toHaveLength(MARKER_LENGTH);
    expect(await markerFor(1000001, "order-42")).toBe(a);
    expect(await markerFor(2000002, "order-42")).not.toBe(a);
    expect(await markerFor(1000001, "order-43")).not.toBe(a);
  });

  it("keeps the caller's memo intact in front and fits 255 characters", async () => {
    const marker = await markerFor(1, "k");
    const memo = "x".repeat(MAX_CALLER_MEMO);
    const sent = withMarker(memo, marker);
    expect(sent.startsWith(memo)).toBe(true);
    expect(sent).toHaveLength(255);
    expect(withMarker(null, marker)).toBe(marker);
    expect(splitMemo(sent)).toEqual({ memo, marker });
    expect(splitMemo(marker)).toEqual({ memo: null, marker });
    expect(splitMemo("plain")).toEqual({ memo: "plain", marker: null });
    expect(hasMarker(`  ${sent} `, marker)).toBe(true);
    expect(hasMarker("other [ste:0000000000000000]", marker)).toBe(false);
  });
});

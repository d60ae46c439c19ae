// The marker: derived from tenant + key (+ kind), appended after the caller's text, found again.
import { describe, expect, it } from "vitest";
import { hasMarker, looksLikeMarker, MARKER_LENGTH, markerFor, splitMarker, withMarker } from "./marker.ts";

describe("marker", () => {
  it("is short, stable, and differs by tenant, key and kind", async () => {
    const a = await markerFor(1000001, "order-42");
    expect(a).toMatch(/^\[ste:[0-9a-f]{16}\]$/);
    expect(a).toHaveLength(MARKER_LENGTH);
    expect(await markerFor(1000001, "order-42")).toBe(a);
    expect(await markerFor(2000002, "order-42")).not.toBe(a);
    expect(await markerFor(1000001, "order-43")).not.toBe(a);
    expect(await markerFor(1000001, "order-42", "adjustment-invoice")).not.toBe(a);
  });

  it("keeps the caller's text intact in front, and splits it off again", async () => {
    const marker = await markerFor(1, "k");
    const text = "x".repeat(232);
    const sent = withMarker(text, marker);
    expect(sent.startsWith(text)).toBe(true);
    expect(sent).toHaveLength(255);
    expect(withMarker(null, marker)).toBe(marker);
    expect(splitMarker(sent)).toEqual({ text, marker });
    expect(splitMarker(marker)).toEqual({ text: null, marker });
    expect(splitMarker("plain")).toEqual({ text: "plain", marker: null });
    expect(hasMarker(`  ${sent} `, marker)).toBe(true);
    expect(hasMarker("other [ste:0000000000000000]", marker)).toBe(false);
  });

  it("recognises text that only looks like a marker", () => {
    expect(looksLikeMarker("paid [STE:abc")).toBe(true);
    expect(looksLikeMarker("paid in cash")).toBe(false);
  });
});

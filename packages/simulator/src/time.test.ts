import { describe, expect, it } from "vitest";
import { formatDate, formatTimestamp, parseDateTime } from "./time.ts";

describe("parseDateTime", () => {
  it.each([
    ["RFC 3339 UTC", "2026-03-04T05:06:07Z", Date.UTC(2026, 2, 4, 5, 6, 7)],
    ["seven fractional digits", "2026-03-04T05:06:07.2876004Z", Date.UTC(2026, 2, 4, 5, 6, 7, 287)],
    ["offset", "2026-03-04T05:06:07+02:00", Date.UTC(2026, 2, 4, 3, 6, 7)],
    ["no zone means UTC", "2026-03-04T05:06", Date.UTC(2026, 2, 4, 5, 6)],
    ["a bare date", "2026-03-04", Date.UTC(2026, 2, 4)],
    ["leap day", "2028-02-29", Date.UTC(2028, 1, 29)],
  ])("%s", (_name, text, want) => {
    expect(parseDateTime(text)).toBe(want);
  });

  it.each([
    "",
    "yesterday",
    "2026-02-30",
    "2027-02-29",
    "2026-13-01",
    "2026-03-04T24:00:00Z",
    "1700000000",
    "2026-03-04T05:06:07+2",
  ])("rejects %j", (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});

describe("formatting", () => {
  it("writes .NET-style timestamps and midnight dates", () => {
    const at = Date.UTC(2026, 2, 4, 5, 6, 7, 89);
    expect(formatTimestamp(at)).toBe("2026-03-04T05:06:07.0890000Z");
    expect(formatDate(at)).toBe("2026-03-04T00:00:00Z");
    expect(parseDateTime(formatTimestamp(at))).toBe(at);
  });
});

import { describe, expect, it } from "vitest";
import { stampKey } from "./stamp.ts";

describe("stampKey", () => {
  const cases: [string, { given: [string, string]; want: "<" | "=" | ">" }][] = [
    [
      "seven-digit ticks keep their order",
      { given: ["2026-01-05T10:00:00.2876004Z", "2026-01-05T10:00:00.2876005Z"], want: "<" },
    ],
    [
      "ticks vs milliseconds",
      { given: ["2026-01-05T10:00:00.1Z", "2026-01-05T10:00:00.1000000Z"], want: "=" },
    ],
    ["no fraction", { given: ["2026-01-05T10:00:00Z", "2026-01-05T10:00:00.0000001Z"], want: "<" }],
    ["offsets are honoured", { given: ["2026-01-05T12:00:00+02:00", "2026-01-05T10:00:00Z"], want: "=" }],
    ["no zone means UTC", { given: ["2026-01-05T10:00:00", "2026-01-05T10:00:00Z"], want: "=" }],
    ["later day", { given: ["2026-01-06T00:00:00Z", "2026-01-05T23:59:59.9999999Z"], want: ">" }],
    ["unreadable sorts oldest", { given: ["yesterday", "1970-01-01T00:00:00Z"], want: "<" }],
  ];
  it.each(cases)("%s", (_, { given: [a, b], want }) => {
    const [ka, kb] = [stampKey(a), stampKey(b)];
    expect(ka < kb ? "<" : ka > kb ? ">" : "=").toBe(want);
  });
});

import { describe, expect, it } from "vitest";
import { createdBound } from "./created-bounds.ts";

describe("createdBound", () => {
  const cases: [string, { given: [string, "from" | "to"]; want: string }][] = [
    ["a day starts at midnight UTC", { given: ["2026-03-01", "from"], want: "2026-03-01T00:00:00Z" }],
    ["a day ends at its last tick", { given: ["2026-03-31", "to"], want: "2026-03-31T23:59:59.9999999Z" }],
    [
      "a date-time passes as given",
      { given: ["2026-03-01T08:30:00Z", "from"], want: "2026-03-01T08:30:00Z" },
    ],
    ["an offset is kept", { given: ["2026-03-31T18:00:00-05:00", "to"], want: "2026-03-31T18:00:00-05:00" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(createdBound(...given)).toBe(want);
  });
});

// The poll's selection: newest first, never cutting a tie, ties judged as instants.
import { describe, expect, it } from "vitest";
import { newestVersions } from "./poll.ts";

const at = (id: number, modifiedOn: string) => ({ id, modifiedOn });

describe("newestVersions", () => {
  const cases: [string, { given: { id: number; modifiedOn: string }[]; limit: number; want: number[] }][] = [
    [
      "the newest `limit`",
      {
        given: [at(1, "2026-01-01T00:00:01Z"), at(2, "2026-01-01T00:00:03Z"), at(3, "2026-01-01T00:00:02Z")],
        limit: 2,
        want: [2, 3],
      },
    ],
    [
      "a tie with the last one comes too",
      {
        given: [at(1, "2026-01-01T00:00:02Z"), at(2, "2026-01-01T00:00:03Z"), at(3, "2026-01-01T00:00:02Z")],
        limit: 2,
        want: [2, 3, 1],
      },
    ],
    [
      "a tie written with ServiceTitan's seven digits is still a tie",
      {
        given: [
          at(1, "2026-01-01T00:00:02.5Z"),
          at(2, "2026-01-01T00:00:02.5000000Z"),
          at(3, "2026-01-01T00:00:01Z"),
        ],
        limit: 1,
        want: [2, 1],
      },
    ],
    ["fewer than `limit`", { given: [at(1, "2026-01-01T00:00:01Z")], limit: 5, want: [1] }],
  ];
  it.each(cases)("%s", (_, { given, limit, want }) => {
    expect(newestVersions(given, limit).map((payment) => payment.id)).toEqual(want);
  });
});

import { describe, expect, it } from "vitest";
import { newestFirst, planAfterFirstPage } from "./poll.ts";

describe("newestFirst", () => {
  const bill = (id: number, createdOn: string | null) => ({ id, createdOn });
  const cases: [string, { given: { bills: ReturnType<typeof bill>[]; limit: number }; want: number[] }][] = [
    [
      "newest first",
      {
        given: {
          bills: [
            bill(1, "2026-01-01T00:00:00Z"),
            bill(2, "2026-01-03T00:00:00Z"),
            bill(3, "2026-01-02T00:00:00Z"),
          ],
          limit: 10,
        },
        want: [2, 3, 1],
      },
    ],
    [
      "shared timestamps are all kept, higher id first",
      {
        given: {
          bills: [
            bill(5, "2026-01-01T00:00:00Z"),
            bill(7, "2026-01-01T00:00:00Z"),
            bill(6, "2026-01-01T00:00:00Z"),
          ],
          limit: 10,
        },
        want: [7, 6, 5],
      },
    ],
    [
      "limit keeps the newest",
      {
        given: {
          bills: [
            bill(1, "2026-01-01T00:00:00Z"),
            bill(2, "2026-01-02T00:00:00Z"),
            bill(3, "2026-01-03T00:00:00Z"),
          ],
          limit: 2,
        },
        want: [3, 2],
      },
    ],
    [
      "a bill read on two pages appears once",
      {
        given: { bills: [bill(1, "2026-01-01T00:00:00Z"), bill(1, "2026-01-01T00:00:00Z")], limit: 10 },
        want: [1],
      },
    ],
    [
      "missing stamps last",
      { given: { bills: [bill(9, null), bill(1, "2026-01-01T00:00:00Z")], limit: 10 }, want: [1, 9] },
    ],
    ["nothing", { given: { bills: [], limit: 3 }, want: [] }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(newestFirst(given.bills, (b) => b.createdOn, given.limit).map((b) => b.id)).toEqual(want);
  });
});

describe("planAfterFirstPage", () => {
  const cases: [
    string,
    { given: { hasMore: boolean; totalCount?: number | null }; want: ReturnType<typeof planAfterFirstPage> },
  ][] = [
    [
      "everything on page 1",
      { given: { hasMore: false, totalCount: 12 }, want: { nextPage: null, truncated: false } },
    ],
    ["two pages", { given: { hasMore: true, totalCount: 900 }, want: { nextPage: 2, truncated: false } }],
    [
      "exactly two pages",
      { given: { hasMore: true, totalCount: 1000 }, want: { nextPage: 2, truncated: false } },
    ],
    [
      "three pages: read the last, skip the middle",
      { given: { hasMore: true, totalCount: 1001 }, want: { nextPage: 3, truncated: true } },
    ],
    [
      "no total: read page 2",
      { given: { hasMore: true, totalCount: null }, want: { nextPage: 2, truncated: false } },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(planAfterFirstPage(given, 500)).toEqual(want);
  });
});

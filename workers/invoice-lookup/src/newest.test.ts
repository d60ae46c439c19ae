// The windowed "newest N" search, checked against the plain answer (sort everything, take N)
// over random data full of timestamp ties, for each reading of the window bounds ServiceTitan
// might have, and under call budgets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EARLIEST,
  instant,
  newestFirst,
  newestModified,
  splitWindow,
  type TimeWindow,
  type WindowPage,
} from "./newest.ts";

interface Row {
  id: number;
  modifiedOn: string;
}

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** .NET-style stamp: milliseconds plus four more digits. */
const stamp = (ms: number, ticks: number) =>
  new Date(ms).toISOString().replace(/Z$/, `${String(ticks).padStart(4, "0")}Z`);

type Bounds = "documented" | "exclusive-from" | "inclusive-to";

/**
 * A list function over `rows` with ServiceTitan's paging (id order, 1-based pages), filtered by
 * modified date with the given reading of the bounds: the search must not depend on which.
 */
function listing(rows: Row[], pageSize: number, bounds: Bounds, withTotal = true) {
  const calls: TimeWindow[] = [];
  const fetchPage = async (window: TimeWindow, page: number): Promise<WindowPage<Row>> => {
    calls.push(window);
    const from = window.from === undefined ? undefined : BigInt(window.from) * 1_000_000n;
    const to = window.to === undefined ? undefined : BigInt(window.to) * 1_000_000n;
    const matching = rows
      .filter((row) => {
        const at = instant(row.modifiedOn);
        const afterFrom = from === undefined || (bounds === "exclusive-from" ? at > from : at >= from);
        const beforeTo = to === undefined || (bounds === "inclusive-to" ? at <= to : at < to);
        return afterFrom && beforeTo;
      })
      .sort((a, b) => a.id - b.id);
    const start = (page - 1) * pageSize;
    return {
      data: matching.slice(start, start + pageSize),
      hasMore: matching.length > start + pageSize,
      totalCount: withTotal ? matching.length : null,
    };
  };
  return { fetchPage, calls };
}

/** Rows with few distinct timestamps (ties), some at whole milliseconds (on window bounds). */
const rowsArbitrary = fc
  .tuple(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 40 * 86_400_000 }), fc.integer({ min: 0, max: 3 })), {
      minLength: 1,
      maxLength: 12,
    }),
    fc.integer({ min: 0, max: 400 }),
  )
  .chain(([moments, count]) =>
    fc.array(fc.nat({ max: moments.length - 1 }), { minLength: count, maxLength: count }).map((picks) =>
      picks.map((pick, index): Row => {
        const [ago = 0, ticks = 0] = moments[pick] ?? [];
        return { id: 1000 + index * 7, modifiedOn: stamp(NOW - ago, ticks) };
      }),
    ),
  );

describe("instant", () => {
  const cases: [string, { given: string | null; want: bigint }][] = [
    ["seconds", { given: "1970-01-01T00:00:01Z", want: 1_000_000_000n }],
    ["seven fractional digits", { given: "1970-01-01T00:00:00.0000001Z", want: 100n }],
    ["no zone is UTC", { given: "1970-01-01T00:00:01.5", want: 1_500_000_000n }],
    ["an offset", { given: "1970-01-01T01:00:00+01:00", want: 0n }],
    ["unreadable", { given: "yesterday", want: -1n }],
    ["missing", { given: null, want: -1n }],
  ];
  it.each(cases)("%s", (_, { given, want }) => expect(instant(given)).toBe(want));

  it("orders .NET stamps that string comparison gets wrong", () => {
    expect(instant("2026-01-01T00:00:38Z") < instant("2026-01-01T00:00:38.5Z")).toBe(true);
  });
});

describe("newestFirst", () => {
  it("sorts by time, then by id, highest first", () => {
    const rows = [
      { id: 1, modifiedOn: "2026-01-01T00:00:00Z" },
      { id: 3, modifiedOn: "2026-01-01T00:00:00Z" },
      { id: 2, modifiedOn: "2026-01-02T00:00:00Z" },
    ];
    expect(newestFirst(rows).map((row) => row.id)).toEqual([2, 3, 1]);
  });
});

describe("splitWindow", () => {
  const page = (stamps: number[], totalCount: number | null): WindowPage<Row> => ({
    data: stamps.map((ms, index) => ({ id: index + 1, modifiedOn: stamp(ms, 5) })),
    hasMore: true,
    totalCount,
  });

  it("makes smaller windows that still cover every instant, whatever the bound semantics", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: EARLIEST, max: NOW }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 10 ** 10 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 10 ** 6 }), { nil: null }),
        fc.array(fc.integer({ min: 0, max: 10 ** 10 }), { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1024 }),
        (from, width, total, offsets, tie, boost) => {
          const window = { from, to: width === undefined ? undefined : (from ?? EARLIEST) + width };
          const lo = window.from ?? EARLIEST;
          const hi = window.to ?? NOW + 1;
          // A sample inside the window; `tie` puts it all on one millisecond.
          const stamps = offsets.map((offset, index) =>
            tie
              ? lo + ((offsets[0] ?? 0) % Math.max(1, hi - lo))
              : lo + (offset % Math.max(1, hi - lo)) + index,
          );
          const pieces = splitWindow(window, page(stamps, total), 100, NOW, boost);
          if (!pieces) {
            expect(hi - lo).toBeLessThanOrEqual(3);
            return;
          }
          for (const piece of pieces) {
            const narrower =
              (piece.from ?? EARLIEST) > lo ||
              (piece.to ?? Number.POSITIVE_INFINITY) < (window.to ?? Number.POSITIVE_INFINITY);
            expect(narrower).toBe(true);
          }
          // Any instant strictly inside the window is strictly inside some piece (so a record on a
          // piece's boundary is read by a neighbour whichever way the bounds are read).
          const probes = [lo + 0.5, hi - 0.5, ...stamps, ...stamps.map((ms) => ms + 1), (lo + hi) / 2];
          for (const t of probes.filter((t) => t > lo && t < hi)) {
            const inside = pieces.some(
              (piece) =>
                (piece.from === undefined || piece.from < t) && (piece.to === undefined || t < piece.to),
            );
            expect(inside, `instant ${t} of [${lo}, ${hi})`).toBe(true);
          }
        },
      ),
    );
  });

  it("gives a page-filling tie group a window of its own", () => {
    const at = Date.UTC(2026, 5, 1);
    const pieces = splitWindow({ from: EARLIEST }, page([at, at, at, at + 1], 5000), 100, NOW);
    expect(pieces).toEqual([{ from: at + 1 }, { from: at - 1, to: at + 2 }, { from: EARLIEST, to: at }]);
  });

  it("does not split a window of a few milliseconds", () => {
    expect(splitWindow({ from: 10, to: 13 }, page([11, 12], 5000), 100, NOW)).toBeUndefined();
  });
});

describe("newestModified", () => {
  const bounds: Bounds[] = ["documented", "exclusive-from", "inclusive-to"];

  it.each(bounds)("finds exactly the newest N, ties included (bounds read as %s)", async (reading) => {
    await fc.assert(
      fc.asyncProperty(
        rowsArbitrary,
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 2, max: 25 }),
        fc.boolean(),
        async (rows, limit, pageSize, withTotal) => {
          const { fetchPage } = listing(rows, pageSize, reading, withTotal);
          const result = await newestModified({
            window: {},
            limit,
            pageSize,
            now: NOW,
            maxCalls: 10_000,
            fetchPage,
          });
          expect(result.complete).toBe(true);
          expect(result.records).toEqual(newestFirst(rows).slice(0, limit));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("with select, finds the newest N of the selected records, however many newer ones are not", async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArbitrary,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 25 }),
        fc.integer({ min: 2, max: 5 }),
        async (rows, limit, pageSize, every) => {
          const { fetchPage } = listing(rows, pageSize, "documented");
          const chosen = (row: Row) => row.id % every === 0;
          const result = await newestModified({
            window: {},
            limit,
            pageSize,
            now: NOW,
            maxCalls: 10_000,
            fetchPage,
            select: async (page) => page.filter(chosen),
          });
          expect(result.records).toEqual(newestFirst(rows.filter(chosen)).slice(0, limit));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("answers a prefix of the right answer when the call budget runs out", async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, fc.integer({ min: 1, max: 6 }), async (rows, maxCalls) => {
        const { fetchPage, calls } = listing(rows, 5, "documented");
        const result = await newestModified({
          window: {},
          limit: 50,
          pageSize: 5,
          now: NOW,
          maxCalls,
          fetchPage,
        });
        expect(calls.length).toBeLessThanOrEqual(maxCalls);
        const expected = newestFirst(rows).slice(0, 50);
        expect(result.records).toEqual(expected.slice(0, result.records.length));
        if (result.complete) expect(result.records).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it("keeps a lower bound inclusive", async () => {
    const rows = [
      { id: 1, modifiedOn: "2026-11-01T00:00:00.0000000Z" },
      { id: 2, modifiedOn: "2026-10-31T23:59:59.9999999Z" },
    ];
    const { fetchPage } = listing(rows, 10, "documented");
    const result = await newestModified({
      window: { from: Date.parse("2026-11-01T00:00:00Z") },
      limit: 10,
      pageSize: 10,
      now: NOW,
      maxCalls: 5,
      fetchPage,
    });
    expect(result.records.map((row) => row.id)).toEqual([1]);
  });

  it("reads a tie group larger than a page in full, page by page", async () => {
    const rows = Array.from({ length: 23 }, (_, index) => ({
      id: index + 1,
      modifiedOn: "2026-11-19T00:00:00.0000000Z",
    }));
    const { fetchPage, calls } = listing(rows, 5, "documented");
    const result = await newestModified({
      window: {},
      limit: 20,
      pageSize: 5,
      now: NOW,
      maxCalls: 100,
      fetchPage,
    });
    expect(result.records.map((row) => row.id)).toEqual(Array.from({ length: 20 }, (_, index) => 23 - index));
    expect(calls.length).toBeLessThan(60);
  });

  it("needs one call when everything fits in a page", async () => {
    const rows = [{ id: 1, modifiedOn: "2026-11-01T00:00:00Z" }];
    const { fetchPage, calls } = listing(rows, 10, "documented");
    await newestModified({ window: {}, limit: 5, pageSize: 10, now: NOW, maxCalls: 5, fetchPage });
    expect(calls).toEqual([{}]);
  });

  it.each([
    [
      "steady activity, ids rising with time",
      Array.from({ length: 6000 }, (_, index) => ({
        id: index + 1,
        modifiedOn: stamp(NOW - (6000 - index) * 430_000, 0),
      })),
      3,
    ],
    [
      "a quiet month after one big batch posting",
      Array.from({ length: 900 }, (_, index) => ({
        id: index + 1,
        modifiedOn: stamp(NOW - 20 * 86_400_000, 0),
      })),
      // One to see it, one above the tie, and the tie read whole (900 / 200 pages).
      7,
    ],
  ])("stays within a few calls on realistic data: %s", async (_, rows, most) => {
    const { fetchPage, calls } = listing(rows, 200, "documented");
    const result = await newestModified({
      window: { from: NOW - 30 * 86_400_000 },
      limit: 100,
      pageSize: 200,
      now: NOW,
      maxCalls: 10,
      fetchPage,
    });
    expect(result.records).toEqual(newestFirst(rows).slice(0, 100));
    expect(calls.length).toBeLessThanOrEqual(most);
  });

  it("stops starting calls once out of time", async () => {
    const rows = Array.from({ length: 50 }, (_, index) => ({
      id: index + 1,
      modifiedOn: stamp(NOW - index * 60_000, 0),
    }));
    const { fetchPage, calls } = listing(rows, 5, "documented");
    const result = await newestModified({
      window: {},
      limit: 30,
      pageSize: 5,
      now: NOW,
      maxCalls: 100,
      outOfTime: () => calls.length >= 3,
      fetchPage,
    });
    expect(calls).toHaveLength(3);
    expect(result.complete).toBe(false);
  });
});

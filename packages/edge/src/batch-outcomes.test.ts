import { describe, expect, it } from "vitest";
import { outcomesFor } from "./batch-outcomes.ts";
import { ProblemError } from "./problem.ts";

type Result = { billId?: number; success?: boolean; errorMessage?: string | null };
const read = (result: Result) => ({
  id: result.billId,
  success: result.success,
  errorMessage: result.errorMessage,
});

describe("outcomesFor", () => {
  const cases: [
    string,
    { given: { ids: number[]; answer: Result[] }; want: ReturnType<typeof outcomesFor> },
  ][] = [
    [
      "one outcome per id, in the order asked",
      {
        given: {
          ids: [3, 1],
          answer: [
            { billId: 1, success: true, errorMessage: null },
            { billId: 3, success: false, errorMessage: "Bill 3 is canceled." },
          ],
        },
        want: [
          { id: 3, success: false, errorMessage: "Bill 3 is canceled." },
          { id: 1, success: true, errorMessage: null },
        ],
      },
    ],
    [
      "an id ServiceTitan left out fails, saying so",
      {
        given: { ids: [1, 2], answer: [{ billId: 1, success: true }] },
        want: [
          { id: 1, success: true, errorMessage: null },
          { id: 2, success: false, errorMessage: "ServiceTitan's answer did not report on this id" },
        ],
      },
    ],
    [
      "an id reported twice counts once (the first); ids not asked for are dropped",
      {
        given: {
          ids: [1],
          answer: [
            { billId: 1, success: true },
            { billId: 1, success: false },
            { billId: 9, success: true },
          ],
        },
        want: [{ id: 1, success: true, errorMessage: null }],
      },
    ],
    [
      "a result without success is no success",
      { given: { ids: [1], answer: [{ billId: 1 }] }, want: [{ id: 1, success: false, errorMessage: null }] },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(outcomesFor(given.ids, given.answer, read)).toEqual(want);
  });

  it("refuses an answer that is not a list", () => {
    expect(() => outcomesFor([1], undefined, read)).toThrow(ProblemError);
  });
});

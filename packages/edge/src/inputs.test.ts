// Table tests for the value rules: amounts, dates and automation placeholders.
import { describe, expect, it } from "vitest";
import { amountProblem, dateProblem, parseAmount, placeholderProblem, toUtcDateTime } from "./inputs.ts";

describe("amountProblem", () => {
  const cases: [string, { given: unknown; want: string | undefined }][] = [
    ["decimal text", { given: "125.50", want: undefined }],
    ["whole number", { given: 40, want: undefined }],
    ["one decimal number", { given: 12.3, want: undefined }],
    ["trailing zeros beyond two places", { given: "1.2300", want: undefined }],
    ["surrounding spaces", { given: " 9.99 ", want: undefined }],
    ["binary float residue", { given: 0.1 + 0.2, want: "must have at most 2 decimal places" }],
    ["three decimals", { given: "1.005", want: "must have at most 2 decimal places" }],
    ["zero", { given: "0.00", want: "must be greater than 0" }],
    ["zero number", { given: 0, want: "must be greater than 0" }],
    ["negative", { given: "-5", want: "must be greater than 0" }],
    ["exponent", { given: 1e21, want: "must be a decimal amount such as 12.34" }],
    ["thousands separator", { given: "1,000.00", want: "must be a decimal amount such as 12.34" }],
    ["currency sign", { given: "$12", want: "must be a decimal amount such as 12.34" }],
    ["NaN", { given: Number.NaN, want: "must be a decimal amount such as 12.34" }],
    ["empty", { given: "", want: "must not be empty" }],
    [
      "template leftover",
      { given: "{{1.amount}}", want: "contains an unfilled template placeholder ({{...}})" },
    ],
    ["the word null", { given: "null", want: '"null" is a placeholder, not a value' }],
    ["too large", { given: "1000000000.00", want: "must be at most 999999999.99" }],
    ["boolean", { given: true, want: "must be a decimal amount such as 12.34 (text or number)" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(amountProblem(given)).toBe(want);
  });

  it("parses exactly, at scale 2", () => {
    expect(parseAmount("1.2300").toFixed(2)).toBe("1.23");
    expect(parseAmount(12.3).toString()).toBe("12.30");
    expect(parseAmount("+7").toString()).toBe("7.00");
  });
});

describe("placeholderProblem", () => {
  const cases: [string, { given: string; want: boolean }][] = [
    ["real text", { given: "Paid at counter", want: false }],
    ["blank", { given: "   ", want: true }],
    ["string", { given: "string", want: true }],
    ["Undefined in any case", { given: "Undefined", want: true }],
    ["zapier field", { given: "{{steps.1.memo}}", want: true }],
    ["embedded template", { given: "check {{num}}", want: true }],
    ["word containing null", { given: "nullable", want: false }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(placeholderProblem(given) !== undefined).toBe(want);
  });
});

describe("dateProblem", () => {
  const cases: [string, { given: string; want: string | undefined }][] = [
    ["date", { given: "2026-01-31", want: undefined }],
    ["date-time", { given: "2026-01-31T15:04:05Z", want: undefined }],
    ["offset", { given: "2026-01-31T15:04:05.123+02:00", want: undefined }],
    [
      "no seconds",
      {
        given: "2026-01-31T15:04Z",
        want: "must be a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T15:00:00Z)",
      },
    ],
    ["impossible day", { given: "2026-02-30", want: "is not a calendar date" }],
    [
      "US format",
      {
        given: "01/31/2026",
        want: "must be a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T15:00:00Z)",
      },
    ],
    ["placeholder year", { given: "0001-01-01", want: "must be between the years 2000 and 2100" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(dateProblem(given)).toBe(want);
  });

  it("sends dates as midnight UTC", () => {
    expect(toUtcDateTime("2026-01-31")).toBe("2026-01-31T00:00:00.000Z");
    expect(toUtcDateTime("2026-01-31T01:00:00+02:00")).toBe("2026-01-30T23:00:00.000Z");
  });
});

describe("amountProblem with sign any (prices)", () => {
  const cases: [string, { given: unknown; want: string | undefined }][] = [
    ["a discount", { given: "-20.00", want: undefined }],
    ["zero", { given: 0, want: undefined }],
    ["negative number", { given: -5.5, want: undefined }],
    ["three decimals", { given: "-1.005", want: "must have at most 2 decimal places" }],
    ["too small", { given: "-1000000000", want: "must be at most 999999999.99" }],
    ["placeholder", { given: "{{price}}", want: "contains an unfilled template placeholder ({{...}})" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(amountProblem(given, { sign: "any" })).toBe(want);
  });
});

describe("dateProblem with dateOnly", () => {
  it("takes a date and refuses a date-time", () => {
    expect(dateProblem("2026-03-01", { dateOnly: true })).toBeUndefined();
    expect(dateProblem("2026-03-01T00:00:00Z", { dateOnly: true })).toBe("must be a date such as 2026-01-31");
  });
});

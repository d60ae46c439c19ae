import { ProblemError } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import {
  type DiscountTerm,
  type DueTerm,
  discountFor,
  dueDate,
  formatDay,
  type IfDayPassed,
  type PercentUnit,
  parseDay,
} from "./due-date.ts";

describe("dueDate", () => {
  const cases: [
    string,
    { given: { term: DueTerm; invoiceDate: string; ifDayPassed?: IfDayPassed }; want: string },
  ][] = [
    [
      "net 30",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 30 }, invoiceDate: "2026-01-15" },
        want: "2026-02-14",
      },
    ],
    [
      "net 0 is the invoice date",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 0 }, invoiceDate: "2026-03-01" },
        want: "2026-03-01",
      },
    ],
    [
      "no dueDay counts as 0",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: null }, invoiceDate: "2026-03-01" },
        want: "2026-03-01",
      },
    ],
    [
      "net 30 across February",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 30 }, invoiceDate: "2026-01-31" },
        want: "2026-03-02",
      },
    ],
    [
      "net 30 across February, leap year",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 30 }, invoiceDate: "2028-01-31" },
        want: "2028-03-01",
      },
    ],
    [
      "net 1 onto a leap day",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 1 }, invoiceDate: "2028-02-28" },
        want: "2028-02-29",
      },
    ],
    [
      "net 1 from a leap day",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 1 }, invoiceDate: "2028-02-29" },
        want: "2028-03-01",
      },
    ],
    [
      "net 15 across the year end",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 15 }, invoiceDate: "2026-12-20" },
        want: "2027-01-04",
      },
    ],
    [
      "net 365 across a leap year",
      {
        given: { term: { dueDayType: "NumberOfDays", dueDay: 365 }, invoiceDate: "2028-01-01" },
        want: "2028-12-31",
      },
    ],
    [
      "25th of the current month, not passed",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 25 }, invoiceDate: "2026-01-10" },
        want: "2026-01-25",
      },
    ],
    [
      "25th of the current month, same day",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 25 }, invoiceDate: "2026-01-25" },
        want: "2026-01-25",
      },
    ],
    [
      "25th of the current month, passed → next month",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 25 }, invoiceDate: "2026-01-26" },
        want: "2026-02-25",
      },
    ],
    [
      "passed → invoice date",
      {
        given: {
          term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 25 },
          invoiceDate: "2026-01-26",
          ifDayPassed: "invoiceDate",
        },
        want: "2026-01-26",
      },
    ],
    [
      "passed → keep",
      {
        given: {
          term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 25 },
          invoiceDate: "2026-01-26",
          ifDayPassed: "keep",
        },
        want: "2026-01-25",
      },
    ],
    [
      "31st of the current month in February clamps to the 28th",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 31 }, invoiceDate: "2026-02-10" },
        want: "2026-02-28",
      },
    ],
    [
      "31st of the current month in a leap February clamps to the 29th",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 31 }, invoiceDate: "2028-02-10" },
        want: "2028-02-29",
      },
    ],
    [
      "30th of the current month from a leap day",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 30 }, invoiceDate: "2028-02-29" },
        want: "2028-02-29",
      },
    ],
    [
      "31st in April clamps to the 30th",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 31 }, invoiceDate: "2026-04-01" },
        want: "2026-04-30",
      },
    ],
    [
      "passed in December rolls into January",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 5 }, invoiceDate: "2026-12-20" },
        want: "2027-01-05",
      },
    ],
    [
      "passed in January rolls into February, clamped",
      {
        given: { term: { dueDayType: "CertainDayOfCurrentMonth", dueDay: 30 }, invoiceDate: "2026-01-31" },
        want: "2026-02-28",
      },
    ],
    [
      "10th of the following month",
      {
        given: { term: { dueDayType: "CertainDayOfFollowingMonth", dueDay: 10 }, invoiceDate: "2026-01-31" },
        want: "2026-02-10",
      },
    ],
    [
      "31st of the following month from January 31",
      {
        given: { term: { dueDayType: "CertainDayOfFollowingMonth", dueDay: 31 }, invoiceDate: "2026-01-31" },
        want: "2026-02-28",
      },
    ],
    [
      "31st of the following month, leap year",
      {
        given: { term: { dueDayType: "CertainDayOfFollowingMonth", dueDay: 31 }, invoiceDate: "2028-01-31" },
        want: "2028-02-29",
      },
    ],
    [
      "following month from a leap day",
      {
        given: { term: { dueDayType: "CertainDayOfFollowingMonth", dueDay: 29 }, invoiceDate: "2028-02-29" },
        want: "2028-03-29",
      },
    ],
    [
      "following month from December is January",
      {
        given: { term: { dueDayType: "CertainDayOfFollowingMonth", dueDay: 15 }, invoiceDate: "2026-12-31" },
        want: "2027-01-15",
      },
    ],
    [
      "following month, day 1",
      {
        given: { term: { dueDayType: "CertainDayOfFollowingMonth", dueDay: 1 }, invoiceDate: "2026-11-30" },
        want: "2026-12-01",
      },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(formatDay(dueDate(given.term, parseDay(given.invoiceDate), given.ifDayPassed))).toBe(want);
  });

  const unusable: [string, DueTerm][] = [
    ["certain day without a day", { dueDayType: "CertainDayOfCurrentMonth", dueDay: null }],
    ["certain day 0", { dueDayType: "CertainDayOfFollowingMonth", dueDay: 0 }],
    ["negative days", { dueDayType: "NumberOfDays", dueDay: -1 }],
    ["unknown type", { dueDayType: "EndOfQuarter", dueDay: 1 }],
  ];
  it.each(unusable)("refuses a term with %s as unprocessable", (_, term) => {
    expect(() => dueDate(term, parseDay("2026-01-01"))).toThrow(ProblemError);
  });
});

describe("discountFor", () => {
  const d = Decimal.parse;
  const cases: [
    string,
    {
      given: { term: DiscountTerm; invoiceDate: string; amount?: string; percentUnit?: PercentUnit };
      want: { deadline: string; amount: string | null } | null;
    },
  ][] = [
    [
      "2 % 10 days on 100.00",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 10, discountType: "Percent", discount: d("2") },
          invoiceDate: "2026-01-31",
          amount: "100.00",
        },
        want: { deadline: "2026-02-10", amount: "2.00" },
      },
    ],
    [
      "no amount: deadline only",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 10, discountType: "Percent", discount: d("2") },
          invoiceDate: "2026-01-31",
        },
        want: { deadline: "2026-02-10", amount: null },
      },
    ],
    [
      "percent rounds half-up: 1.5 % of 0.30 = 0.0045 → 0.00; of 0.90 = 0.0135 → 0.01",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 0, discountType: "Percent", discount: d("1.5") },
          invoiceDate: "2026-01-01",
          amount: "0.90",
        },
        want: { deadline: "2026-01-01", amount: "0.01" },
      },
    ],
    [
      "percent tie rounds up: 2.5 % of 1.00 = 0.025 → 0.03",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 5, discountType: "Percent", discount: d("2.5") },
          invoiceDate: "2026-01-01",
          amount: "1.00",
        },
        want: { deadline: "2026-01-06", amount: "0.03" },
      },
    ],
    [
      "percent as a fraction when so configured",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 10, discountType: "Percent", discount: d("0.02") },
          invoiceDate: "2026-01-01",
          amount: "250.00",
          percentUnit: "fraction",
        },
        want: { deadline: "2026-01-11", amount: "5.00" },
      },
    ],
    [
      "fixed discount",
      {
        given: {
          term: { applyBy: "DayOfMonth", applyByValue: 5, discountType: "Fixed", discount: d("25") },
          invoiceDate: "2026-01-03",
          amount: "100.00",
        },
        want: { deadline: "2026-01-05", amount: "25.00" },
      },
    ],
    [
      "fixed discount capped at the amount",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 1, discountType: "Fixed", discount: d("25") },
          invoiceDate: "2026-01-03",
          amount: "10.00",
        },
        want: { deadline: "2026-01-04", amount: "10.00" },
      },
    ],
    [
      "zero amount",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 1, discountType: "Percent", discount: d("2") },
          invoiceDate: "2026-01-03",
          amount: "0",
        },
        want: { deadline: "2026-01-04", amount: "0.00" },
      },
    ],
    [
      "day of month already passed → next month",
      {
        given: {
          term: { applyBy: "DayOfMonth", applyByValue: 5, discountType: "Fixed", discount: d("25") },
          invoiceDate: "2026-12-20",
        },
        want: { deadline: "2027-01-05", amount: null },
      },
    ],
    [
      "day of following month, clamped in February",
      {
        given: {
          term: {
            applyBy: "DayOfFollowingMonth",
            applyByValue: 31,
            discountType: "Percent",
            discount: d("1"),
          },
          invoiceDate: "2026-01-31",
          amount: "99.99",
        },
        // 0.9999 → 1.00
        want: { deadline: "2026-02-28", amount: "1.00" },
      },
    ],
    [
      "day of following month, leap February",
      {
        given: {
          term: {
            applyBy: "DayOfFollowingMonth",
            applyByValue: 30,
            discountType: "Percent",
            discount: d("1"),
          },
          invoiceDate: "2028-01-15",
        },
        want: { deadline: "2028-02-29", amount: null },
      },
    ],
    [
      "no discount when discount is null",
      {
        given: {
          term: { applyBy: null, applyByValue: null, discountType: null, discount: null },
          invoiceDate: "2026-01-01",
          amount: "10.00",
        },
        want: null,
      },
    ],
    [
      "no discount when discount is 0",
      {
        given: {
          term: { applyBy: "NumberOfDays", applyByValue: 10, discountType: "Percent", discount: d("0") },
          invoiceDate: "2026-01-01",
        },
        want: null,
      },
    ],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    const discount = discountFor(
      given.term,
      parseDay(given.invoiceDate),
      given.amount ? d(given.amount) : null,
      {
        percentUnit: given.percentUnit,
      },
    );
    expect(
      discount === null
        ? null
        : { deadline: formatDay(discount.deadline), amount: discount.amount?.toFixed(2) ?? null },
    ).toEqual(want);
  });

  it("refuses an unknown discount type", () => {
    expect(() =>
      discountFor(
        { applyBy: "NumberOfDays", applyByValue: 1, discountType: "Tiered", discount: Decimal.parse("1") },
        parseDay("2026-01-01"),
        Decimal.parse("1"),
      ),
    ).toThrow(ProblemError);
  });
});

describe("parseDay / formatDay", () => {
  it.each(["1900-01-01", "1970-01-01", "2028-02-29", "2026-12-31", "2999-12-31"])(
    "round-trips %s",
    (text) => {
      expect(formatDay(parseDay(text))).toBe(text);
    },
  );
});

// Due dates and early-payment discounts from a payment term, for an invoice date. Pure calendar
// and Decimal arithmetic (no clock, no I/O), tested by tables in due-date.test.ts.
//
// Rules (also in the README and the OpenAPI description):
// - NumberOfDays: invoice date + dueDay days (no dueDay = 0: due on the invoice date).
// - CertainDayOfCurrentMonth: day `dueDay` of the invoice's month, clamped to the month's last day
//   (31 → Feb 28/29). When that day is before the invoice date, `ifDayPassed` decides:
//   "nextMonth" (default) moves to that day of the next month, "invoiceDate" makes it due on the
//   invoice date, "keep" keeps the earlier day. ServiceTitan does not document which it does.
// - CertainDayOfFollowingMonth: day `dueDay` of the month after the invoice's, clamped.
// - Discount deadline, by `applyBy`: NumberOfDays (invoice date + applyByValue days), DayOfMonth
//   (as CertainDayOfCurrentMonth, same `ifDayPassed`), DayOfFollowingMonth (as
//   CertainDayOfFollowingMonth).
// - Discount amount, only when an amount is given: Percent = amount × discount % ; Fixed = the
//   discount, capped at the amount; rounded half-up to cents.
import { ProblemError } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";

const DAY_MS = 86_400_000;

/** A calendar date as days since 1970-01-01 (UTC, so no time zone or DST ever shifts it). */
export type DayNumber = number;

export type IfDayPassed = "nextMonth" | "invoiceDate" | "keep";

/**
 * How ServiceTitan's Percent `discount` is scaled: "percent" (2 = 2 %, as the app shows it and
 * the simulator seeds it) or "fraction" (0.02 = 2 %, like tax rates). UNCONFIRMED upstream, so
 * a deployment can switch with the DISCOUNT_PERCENT_UNIT variable.
 */
export type PercentUnit = "percent" | "fraction";

/** "2026-01-31" → day number. The input is already validated as a real date. */
export function parseDay(text: string): DayNumber {
  const [year = 0, month = 1, day = 1] = text.split("-").map(Number);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** Day number → "2026-01-31". */
export function formatDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day `dayOfMonth` of the month `monthOffset` months after `from`'s, clamped to that month's end. */
export function dayInMonth(from: DayNumber, monthOffset: number, dayOfMonth: number): DayNumber {
  const date = new Date(from * DAY_MS);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + monthOffset;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(dayOfMonth, lastDay)) / DAY_MS;
}

function unusable(detail: string): ProblemError {
  return new ProblemError({ type: "unprocessable", detail });
}

/** Day `dayOfMonth` of the invoice's month, or per `ifDayPassed` when it is before the invoice date. */
function certainDayOfCurrentMonth(
  invoice: DayNumber,
  dayOfMonth: number,
  ifDayPassed: IfDayPassed,
): DayNumber {
  const candidate = dayInMonth(invoice, 0, dayOfMonth);
  if (candidate >= invoice || ifDayPassed === "keep") return candidate;
  return ifDayPassed === "invoiceDate" ? invoice : dayInMonth(invoice, 1, dayOfMonth);
}

const dayOfMonthOrThrow = (value: number | null | undefined, what: string): number => {
  if (value === null || value === undefined || !Number.isInteger(value) || value < 1) {
    throw unusable(`The payment term's ${what} must be a day of the month (1–31), not ${String(value)}`);
  }
  return value;
};

const daysOrThrow = (value: number | null | undefined, what: string): number => {
  const days = value ?? 0;
  if (!Number.isInteger(days) || days < 0 || days > 36_500) {
    throw unusable(`The payment term's ${what} must be a number of days ≥ 0, not ${String(value)}`);
  }
  return days;
};

export interface DueTerm {
  dueDayType: string;
  dueDay?: number | null;
}

/**
 * @example formatDay(dueDate({ dueDayType: "CertainDayOfFollowingMonth", dueDay: 31 }, parseDay("2026-01-15"))) // "2026-02-28"
 */
export function dueDate(
  term: DueTerm,
  invoice: DayNumber,
  ifDayPassed: IfDayPassed = "nextMonth",
): DayNumber {
  switch (term.dueDayType) {
    case "NumberOfDays":
      return invoice + daysOrThrow(term.dueDay, "dueDay");
    case "CertainDayOfCurrentMonth":
      return certainDayOfCurrentMonth(invoice, dayOfMonthOrThrow(term.dueDay, "dueDay"), ifDayPassed);
    case "CertainDayOfFollowingMonth":
      return dayInMonth(invoice, 1, dayOfMonthOrThrow(term.dueDay, "dueDay"));
    default:
      throw unusable(`Unknown dueDayType ${JSON.stringify(term.dueDayType)}`);
  }
}

export interface DiscountTerm {
  applyBy?: string | null;
  applyByValue?: number | null;
  discount?: Decimal | null;
  discountType?: string | null;
}

export interface Discount {
  deadline: DayNumber;
  /** Null when no amount was given. */
  amount: Decimal | null;
}

/** True when the term carries an early-payment discount at all. */
export function hasDiscount(term: DiscountTerm): boolean {
  return term.applyBy !== null && term.applyBy !== undefined && term.discount?.isPositive() === true;
}

export function discountDeadline(
  term: DiscountTerm,
  invoice: DayNumber,
  ifDayPassed: IfDayPassed = "nextMonth",
): DayNumber {
  switch (term.applyBy) {
    case "NumberOfDays":
      return invoice + daysOrThrow(term.applyByValue, "applyByValue");
    case "DayOfMonth":
      return certainDayOfCurrentMonth(
        invoice,
        dayOfMonthOrThrow(term.applyByValue, "applyByValue"),
        ifDayPassed,
      );
    case "DayOfFollowingMonth":
      return dayInMonth(invoice, 1, dayOfMonthOrThrow(term.applyByValue, "applyByValue"));
    default:
      throw unusable(`Unknown discount applyBy ${JSON.stringify(term.applyBy)}`);
  }
}

/**
 * The discount on `amount`, rounded half-up to cents.
 *
 * @example discountAmount({ discountType: "Percent", discount: Decimal.parse("2") }, Decimal.parse("100.00"))?.toFixed(2) // "2.00"
 */
export function discountAmount(
  term: DiscountTerm,
  amount: Decimal,
  percentUnit: PercentUnit = "percent",
): Decimal {
  const discount = term.discount ?? Decimal.ZERO;
  switch (term.discountType) {
    case "Percent": {
      const fraction = percentUnit === "percent" ? discount.times(Decimal.parse("0.01")) : discount;
      return amount.times(fraction).round(2, "half-up");
    }
    case "Fixed":
      return (discount.compare(amount) > 0 ? amount : discount).round(2, "half-up");
    default:
      throw unusable(`Unknown discountType ${JSON.stringify(term.discountType)}`);
  }
}

/** The early-payment discount for an invoice date (and amount, when given), or null when the term has none. */
export function discountFor(
  term: DiscountTerm,
  invoice: DayNumber,
  amount: Decimal | null,
  {
    ifDayPassed = "nextMonth",
    percentUnit = "percent",
  }: { ifDayPassed?: IfDayPassed; percentUnit?: PercentUnit } = {},
): Discount | null {
  if (!hasDiscount(term)) return null;
  return {
    deadline: discountDeadline(term, invoice, ifDayPassed),
    amount: amount === null ? null : discountAmount(term, amount, percentUnit),
  };
}

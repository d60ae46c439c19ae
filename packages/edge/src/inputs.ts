// Rules for the values callers send, shared by every worker's request schemas: amounts (exact, at
// most two decimals), dates, text lengths, and the placeholder values automation tools leave behind
// when a field is not mapped ("", "null", "{{1.amount}}"), which must never reach ServiceTitan.
// Each rule says why a value cannot be used, or undefined when it can; schemas.ts turns them into
// zod checks.
import { Decimal } from "@st-edge/servicetitan";

/** Why `text` is longer than `max` UTF-16 code units (how .NET counts; zod counts code points). */
export function lengthProblem(text: string, max: number): string | undefined {
  return text.length > max
    ? `must be at most ${max} characters (UTF-16 code units; an emoji counts 2)`
    : undefined;
}

/** Largest accepted amount: far below where a JSON number stops being exact. */
export const MAX_AMOUNT = Decimal.parse("999999999.99");

const PLACEHOLDER_WORDS = new Set(["string", "null", "undefined", "nan", "none", "nil"]);

/**
 * Why `text` is a placeholder rather than a value, or undefined when it is a value.
 *
 * @example placeholderProblem("{{1.memo}}") // "contains an unfilled template placeholder ({{...}})"
 */
export function placeholderProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return "must not be empty";
  if (/\{\{[\s\S]*\}\}/.test(trimmed)) return "contains an unfilled template placeholder ({{...}})";
  if (PLACEHOLDER_WORDS.has(trimmed.toLowerCase())) return `"${trimmed}" is a placeholder, not a value`;
  return undefined;
}

export interface AmountRules {
  /** "positive" (payments: > 0, the default) or "any" (prices: a discount is negative, zero allowed). */
  sign?: "positive" | "any";
}

/**
 * Why `value` is not an acceptable amount, or undefined when it is.
 *
 * @example amountProblem("-20.00", { sign: "any" }) // undefined
 */
export function amountProblem(value: unknown, { sign = "positive" }: AmountRules = {}): string | undefined {
  if (typeof value === "string") {
    const placeholder = placeholderProblem(value);
    if (placeholder) return placeholder;
  } else if (typeof value !== "number") {
    return "must be a decimal amount such as 12.34 (text or number)";
  }
  // A number's shortest text shows its binary-float residue (0.1 + 0.2 → 0.30000000000000004).
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  if (sign === "positive" && /^-/.test(text)) return "must be greater than 0";
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return "must be a decimal amount such as 12.34";
  if ((match[3] ?? "").replace(/0+$/, "").length > 2) return "must have at most 2 decimal places";
  const amount = Decimal.parse(text.replace(/^\+/, ""));
  if (sign === "positive" && !amount.isPositive()) return "must be greater than 0";
  if ((amount.isNegative() ? amount.negate() : amount).compare(MAX_AMOUNT) > 0)
    return `must be at most ${MAX_AMOUNT.toFixed(2)}`;
  return undefined;
}

/** The exact amount at scale 2. Call only on values `amountProblem` accepted. */
export function parseAmount(value: string | number): Decimal {
  const text = typeof value === "number" ? String(value) : value.trim().replace(/^\+/, "");
  return Decimal.parse(text).round(2);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Why `text` is not a usable business date, or undefined. A date (2026-01-31) or an RFC 3339
 * date-time, unless `dateOnly`; dates outside 2000–2100 are typos or placeholders.
 *
 * @example dateProblem("2026-02-30") // "is not a calendar date"
 */
export function dateProblem(
  text: string,
  { dateOnly = false }: { dateOnly?: boolean } = {},
): string | undefined {
  const placeholder = placeholderProblem(text);
  if (placeholder) return placeholder;
  const match = DATE.exec(text) ?? (dateOnly ? null : DATE_TIME.exec(text));
  if (!match)
    return dateOnly
      ? "must be a date such as 2026-01-31"
      : "must be a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T15:00:00Z)";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return "is not a calendar date";
  if (Number.isNaN(Date.parse(DATE.test(text) ? `${text}T00:00:00Z` : text)))
    return "is not a valid date-time";
  if (year < 2000 || year > 2100) return "must be between the years 2000 and 2100";
  return undefined;
}

/**
 * A date or date-time as the UTC date-time ServiceTitan takes: a date means midnight UTC of that day.
 *
 * @example toUtcDateTime("2026-01-31") // "2026-01-31T00:00:00.000Z"
 */
export function toUtcDateTime(text: string): string {
  const iso = DATE.test(text) ? `${text}T00:00:00Z` : text;
  return new Date(Date.parse(iso)).toISOString();
}

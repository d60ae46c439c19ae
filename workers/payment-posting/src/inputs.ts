// Rules for the values callers send, shared by the request schemas and the normalizer: amounts
// (exact, positive, at most two decimals), dates, and the placeholder values automation tools
// leave behind when a field is not mapped ("", "null", "{{1.amount}}"), which must never reach
// ServiceTitan.
import { looksLikeMarker } from "@st-edge/exactly-once/marker";
import { Decimal } from "@st-edge/servicetitan";

/** Why a caller's memo cannot be used: a placeholder, or text that looks like our tracing marker. */
export function memoProblem(text: string): string | undefined {
  // A marker in a caller's memo could make reconciliation of another key "find" this payment.
  return (
    placeholderProblem(text) ??
    (looksLikeMarker(text) ? 'must not contain "[ste:" (reserved for tracing)' : undefined)
  );
}

/** Why `text` is longer than `max` UTF-16 code units (how .NET counts; zod counts code points). */
export function lengthProblem(text: string, max: number): string | undefined {
  return text.length > max
    ? `must be at most ${max} characters (UTF-16 code units; an emoji counts 2)`
    : undefined;
}

/** Largest accepted amount: far below where a JSON number stops being exact. */
export const MAX_AMOUNT = Decimal.parse("999999999.99");

const PLACEHOLDER_WORDS = new Set(["string", "null", "undefined", "nan", "none", "nil"]);

/** Why `text` is a placeholder rather than a value, or undefined when it is a value. */
export function placeholderProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return "must not be empty";
  if (/\{\{[\s\S]*\}\}/.test(trimmed)) return "contains an unfilled template placeholder ({{...}})";
  if (PLACEHOLDER_WORDS.has(trimmed.toLowerCase())) return `"${trimmed}" is a placeholder, not a value`;
  return undefined;
}

/** Why `value` is not an acceptable amount, or undefined when it is. */
export function amountProblem(value: unknown): string | undefined {
  if (typeof value === "string") {
    const placeholder = placeholderProblem(value);
    if (placeholder) return placeholder;
  } else if (typeof value !== "number") {
    return "must be a decimal amount such as 12.34 (text or number)";
  }
  // A number's shortest text shows its binary-float residue (0.1 + 0.2 → 0.30000000000000004).
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  if (/^-/.test(text)) return "must be greater than 0";
  const match = /^\+?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return "must be a decimal amount such as 12.34";
  if ((match[2] ?? "").replace(/0+$/, "").length > 2) return "must have at most 2 decimal places";
  const amount = Decimal.parse(text.replace(/^\+/, ""));
  if (!amount.isPositive()) return "must be greater than 0";
  if (amount.compare(MAX_AMOUNT) > 0) return `must be at most ${MAX_AMOUNT.toFixed(2)}`;
  return undefined;
}

/** The exact amount at scale 2. Call only on values `amountProblem` accepted. */
export function parseAmount(value: string | number): Decimal {
  const text = typeof value === "number" ? String(value) : value.trim().replace(/^\+/, "");
  return Decimal.parse(text).round(2);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Why `text` is not a usable payment date, or undefined. Dates outside 2000–2100 are typos or placeholders. */
export function paidOnProblem(text: string): string | undefined {
  const placeholder = placeholderProblem(text);
  if (placeholder) return placeholder;
  const match = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (!match) return "must be a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T15:00:00Z)";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return "is not a calendar date";
  if (Number.isNaN(Date.parse(DATE.test(text) ? `${text}T00:00:00Z` : text)))
    return "is not a valid date-time";
  if (year < 2000 || year > 2100) return "must be between the years 2000 and 2100";
  return undefined;
}

/** ServiceTitan's `paidOn` (date-time, UTC): a date means midnight UTC of that day. */
export function normalizePaidOn(text: string): string {
  const iso = DATE.test(text) ? `${text}T00:00:00Z` : text;
  return new Date(Date.parse(iso)).toISOString();
}

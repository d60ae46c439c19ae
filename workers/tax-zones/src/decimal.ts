// ServiceTitan sends tax rates as JSON numbers. This reads the
// number's own text into an exact Decimal, so no binary rounding ever reaches an amount.
import { Decimal } from "@st-edge/servicetitan";

const EXPONENT = /^([+-]?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i;

/**
 * A JSON number as an exact Decimal. Numbers print in exponent form below 1e-6 ("1e-7"), which
 * Decimal.parse refuses, so the exponent is applied to the digits as text. NaN and Infinity
 * still throw MoneyFormatError.
 *
 * @example decimalFromNumber(1.5).toString() // "1.5"
 */
export function decimalFromNumber(value: number): Decimal {
  const text = String(value);
  const match = EXPONENT.exec(text);
  if (!match) return Decimal.parse(text);
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  if (point <= 0) return Decimal.parse(`${sign}0.${"0".repeat(-point)}${digits}`);
  if (point >= digits.length) return Decimal.parse(`${sign}${digits}${"0".repeat(point - digits.length)}`);
  return Decimal.parse(`${sign}${digits.slice(0, point)}.${digits.slice(point)}`);
}

// Money helpers on top of the client's exact Decimal: everything the seed and the payment
// writes compute goes through here, so no amount ever touches binary floating point.
import { Decimal } from "@st-edge/servicetitan";

export const ZERO = Decimal.parse("0.00");

export const money = (value: string | number): Decimal => Decimal.parse(value);

/** ServiceTitan's response format: a decimal string with exactly two places. */
export const cents = (value: Decimal): string => value.toFixed(2, "half-up");

/** An amount rounded to cents as a Decimal, for sums that must add up exactly. */
export const roundCents = (value: Decimal): Decimal => value.round(2, "half-up");

/**
 * `value / divisor` rounded half-up to `scale` places. Decimal has no division (amounts are
 * only ever multiplied by rates), so this works on the integer coefficient directly.
 */
export function divide(value: Decimal, divisor: Decimal, scale = 2): Decimal {
  if (divisor.isZero()) throw new RangeError("division by zero");
  // value = v / 10^vs, divisor = d / 10^ds; result * 10^scale = v * 10^(scale + ds - vs) / d.
  const shift = scale + divisor.scale - value.scale;
  let numerator = value.units * 10n ** BigInt(Math.max(shift, 0));
  let denominator = divisor.units * 10n ** BigInt(Math.max(-shift, 0));
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  if ((magnitude % denominator) * 2n >= denominator) quotient += 1n;
  const digits = quotient.toString().padStart(scale + 1, "0");
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return Decimal.parse(`${negative ? "-" : ""}${text}`);
}

/** Splits `total` into parts proportional to `weights`, rounding to cents; the last part takes the remainder. */
export function allocate(total: Decimal, weights: readonly Decimal[]): Decimal[] {
  const sum = Decimal.sum(weights);
  if (sum.isZero()) return weights.map(() => ZERO);
  const parts = weights.slice(0, -1).map((weight) => roundCents(divide(total.times(weight), sum, 4)));
  return [...parts, roundCents(total.minus(Decimal.sum(parts)))];
}

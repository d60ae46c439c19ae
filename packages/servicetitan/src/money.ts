// Exact decimal money. ServiceTitan sends money as decimal strings ("1234.50") and takes JSON
// numbers; binary floating point never touches an amount here. A Decimal is an integer
// coefficient (bigint) and a scale: 12.30 is 1230n at scale 2.

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const EXPONENT = /^([+-]?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i;
const MAX_SCALE = 12;

export class MoneyFormatError extends Error {
  override readonly name = "MoneyFormatError";
}

export type Rounding =
  /** Ties away from zero: 0.125 → 0.13, -0.125 → -0.13 (common for sales tax). */
  | "half-up"
  /** Ties to even (banker's rounding): 0.125 → 0.12, 0.135 → 0.14. */
  | "half-even";

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/**
 * An exact decimal number.
 *
 * @example
 * Decimal.parse("100.10").plus(Decimal.parse("0.20")).toFixed(2) // "100.30"
 */
export class Decimal {
  /** The value times 10^scale. */
  readonly units: bigint;
  /** Digits after the decimal point. */
  readonly scale: number;

  private constructor(units: bigint, scale: number) {
    this.units = units;
    this.scale = scale;
  }

  static readonly ZERO = new Decimal(0n, 0);

  /**
   * Parses a decimal string ("12.30", "-0.5") or a finite number written without an exponent.
   * Throws MoneyFormatError for anything else: "", "1e3", "1,000.00", NaN, "abc".
   */
  static parse(value: string | number): Decimal {
    const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
    const match = DECIMAL.exec(text);
    if (!match)
      throw new MoneyFormatError(`not a decimal amount: ${JSON.stringify(String(value)).slice(0, 40)}`);
    const [, sign, whole = "0", fraction = ""] = match;
    if (fraction.length > MAX_SCALE) throw new MoneyFormatError(`more than ${MAX_SCALE} decimal places`);
    const units = BigInt(whole + fraction) * (sign === "-" ? -1n : 1n);
    return new Decimal(units, fraction.length);
  }

  /**
   * A JSON number (tax rates, discounts: ServiceTitan sends those as numbers) from its own shortest
   * text, exactly. Unlike `parse`, accepts exponent form ("1e-7"); NaN and Infinity still throw.
   *
   * @example Decimal.fromNumber(0.0825).toString() // "0.0825"
   */
  static fromNumber(value: number): Decimal {
    const text = String(value);
    const match = EXPONENT.exec(text);
    if (!match) return Decimal.parse(text);
    const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
    const digits = whole + fraction;
    const point = whole.length + Number(exponent);
    if (point <= 0) return Decimal.parse(`${sign}0.${"0".repeat(-point)}${digits}`);
    if (point >= digits.length) return Decimal.parse(`${sign}${digits}${"0".repeat(point - digits.length)}`);
    return Decimal.parse(`${sign}${digits.slice(0, point)}.${digits.slice(point)}`);
  }

  /** ServiceTitan money fields are nullable strings: null and undefined stay null. */
  static fromServiceTitan(value: string | null | undefined): Decimal | null {
    return value === null || value === undefined ? null : Decimal.parse(value);
  }

  /** Sum of amounts; the empty sum is zero. */
  static sum(values: Iterable<Decimal>): Decimal {
    let total = Decimal.ZERO;
    for (const value of values) total = total.plus(value);
    return total;
  }

  private rescale(scale: number): bigint {
    return this.units * pow10(scale - this.scale);
  }

  plus(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.rescale(scale) + other.rescale(scale), scale);
  }

  minus(other: Decimal): Decimal {
    return this.plus(other.negate());
  }

  negate(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  /** Exact product (scale adds up), e.g. an amount times a tax rate. */
  times(other: Decimal): Decimal {
    return new Decimal(this.units * other.units, this.scale + other.scale);
  }

  /** -1, 0 or 1. */
  compare(other: Decimal): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const a = this.rescale(scale);
    const b = other.rescale(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  /** Digits after the point once trailing zeros are dropped: 12.30 → 1, 12.00 → 0. */
  significantScale(): number {
    let scale = this.scale;
    let units = this.units;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale--;
    }
    return scale;
  }

  /** Rounds to `scale` digits. */
  round(scale: number, rounding: Rounding = "half-even"): Decimal {
    if (scale >= this.scale) return new Decimal(this.rescale(scale), scale);
    const divisor = pow10(this.scale - scale);
    const negative = this.units < 0n;
    const magnitude = negative ? -this.units : this.units;
    let quotient = magnitude / divisor;
    const twiceRemainder = (magnitude % divisor) * 2n;
    if (
      twiceRemainder > divisor ||
      (twiceRemainder === divisor && (rounding === "half-up" || quotient % 2n === 1n))
    ) {
      quotient += 1n;
    }
    return new Decimal(negative ? -quotient : quotient, scale);
  }

  /** Text with exactly `scale` digits after the point, rounding half-even if needed: "12.30". */
  toFixed(scale = 2, rounding: Rounding = "half-even"): string {
    const rounded = this.round(scale, rounding);
    const negative = rounded.units < 0n;
    const digits = (negative ? -rounded.units : rounded.units).toString().padStart(scale + 1, "0");
    const whole = digits.slice(0, digits.length - scale);
    const fraction = digits.slice(digits.length - scale);
    return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${fraction}` : ""}`;
  }

  /** Text at the value's own scale: "12.30" stays "12.30". */
  toString(): string {
    return this.toFixed(this.scale);
  }

  /**
   * The JSON number ServiceTitan's request bodies take. Exact whenever the number's shortest
   * text is the same decimal (up to 15 significant digits); throws rather than round beyond that.
   */
  toNumber(): number {
    const text = this.toFixed(this.significantScale());
    const value = Number(text);
    // Round-trip through the number's shortest text: any digit lost shows up as a mismatch.
    if (
      !Number.isFinite(value) ||
      !/^-?\d+(\.\d+)?$/.test(String(value)) ||
      Decimal.parse(value).compare(this) !== 0
    ) {
      throw new MoneyFormatError("amount cannot be sent as a JSON number without rounding");
    }
    return value;
  }

  toJSON(): string {
    return this.toString();
  }
}

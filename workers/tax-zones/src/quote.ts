// Tax quotes for a tax zone, in exact decimals. Pure: no I/O, so the rounding rule is tested by
// tables (quote.test.ts) and the route only parses input and formats output.
//
// Rounding rule (also in the README and the OpenAPI description): each rate line's tax is the
// taxable amount times the rate, rounded half-up (ties away from zero) to cents; the total tax is
// the sum of the rounded lines, so the lines always add up to the total a caller shows.
import { ProblemError } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";

/** What part of the amount a rate taxes. */
export type Basis = "subtotal" | "labor" | "material" | "none";

export interface QuoteRate {
  id: number | null;
  taxName: string | null;
  /** ServiceTitan's `taxBaseType`: Subtotal, Labor and/or Material. */
  taxBaseType: readonly string[];
  /** The rate as a fraction (0.0825 = 8.25 %). */
  taxRate: Decimal;
}

export interface QuoteZone {
  isTaxRateSeparated: boolean;
  rates: readonly QuoteRate[];
}

/** Either the subtotal alone, or labor and material (their sum is the subtotal). */
export type QuoteAmounts = { subtotal: Decimal } | { labor: Decimal; material: Decimal };

export interface QuoteLine {
  rateId: number | null;
  taxName: string | null;
  taxRate: Decimal;
  basis: Basis;
  taxableAmount: Decimal;
  tax: Decimal;
}

export interface Quote {
  labor: Decimal | null;
  material: Decimal | null;
  subtotal: Decimal;
  lines: QuoteLine[];
  totalTax: Decimal;
  total: Decimal;
}

export const ROUNDING_RULE =
  "Each rate line's tax = taxable amount × rate, rounded half-up (ties away from zero) to 0.01; " +
  "totalTax = sum of the rounded lines; total = subtotal + totalTax.";

/**
 * What a rate applies to. With `isTaxRateSeparated` the zone taxes labor and material apart, so
 * each rate's `taxBaseType` decides (Subtotal, or Labor and Material together, = labor + material).
 * Without it the zone taxes the subtotal as one amount and every rate applies to labor + material.
 * ServiceTitan does not document how the flag and `taxBaseType` interact (UNCONFIRMED); each
 * quote line reports the basis it used so a caller can see this reading.
 *
 * @example basisOf({ taxBaseType: ["Labor"] }, true) // "labor"
 */
export function basisOf(rate: Pick<QuoteRate, "taxBaseType">, isTaxRateSeparated: boolean): Basis {
  if (!isTaxRateSeparated) return "subtotal";
  const types = new Set(rate.taxBaseType.map((type) => type.toLowerCase()));
  if (types.has("subtotal") || (types.has("labor") && types.has("material"))) return "subtotal";
  if (types.has("labor")) return "labor";
  if (types.has("material")) return "material";
  return "none";
}

const CENTS = 2;

/**
 * Quotes the tax of `amounts` in `zone`. Throws an `unprocessable` problem when the zone taxes
 * labor or material on its own and only a subtotal was given (the split cannot be guessed).
 *
 * @example
 * quoteTax({ isTaxRateSeparated: false, rates: [{ id: 1, taxName: "State", taxBaseType: ["Subtotal"], taxRate: Decimal.parse("0.0825") }] },
 *   { subtotal: Decimal.parse("100.00") }).totalTax.toFixed(2) // "8.25"
 */
export function quoteTax(zone: QuoteZone, amounts: QuoteAmounts): Quote {
  const labor = "labor" in amounts ? amounts.labor : null;
  const material = "material" in amounts ? amounts.material : null;
  const subtotal = "subtotal" in amounts ? amounts.subtotal : amounts.labor.plus(amounts.material);

  const lines = zone.rates.map((rate): QuoteLine => {
    const basis = basisOf(rate, zone.isTaxRateSeparated);
    let taxableAmount: Decimal;
    if (basis === "subtotal") taxableAmount = subtotal;
    else if (basis === "none") taxableAmount = Decimal.ZERO;
    else {
      const part = basis === "labor" ? labor : material;
      if (part === null) {
        throw new ProblemError({
          type: "unprocessable",
          detail: `The tax zone taxes ${basis} separately (rate ${rate.taxName ?? rate.id ?? "?"}); send labor and material instead of subtotal`,
          errors: [{ in: "body", field: "subtotal", message: "send labor and material for this tax zone" }],
        });
      }
      taxableAmount = part;
    }
    const tax = taxableAmount.times(rate.taxRate).round(CENTS, "half-up");
    return {
      rateId: rate.id,
      taxName: rate.taxName,
      taxRate: rate.taxRate,
      basis,
      taxableAmount,
      tax,
    };
  });
  const totalTax = Decimal.sum(lines.map((line) => line.tax)).round(CENTS);
  return { labor, material, subtotal, lines, totalTax, total: subtotal.plus(totalTax).round(CENTS) };
}

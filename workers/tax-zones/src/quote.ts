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
 * What a rate applies to, from its `taxBaseType`: Subtotal (or Labor and Material together) is
 * labor + material, Labor is labor, Material is material, none of them is nothing. How ServiceTitan
 * combines `taxBaseType` with the zone's `isTaxRateSeparated` flag is not documented (UNCONFIRMED);
 * the base types are read as the rate's own statement in every zone (as the simulator computes
 * invoice tax), so a rate is never applied to an amount it excludes. The flag only makes a
 * subtotal-only quote insufficient (see quoteTax), and each quote line reports the basis used.
 *
 * @example basisOf({ taxBaseType: ["Labor"] }) // "labor"
 */
export function basisOf(rate: Pick<QuoteRate, "taxBaseType">): Basis {
  const types = new Set(rate.taxBaseType.map((type) => type.toLowerCase()));
  if (types.has("subtotal") || (types.has("labor") && types.has("material"))) return "subtotal";
  if (types.has("labor")) return "labor";
  if (types.has("material")) return "material";
  return "none";
}

const CENTS = 2;

/**
 * Quotes the tax of `amounts` in `zone`. Throws an `unprocessable` problem when only a subtotal
 * was given but the split matters: a rate taxes labor or material alone, or the zone says it
 * taxes them separately (`isTaxRateSeparated`), so the split is asked for rather than guessed.
 *
 * @example
 * quoteTax({ isTaxRateSeparated: false, rates: [{ id: 1, taxName: "State", taxBaseType: ["Subtotal"], taxRate: Decimal.parse("0.0825") }] },
 *   { subtotal: Decimal.parse("100.00") }).totalTax.toFixed(2) // "8.25"
 */
export function quoteTax(zone: QuoteZone, amounts: QuoteAmounts): Quote {
  const labor = "labor" in amounts ? amounts.labor : null;
  const material = "material" in amounts ? amounts.material : null;
  const subtotal = "subtotal" in amounts ? amounts.subtotal : amounts.labor.plus(amounts.material);
  const bases = zone.rates.map((rate) => basisOf(rate));
  const split = bases.find((basis) => basis === "labor" || basis === "material");
  if ("subtotal" in amounts && (split || zone.isTaxRateSeparated)) {
    throw new ProblemError({
      type: "unprocessable",
      detail: split
        ? `A rate of this tax zone taxes ${split} only; send labor and material instead of subtotal`
        : "This tax zone taxes labor and material separately (isTaxRateSeparated); send labor and material instead of subtotal",
      errors: [{ in: "body", field: "subtotal", message: "send labor and material for this tax zone" }],
    });
  }

  const lines = zone.rates.map((rate, index): QuoteLine => {
    const basis = bases[index] ?? "none";
    const taxableAmount =
      basis === "subtotal"
        ? subtotal
        : basis === "labor"
          ? (labor ?? Decimal.ZERO)
          : basis === "material"
            ? (material ?? Decimal.ZERO)
            : Decimal.ZERO;
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

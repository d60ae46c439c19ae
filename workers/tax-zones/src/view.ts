// The worker's tax-zone shape: ServiceTitan's fields, with rates as exact decimal strings
// (ServiceTitan sends them as JSON numbers; the text of that number is kept, never re-rounded).
import { Decimal, type TaxZone } from "@st-edge/servicetitan";
import type { QuoteZone } from "./quote.ts";

const EXPONENT = /^([+-]?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i;

/**
 * A JSON number as an exact Decimal. Numbers print in exponent form below 1e-6 ("1e-7"), which
 * Decimal.parse refuses, so the exponent is applied to the digits as text. NaN and Infinity
 * still throw MoneyFormatError.
 *
 * @example decimalFromNumber(0.0825).toString() // "0.0825"
 */
export function decimalFromNumber(value: number): Decimal {
  const text = String(value);
  const match = EXPONENT.exec(text);
  if (!match) return Decimal.parse(text);
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  const point = whole.length + exponent;
  if (point <= 0) return Decimal.parse(`${sign}0.${"0".repeat(-point)}${digits}`);
  if (point >= digits.length) return Decimal.parse(`${sign}${digits}${"0".repeat(point - digits.length)}`);
  return Decimal.parse(`${sign}${digits.slice(0, point)}.${digits.slice(point)}`);
}

export interface TaxRateView {
  id: number | null;
  taxName: string | null;
  taxBaseType: string[];
  taxRate: string;
  salesTaxItem: string | null;
}

export interface TaxZoneView {
  id: number;
  name: string | null;
  color: number | null;
  active: boolean;
  isTaxRateSeparated: boolean;
  isMultipleTaxZone: boolean;
  rates: TaxRateView[];
  createdOn: string;
  modifiedOn: string;
}

/** ServiceTitan's TaxZoneResponse → the documented TaxZoneView. */
export function toTaxZoneView(zone: TaxZone): TaxZoneView {
  return {
    id: zone.id,
    name: zone.name ?? null,
    color: zone.color ?? null,
    active: zone.active,
    isTaxRateSeparated: zone.isTaxRateSeparated,
    isMultipleTaxZone: zone.isMultipleTaxZone,
    rates: (zone.rates ?? []).map((rate) => ({
      id: rate.id ?? null,
      taxName: rate.taxName ?? null,
      taxBaseType: [...(rate.taxBaseType ?? [])],
      taxRate: decimalFromNumber(rate.taxRate).toString(),
      salesTaxItem: rate.salesTaxItem ?? null,
    })),
    createdOn: zone.createdOn,
    modifiedOn: zone.modifiedOn,
  };
}

/** The part of a zone the quote math needs. */
export function toQuoteZone(zone: TaxZoneView): QuoteZone {
  return {
    isTaxRateSeparated: zone.isTaxRateSeparated,
    rates: zone.rates.map((rate) => ({
      id: rate.id,
      taxName: rate.taxName,
      taxBaseType: rate.taxBaseType,
      taxRate: Decimal.parse(rate.taxRate),
    })),
  };
}

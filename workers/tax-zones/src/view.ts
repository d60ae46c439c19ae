// The worker's tax-zone shape: ServiceTitan's fields, with rates as exact decimal strings
// (ServiceTitan sends them as JSON numbers; the text of that number is kept, never re-rounded).
import { Decimal, type TaxZone } from "@st-edge/servicetitan";
import type { QuoteZone } from "./quote.ts";

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
      taxRate: Decimal.fromNumber(rate.taxRate).toString(),
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

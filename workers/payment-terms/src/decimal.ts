// ServiceTitan sends some decimals (discounts, interest rates) as JSON numbers; the API answers
// them as exact decimal text.
import { Decimal } from "@st-edge/servicetitan";

/** A nullable ServiceTitan number as decimal text; null stays null. */
export const decimalText = (value: number | null | undefined): string | null =>
  value === null || value === undefined ? null : Decimal.fromNumber(value).toString();

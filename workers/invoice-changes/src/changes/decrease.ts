// The most a change can take off an invoice's total, decided before it is sent (exact decimals).
// ServiceTitan recomputes the tax by rules of its own (per rate, per base, rounding: UNCONFIRMED),
// so a change that lowers a taxable line is counted as possibly taking the whole sales tax with it:
// the bound is never too small, and on an invoice nobody has paid yet it always fits (the balance
// is the whole total). A change that cannot lower the total takes nothing.
import { Decimal, type Invoice, type InvoiceItem } from "@st-edge/servicetitan";

/** What a change does to one line: the line's amount before (null: a new line) and after. */
export type LineChange =
  /** An item added at quantity × unitPrice; its taxability is not known before. */
  | { kind: "add"; after: Decimal }
  /** An item changed to quantity × price; `resku` when it becomes another SKU (taxability may change). */
  | { kind: "change"; item: InvoiceItem; after: Decimal; resku: boolean }
  | { kind: "delete"; item: InvoiceItem }
  /** A new tax zone: the lines stay, the tax may fall to nothing. */
  | { kind: "tax-zone" };

const money = (text: string | null | undefined) => Decimal.fromServiceTitan(text) ?? Decimal.ZERO;
const atLeastZero = (value: Decimal) => (value.isNegative() ? Decimal.ZERO : value);

/**
 * A line's amount as ServiceTitan computes it: quantity × unit price, half-up to cents.
 *
 * @example lineAmount(Decimal.parse("1.5"), Decimal.parse("33.33")).toFixed(2) // "50.00"
 */
export const lineAmount = (quantity: Decimal, unitPrice: Decimal) =>
  quantity.times(unitPrice).round(2, "half-up");

/**
 * The most `change` can take off `invoice`'s total (≥ 0).
 *
 * @example mostTakenOff(invoice, { kind: "delete", item }) // item.total + the invoice's sales tax
 */
export function mostTakenOff(invoice: Pick<Invoice, "salesTax">, change: LineChange): Decimal {
  const tax = atLeastZero(money(invoice.salesTax));
  switch (change.kind) {
    case "tax-zone":
      return tax;
    case "add":
      return change.after.isNegative() ? change.after.negate().plus(tax) : Decimal.ZERO;
    case "delete": {
      const line = money(change.item.total);
      return line.isPositive() ? line.plus(change.item.taxable === false ? Decimal.ZERO : tax) : Decimal.ZERO;
    }
    case "change": {
      const lower = atLeastZero(money(change.item.total).minus(change.after));
      // Another SKU may be untaxed: the tax can fall even when the line does not.
      const taxFalls = change.resku || (lower.isPositive() && change.item.taxable !== false);
      return lower.plus(taxFalls ? tax : Decimal.ZERO);
    }
  }
}

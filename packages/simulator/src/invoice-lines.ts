// How an invoice's lines and money are made: an item from a SKU of the tenant's catalog, each
// tax rate of a zone on the taxable items of its bases, and the invoice's subtotal, tax, total
// and discount from its items. The seed and the item writes use the same functions, so an item
// added through the API is priced and taxed exactly as a seeded one.
import {
  type components,
  Decimal,
  type Invoice,
  type InvoiceItem,
  type TaxZone,
} from "@st-edge/servicetitan";
import { cents, money, roundCents, ZERO } from "./money.ts";
import type { NamedField } from "./records.ts";

type S = components["schemas"];
type GlAccount = S["Accounting.V2.GLAccountResponse"];

/** A SKU of the tenant's price book, with what an invoice item copies from it. */
export interface InvoiceSku {
  id: number;
  code: string;
  name: string;
  type: S["Accounting.V2.InvoiceItemType"];
  /** Default unit price and cost, 2-decimal strings. */
  price: string;
  cost: string;
  soldHours: number | null;
  taxable: boolean;
  inventory: boolean;
  generalLedgerAccount: GlAccount;
  costOfSaleAccount: GlAccount | null;
  assetAccount: GlAccount | null;
  membershipTypeId: number;
  inventoryLocationId: number | null;
  inventoryLocation: string | null;
}

/** What varies between two items of the same SKU. */
export interface ItemInput {
  id: number;
  quantity: Decimal;
  price: Decimal;
  cost: Decimal;
  order: number;
  /** A formatted timestamp: createdOn, modifiedOn and serviceDate of a new item. */
  createdOn: string;
  businessUnit: NamedField | null;
  technicianId: number | null;
  createdById: number | null;
  installedEquipmentId: number | null;
}

/** Members pay 85 % of a service's price (rounded half-up to cents); other items cost the same. */
const memberPrice = (sku: InvoiceSku, price: Decimal): string =>
  cents(sku.type === "Service" ? roundCents(price.times(money("0.85"))) : price);

/** Line total and total cost: quantity × unit price (cost), rounded half-up to cents. */
export function lineAmounts(
  quantity: Decimal,
  price: Decimal,
  cost: Decimal,
): { total: string; totalCost: string } {
  return { total: cents(roundCents(quantity.times(price))), totalCost: cents(quantity.times(cost)) };
}

/**
 * A new invoice item of `sku`.
 *
 * @example
 * invoiceItem(sku, { id, quantity: money("2"), price: money(sku.price), cost: money(sku.cost), order: 1, ... })
 */
export function invoiceItem(sku: InvoiceSku, input: ItemInput): InvoiceItem {
  const { total, totalCost } = lineAmounts(input.quantity, input.price, input.cost);
  return {
    id: input.id,
    description: `<p>${sku.name}</p>`,
    quantity: input.quantity.toString(),
    cost: cents(input.cost),
    totalCost,
    budgetCodeId: null,
    inventoryLocationId: sku.inventoryLocationId,
    inventoryLocation: sku.inventoryLocation,
    price: cents(input.price),
    type: sku.type,
    skuName: sku.code,
    skuId: sku.id,
    total,
    inventory: sku.inventory,
    taxable: sku.taxable,
    isChargeable: true,
    generalLedgerAccount: sku.generalLedgerAccount,
    costOfSaleAccount: sku.costOfSaleAccount,
    assetAccount: sku.assetAccount,
    membershipTypeId: sku.membershipTypeId,
    itemGroup: null,
    displayName: sku.name,
    soldHours: sku.soldHours,
    createdOn: input.createdOn,
    modifiedOn: input.createdOn,
    serviceDate: input.createdOn,
    order: input.order,
    businessUnit: input.businessUnit,
    createdById: input.createdById,
    displayInAmount: true,
    importId: null,
    exportId: null,
    inventoryStatus: sku.inventory ? "Used" : null,
    addOn: false,
    memberPrice: memberPrice(sku, input.price),
    technicianId: input.technicianId,
    installedEquipmentId: input.installedEquipmentId,
    estimateItemId: null,
  };
}

type TaxRate = S["Accounting.V2.TaxRateResponse"];

/** True when `rate` applies to `item`: every taxable item on "Subtotal", else labor or material items. */
const rateCovers = (rate: TaxRate, item: InvoiceItem): boolean => {
  const bases = rate.taxBaseType ?? [];
  return (
    bases.includes("Subtotal") ||
    (bases.includes("Labor") && item.type === "Service") ||
    (bases.includes("Material") && (item.type === "Material" || item.type === "Equipment"))
  );
};

/**
 * Sales tax of `items` in `zone`: each rate taxes the taxable items on its bases and is rounded
 * half-up to cents on its own; the invoice's tax is the sum. No zone, no tax.
 */
export function salesTax(zone: TaxZone | undefined, items: readonly InvoiceItem[]): Decimal {
  if (!zone) return ZERO;
  return zone.rates.reduce((sum, rate) => {
    const base = items
      .filter((item) => item.taxable && rateCovers(rate, item))
      .reduce((total, item) => total.plus(money(item.total ?? "0")), ZERO);
    return sum.plus(roundCents(base.times(Decimal.fromNumber(rate.taxRate))));
  }, ZERO);
}

/** The invoice's money from its items: subtotal, tax, total and the (positive) discount total. */
export function invoiceMoney(
  zone: TaxZone | undefined,
  items: readonly InvoiceItem[],
): Pick<Invoice, "subTotal" | "salesTax" | "total" | "discountTotal"> {
  const subTotal = items.reduce((sum, item) => sum.plus(money(item.total ?? "0")), ZERO);
  const tax = salesTax(zone, items);
  const discount = items
    .filter((item) => item.type === "PriceModifier")
    .reduce((sum, item) => sum.plus(money(item.total ?? "0")), ZERO);
  return {
    subTotal: cents(subTotal),
    salesTax: cents(tax),
    total: cents(subTotal.plus(tax)),
    discountTotal: cents(discount.negate()),
  };
}

/** ServiceTitan's `salesTaxCode` of an invoice in `zone`: its first rate, named for the zone, with the summed rate. */
export function salesTaxCode(zone: TaxZone): Invoice["salesTaxCode"] {
  return {
    id: zone.rates[0]?.id ?? zone.id,
    name: zone.name,
    taxRate: zone.rates.reduce((sum, rate) => sum.plus(Decimal.fromNumber(rate.taxRate)), ZERO).toNumber(),
  };
}

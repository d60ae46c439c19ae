// What callers see of an AP bill: ServiceTitan's ApBillResponse fields with every amount as exact
// decimal text, absent values as null and absent lists as [] (so automations see one shape). The
// zod shapes document it (the bills worker's OpenAPI document, the events' payloads).
import { type ApBill, Decimal, MoneyFormatError } from "@st-edge/servicetitan";
import * as z from "zod/mini";

const Money = z.string().check(z.describe('An exact decimal amount as text, e.g. "1234.50"'));
const NullableMoney = z.nullable(Money);
const Text = z.nullable(z.string());
const Stamp = z.nullable(z.string().check(z.describe("RFC 3339 date-time (UTC)")));
const Named = z.nullable(z.object({ id: z.int(), name: Text }));
const GlAccount = z.nullable(
  z.object({ id: z.int(), name: Text, number: Text, type: Text, detailType: Text }),
);

export const BillItemView = z.object({
  id: z.int(),
  order: z.int(),
  name: Text,
  description: Text,
  skuId: z.int(),
  skuCode: z.string(),
  skuType: z.string(),
  quantity: NullableMoney,
  cost: NullableMoney,
  allocatedTax: NullableMoney,
  allocatedShipping: NullableMoney,
  allocatedOtherCosts: NullableMoney,
  fullyLandedUnitCost: NullableMoney,
  inventoryLocation: z.nullable(z.object({ id: z.int(), name: Text, type: Text })),
  vendorPartNumber: Text,
  serialNumber: Text,
  generalLedgerAccount: GlAccount,
  costOfSaleAccount: GlAccount,
  assetAccount: GlAccount,
  receiptItemId: z.nullable(z.int()),
  budgetCodeId: z.nullable(z.int()),
});

export const BillExpenseItemView = z.object({
  id: z.int(),
  amount: Money,
  description: Text,
  generalLedgerAccount: GlAccount,
  job: Named,
  businessUnit: Named,
  budgetCodeId: z.nullable(z.int()),
  projectLabelIds: z.array(z.int()),
});

const billFieldSchemas = {
  referenceNumber: Text,
  vendorNumber: Text,
  vendor: Named,
  remittanceVendorInfo: Named,
  status: z.nullable(z.string().check(z.describe("Unreconciled, Discrepancy, Reconciled or Canceled"))),
  syncStatus: z.nullable(z.string().check(z.describe("Pending, Posted, Exported or PostedAndExported"))),
  source: Text,
  billType: Text,
  billDate: Stamp,
  postDate: Stamp,
  dueDate: Stamp,
  earlyDiscountDate: Stamp,
  termName: Text,
  billAmount: NullableMoney,
  vendorInvoiceTotal: NullableMoney,
  taxAmount: NullableMoney,
  shippingAmount: NullableMoney,
  otherAmount: NullableMoney,
  landedCostMethod: z.string(),
  doNotPay: z.boolean(),
  summary: Text,
  purchaseOrderId: z.nullable(z.int()),
  jobId: z.nullable(z.int()),
  jobNumber: Text,
  businessUnit: Named,
  batch: z.nullable(z.object({ id: z.int(), number: Text, name: Text })),
  taxZone: Named,
  shipTo: z.nullable(
    z.object({ street: Text, unit: Text, city: Text, state: Text, zip: Text, country: Text }),
  ),
  shipToDescription: Text,
  budgetCodeId: z.nullable(z.int()),
  createdBy: Text,
  createdOn: Stamp,
  modifiedOn: Stamp,
  dateCanceled: Stamp,
  canceledBy: Named,
  dateReconciled: Stamp,
  customFields: z.array(z.object({ name: Text, value: Text })),
  items: z.array(BillItemView),
  expenseItems: z.array(BillExpenseItemView),
};

export const BillView = z.object({ id: z.int(), ...billFieldSchemas });

export const PollItem = z.object({
  id: z
    .string()
    .check(
      z.describe(
        'Unique per bill version: "<billId>-<createdOn>" (mode=new) or "<billId>-<modifiedOn>" (mode=updated)',
      ),
    ),
  billId: z.int(),
  ...billFieldSchemas,
});

/**
 * ServiceTitan documents bill amounts as "a formatted string". Samples are plain decimals
 * ("1234.50"), but a currency sign or thousands separators are not ruled out (UNCONFIRMED), so
 * both are dropped before the exact parse. Anything else is an upstream error, never guessed at.
 *
 * @example moneyText("$1,234.50") // "1234.50"
 */
export function moneyText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const plain = value
    .trim()
    .replace(/^(-?)\$/, "$1")
    .replace(/,(?=\d{3}(?:\D|$))/g, "");
  if (plain === "") throw new MoneyFormatError("empty amount");
  return Decimal.parse(plain).toString();
}

type Named = { id: number; name?: string | null } | null | undefined;
const named = (value: Named) => (value ? { id: value.id, name: value.name ?? null } : null);

type Gl = NonNullable<NonNullable<ApBill["items"]>[number]["generalLedgerAccount"]> | null | undefined;
const gl = (value: Gl) =>
  value
    ? {
        id: value.id,
        name: value.name ?? null,
        number: value.number ?? null,
        type: value.type ?? null,
        detailType: value.detailType ?? null,
      }
    : null;

export type BillFields = ReturnType<typeof billFields>;
export type BillView = { id: number } & BillFields;
export type PollItem = { id: string; billId: number } & BillFields;

function billFields(bill: ApBill) {
  return {
    referenceNumber: bill.referenceNumber ?? null,
    vendorNumber: bill.vendorNumber ?? null,
    vendor: named(bill.vendor),
    remittanceVendorInfo: named(bill.remittanceVendorInfo),
    status: bill.status ?? null,
    syncStatus: bill.syncStatus ?? null,
    source: bill.source ?? null,
    billType: bill.billType ?? null,
    billDate: bill.billDate ?? null,
    postDate: bill.postDate ?? null,
    dueDate: bill.dueDate ?? null,
    earlyDiscountDate: bill.earlyDiscountDate ?? null,
    termName: bill.termName ?? null,
    billAmount: moneyText(bill.billAmount),
    vendorInvoiceTotal: moneyText(bill.vendorInvoiceTotal),
    taxAmount: moneyText(bill.taxAmount),
    shippingAmount: moneyText(bill.shippingAmount),
    otherAmount: moneyText(bill.otherAmount),
    landedCostMethod: String(bill.landedCostMethod),
    doNotPay: bill.doNotPay,
    summary: bill.summary ?? null,
    purchaseOrderId: bill.purchaseOrderId ?? null,
    jobId: bill.jobId ?? null,
    jobNumber: bill.jobNumber ?? null,
    businessUnit: named(bill.businessUnit),
    batch: bill.batch
      ? { id: bill.batch.id, number: bill.batch.number ?? null, name: bill.batch.name ?? null }
      : null,
    taxZone: named(bill.taxZone),
    shipTo: bill.shipTo
      ? {
          street: bill.shipTo.street ?? null,
          unit: bill.shipTo.unit ?? null,
          city: bill.shipTo.city ?? null,
          state: bill.shipTo.state ?? null,
          zip: bill.shipTo.zip ?? null,
          country: bill.shipTo.country ?? null,
        }
      : null,
    shipToDescription: bill.shipToDescription ?? null,
    budgetCodeId: bill.budgetCodeId ?? null,
    createdBy: bill.createdBy ?? null,
    createdOn: bill.createdOn ?? null,
    modifiedOn: bill.modifiedOn ?? null,
    dateCanceled: bill.dateCanceled ?? null,
    canceledBy: named(bill.canceledBy),
    dateReconciled: bill.dateReconciled ?? null,
    customFields: (bill.customFields ?? []).map((field) => ({
      name: field.name ?? null,
      value: field.value ?? null,
    })),
    items: (bill.items ?? []).map((item) => ({
      id: item.id,
      order: item.order,
      name: item.name ?? null,
      description: item.description ?? null,
      skuId: item.skuId,
      skuCode: item.skuCode,
      skuType: item.skuType,
      quantity: moneyText(item.quantity),
      cost: moneyText(item.cost),
      allocatedTax: moneyText(item.allocatedTax),
      allocatedShipping: moneyText(item.allocatedShipping),
      allocatedOtherCosts: moneyText(item.allocatedOtherCosts),
      fullyLandedUnitCost: moneyText(item.fullyLandedUnitCost),
      inventoryLocation: item.inventoryLocation
        ? {
            id: item.inventoryLocation.id,
            name: item.inventoryLocation.name ?? null,
            type: item.inventoryLocation.type ?? null,
          }
        : null,
      vendorPartNumber: item.vendorPartNumber ?? null,
      serialNumber: item.serialNumber ?? null,
      generalLedgerAccount: gl(item.generalLedgerAccount),
      costOfSaleAccount: gl(item.costOfSaleAccount),
      assetAccount: gl(item.assetAccount),
      receiptItemId: item.receiptItemId ?? null,
      budgetCodeId: item.budgetCodeId ?? null,
    })),
    expenseItems: (bill.expenseItems ?? []).map((item) => ({
      id: item.id,
      amount: moneyText(item.amount) ?? "0",
      description: item.description ?? null,
      generalLedgerAccount: gl(item.generalLedgerAccount),
      job: named(item.job),
      businessUnit: named(item.businessUnit),
      budgetCodeId: item.budgetCodeId ?? null,
      projectLabelIds: [...(item.projectLabelIds ?? [])],
    })),
  };
}

/** ServiceTitan's ApBillResponse → BillView. */
export function toBillView(bill: ApBill): BillView {
  return { id: bill.id, ...billFields(bill) };
}

/** A polling item: `id` unique per version (of `stampOf`: createdOn or modifiedOn), the bill's own id in `billId`. */
export function toPollItem(bill: ApBill, stampOf: (bill: ApBill) => string | null | undefined): PollItem {
  return { id: `${bill.id}-${stampOf(bill) ?? "none"}`, billId: bill.id, ...billFields(bill) };
}

// The worker's payment-term shape: ServiceTitan's fields, with its decimal numbers (discount,
// interest rates) as exact decimal strings and an absent discount as null.
import { Decimal, type PaymentTerm } from "@st-edge/servicetitan";
import { decimalText } from "./decimal.ts";
import type { DiscountTerm } from "./due-date.ts";

export interface DiscountView {
  id: number | null;
  discountType: string | null;
  discount: string | null;
  discountApplyTo: string | null;
  applyBy: string | null;
  applyByValue: number | null;
  account: string | null;
}

export interface InterestView {
  id: number | null;
  rateType: string;
  flatRateValue: string | null;
  percentageRateValue: string | null;
  chargeMethod: string | null;
  frequency: string;
  gracePeriod: number | null;
  targetInvoices: string[];
  taskId: number | null;
  taskDisplayName: string | null;
}

export interface PaymentTermView {
  id: number;
  name: string | null;
  active: boolean;
  inUse: boolean | null;
  isCustomerDefault: boolean;
  isVendorDefault: boolean;
  dueDayType: string;
  dueDay: number | null;
  paymentTermDiscountModel: DiscountView | null;
  interestSettings: InterestView | null;
  createdOn: string;
  modifiedOn: string;
}

/** ServiceTitan's PaymentTermAPIModel → PaymentTermView. `fallbackId` covers ServiceTitan's nullable `id`. */
export function toPaymentTermView(term: PaymentTerm, fallbackId?: number): PaymentTermView {
  const discount = term.paymentTermDiscountModel;
  // ServiceTitan sends the discount object with every field null when a term has none.
  const hasDiscount = discount && (discount.discount ?? null) !== null && (discount.applyBy ?? null) !== null;
  const interest = term.interestSettings;
  return {
    id: term.id ?? fallbackId ?? 0,
    name: term.name ?? null,
    active: term.active,
    inUse: term.inUse ?? null,
    isCustomerDefault: term.isCustomerDefault,
    isVendorDefault: term.isVendorDefault,
    dueDayType: term.dueDayType,
    dueDay: term.dueDay ?? null,
    paymentTermDiscountModel: hasDiscount
      ? {
          id: discount.id ?? null,
          discountType: discount.discountType ?? null,
          discount: decimalText(discount.discount),
          discountApplyTo: discount.discountApplyTo ?? null,
          applyBy: discount.applyBy ?? null,
          applyByValue: discount.applyByValue ?? null,
          account: discount.account ?? null,
        }
      : null,
    interestSettings: interest
      ? {
          id: interest.id ?? null,
          rateType: interest.rateType,
          flatRateValue: decimalText(interest.flatRateValue),
          percentageRateValue: decimalText(interest.percentageRateValue),
          chargeMethod: interest.chargeMethod ?? null,
          frequency: interest.frequency,
          gracePeriod: interest.gracePeriod ?? null,
          targetInvoices: [...(interest.targetInvoices ?? [])],
          taskId: interest.taskId ?? null,
          taskDisplayName: interest.taskDisplayName ?? null,
        }
      : null,
    createdOn: term.createdOn,
    modifiedOn: term.modifiedOn,
  };
}

/** The discount part the due-date math needs. */
export function toDiscountTerm(view: PaymentTermView): DiscountTerm {
  const discount = view.paymentTermDiscountModel;
  return {
    applyBy: discount?.applyBy ?? null,
    applyByValue: discount?.applyByValue ?? null,
    discountType: discount?.discountType ?? null,
    discount: discount?.discount ? Decimal.parse(discount.discount) : null,
  };
}

// What a tenant's data is made of. Invoices, tax zones, payment terms and AP bills are kept in
// their ServiceTitan response shape (the generated types). Payments are kept in a small internal
// shape instead, because one payment answers in three shapes (DetailedPaymentResponse,
// PaymentResponse, ExportPaymentResponse) and its money is recomputed on every write.
// Everything here is plain data, frozen once seeded.
import type { ApBill, components, Invoice, PaymentTerm, PaymentType, TaxZone } from "@st-edge/servicetitan";
import type { InvoiceSku } from "./invoice-lines.ts";

type S = components["schemas"];
export type NamedField = S["Accounting.V2.NamedFieldResponse"];
export type Address = S["Accounting.V2.AddressResponse"];
export type PaymentStatus = S["Accounting.V2.PaymentStatus"];
export type CustomField = S["Accounting.V2.CustomFieldResponse"];
export type CustomFieldType = S["Accounting.V2.CustomFieldTypeResponse"];

/** One application of a payment to an invoice (a split). Money is a 2-decimal string. */
export interface StoredSplit {
  appliedId: number;
  invoiceId: number;
  amount: string;
  appliedOn: number;
  appliedBy: string;
}

export interface StoredPayment {
  id: number;
  /** "seed" for generated payments, "api" for ones created through POST /payments. */
  origin: "seed" | "api";
  active: boolean;
  typeId: number;
  status: PaymentStatus;
  total: string;
  paidOn: number | null;
  memo: string | null;
  checkNumber: string | null;
  authCode: string | null;
  exportId: string | null;
  referenceNumber: string | null;
  customerId: number | null;
  businessUnit: NamedField | null;
  batch: S["Accounting.V2.BatchResponse"] | null;
  deposit: NamedField | null;
  generalLedgerAccount: S["Accounting.V2.GLAccountResponse"] | null;
  refundedPaymentId: number | null;
  createdBy: string;
  createdOn: number;
  modifiedOn: number;
  splits: StoredSplit[];
  /** DetailedPaymentResponse's custom fields, whose name and value are never null. */
  customFields: S["Accounting.CustomFieldModel"][];
}

export interface StoredPaymentType {
  record: PaymentType;
  /** PaymentTypeResponse has no `active` field, but the list filters on it. */
  active: boolean;
}

export interface Customer {
  id: number;
  name: string;
  address: Address;
}

/** A tenant's whole dataset as seeded. Frozen once built; the store writes copies of what it changes. */
export interface TenantData {
  readonly tenantId: number;
  /** Position in the tenant list, which picks the tenant's id block. */
  readonly tenantIndex: number;
  readonly invoices: readonly Invoice[];
  readonly payments: readonly StoredPayment[];
  readonly paymentTypes: readonly StoredPaymentType[];
  readonly paymentTerms: readonly PaymentTerm[];
  readonly taxZones: readonly TaxZone[];
  readonly apBills: readonly ApBill[];
  readonly customers: readonly Customer[];
  /** The price book items can be added from (ServiceTitan's pricebook SKUs). */
  readonly skus: readonly InvoiceSku[];
  readonly invoiceTypes: readonly NamedField[];
  /** Technicians: who an invoice can be assigned to and who an item was sold by. */
  readonly employees: readonly NamedField[];
  readonly invoiceCustomFieldTypes: readonly CustomFieldType[];
  readonly purchaseOrderTypes: readonly NamedField[];
  /** The type of each procurement bill's purchase order (not part of any response; the filter reads it). */
  readonly purchaseOrders: readonly { readonly id: number; readonly typeId: number }[];
  /** Next sequence numbers for records created through the API. */
  readonly next: NextIds;
}

/** Sequence numbers (1-based, per kind) of the next records the API creates. */
export interface NextIds {
  readonly payment: number;
  readonly paymentApplication: number;
  readonly invoice: number;
  readonly invoiceItem: number;
}

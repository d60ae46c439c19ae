// What a write sees of a tenant's data while it runs: reads of the current records, the tenant's
// reference data, the time it happens at, the invoice locks in force, and the few primitives
// that change records. The store builds one per write (store.ts) and adopts its id counters only
// when the write succeeds, so a refused write leaves no trace, not even a skipped id.
import type { ApBill, Decimal, Invoice, InvoiceItem } from "@st-edge/servicetitan";
import type { FieldErrors } from "../errors.ts";
import { money } from "../money.ts";
import type { InvoiceLocks } from "../options.ts";
import type { NextIds, StoredPayment, TenantData } from "../records.ts";

/** Who ServiceTitan would name as creator of records written through the API. */
export const API_USER = "ServiceTitan API";

export interface WriteContext {
  /** When the write happens (epoch ms): every record it changes is stamped with it. */
  readonly now: number;
  readonly data: TenantData;
  readonly locks: InvoiceLocks;
  invoice(id: number): Invoice | undefined;
  invoiceByNumber(number: string): Invoice | undefined;
  invoices(): readonly Invoice[];
  payment(id: number): StoredPayment | undefined;
  payments(): readonly StoredPayment[];
  apBill(id: number): ApBill | undefined;
  /** The next id of a kind the API creates (taken only if the write succeeds). */
  nextId(kind: keyof NextIds): number;
  putPayment(payment: StoredPayment): void;
  /**
   * The one place an invoice is created or changed: derives its balance and paidOn from the
   * active payments, stamps modifiedOn with `now`, and keeps the number index. Returns what was stored.
   */
  commitInvoice(invoice: Invoice): Invoice;
  /** Stores a changed AP bill, stamped modified `now`. */
  commitApBill(bill: ApBill): void;
  /** Keeps a deleted item for the invoice-items export feed, which reports deletions as inactive items. */
  retireItem(invoiceId: number, item: InvoiceItem): void;
  /** The message an export mark carried (no ServiceTitan read returns it; the ledger does). */
  noteExportMessage(invoiceId: number, message: string | null): void;
}

/** Field path inside a request body: `at("items[0]", "skuId")` → "items[0].skuId"; no prefix, the bare name. */
export const at = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);

/** Adds one message to a field's errors. */
export function fail(errors: FieldErrors, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}

/**
 * A money amount from a request (a JSON number): exact, at most 2 decimals, and non-zero unless
 * `allowZero`. Undefined (with an error filed) otherwise.
 */
export function amountOf(
  value: number,
  field: string,
  errors: FieldErrors,
  { allowZero = false }: { allowZero?: boolean } = {},
): Decimal | undefined {
  try {
    const amount = money(value);
    if (amount.significantScale() > 2) fail(errors, field, "Amounts can have at most 2 decimal places.");
    else if (amount.isZero() && !allowZero) fail(errors, field, "The amount must not be zero.");
    else return amount;
  } catch {
    fail(errors, field, "The amount is not a valid decimal.");
  }
  return undefined;
}

/** A quantity from a request: any exact decimal a JSON number can carry. */
export function quantityOf(value: number, field: string, errors: FieldErrors): Decimal | undefined {
  try {
    return money(value);
  } catch {
    fail(errors, field, "The quantity is not a valid decimal.");
    return undefined;
  }
}

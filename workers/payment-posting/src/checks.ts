// The checks before a payment is written: the payment type exists (names resolved
// case-insensitively), every invoice exists in this tenant and is active, and no split exceeds
// what is left on its invoice (ServiceTitan's balance, less what this deployment's writes still
// hold on it: see @st-edge/exactly-once readUnderGates) unless the caller opted into overpayment.
// Each failure is a problem naming the field.
import { type FieldError, ProblemError } from "@st-edge/edge";
import type { InvoiceUnderGate } from "@st-edge/exactly-once";
import { Decimal, type Invoice, type PaymentType, type ServiceTitanClient } from "@st-edge/servicetitan";
import { invoicesByNumber, paymentTypes, paymentTypesAge } from "./lookups.ts";
import type { CanonicalSplit, InvoiceRef } from "./payment-request.ts";

/** A cached list older than this is re-read once before a name or id is called unknown. */
const REFRESH_UNKNOWN_AFTER_MS = 5_000;

export interface TypeLookup {
  client: ServiceTitanClient;
  cacheKey: string;
  ttlMs: number;
}

/** The payment type meant by `type`, or a 422 payment-type-unknown problem. */
export async function resolvePaymentType(
  lookup: TypeLookup,
  type: { id: number } | { name: string },
  field = "id" in type ? "typeId" : "paymentType",
): Promise<PaymentType> {
  const match = (types: PaymentType[]) =>
    "id" in type
      ? types.filter((candidate) => candidate.id === type.id)
      : types.filter((candidate) => candidate.name.trim().toLowerCase() === type.name.toLowerCase());
  let found = match(await paymentTypes(lookup.client, lookup.cacheKey, lookup.ttlMs));
  if (found.length === 0 && (paymentTypesAge(lookup.cacheKey) ?? 0) > REFRESH_UNKNOWN_AFTER_MS) {
    found = match(await paymentTypes(lookup.client, lookup.cacheKey, lookup.ttlMs, { fresh: true }));
  }
  const what = "id" in type ? `id ${type.id}` : `"${type.name}"`;
  if (found.length > 1) {
    throw new ProblemError({
      type: "payment-type-unknown",
      detail: `More than one payment type is named ${what}; give typeId instead`,
      errors: [{ in: "body", field, message: "matches more than one payment type" }],
    });
  }
  const [paymentType] = found;
  if (!paymentType) {
    throw new ProblemError({
      type: "payment-type-unknown",
      detail: `No active payment type ${what} in this tenant`,
      errors: [{ in: "body", field, message: "is not an active payment type of this tenant" }],
    });
  }
  return paymentType;
}

/** A split whose invoice is known by id. */
export interface IdSplit {
  invoiceId: number;
  amount: Decimal;
  field: string;
  ref: InvoiceRef;
}

const describeRef = (ref: InvoiceRef) =>
  "id" in ref ? `invoice ${ref.id}` : `invoice number "${ref.number}"`;

const notFound = (errors: FieldError[]) =>
  new ProblemError({
    type: "invoice-not-found",
    detail: errors.map((error) => error.message).join("; "),
    errors,
  });

/**
 * The invoice id of every split: ids as given, numbers looked up (a number that is not there is a
 * 404, one that names several invoices a 422). Balances are not read here: they are read again
 * under the invoices' gates.
 */
export async function invoiceIdsOf(
  client: ServiceTitanClient,
  splits: readonly Pick<CanonicalSplit, "invoice" | "amount" | "field">[],
): Promise<IdSplit[]> {
  const numbers = [
    ...new Set(splits.flatMap((split) => ("number" in split.invoice ? [split.invoice.number] : []))),
  ];
  const byNumber = new Map(
    await Promise.all(
      numbers.map(async (number) => [number, await invoicesByNumber(client, number)] as const),
    ),
  );
  const missing: FieldError[] = [];
  const ambiguous: FieldError[] = [];
  const resolved: IdSplit[] = [];
  for (const split of splits) {
    const ref = split.invoice;
    if ("id" in ref) {
      resolved.push({ invoiceId: ref.id, amount: split.amount, field: split.field, ref });
      continue;
    }
    const candidates: Invoice[] = byNumber.get(ref.number) ?? [];
    const [only] = candidates;
    if (candidates.length > 1) {
      ambiguous.push({
        in: "body",
        field: split.field,
        message: "matches more than one invoice; give invoiceId",
      });
    } else if (!only) {
      missing.push({
        in: "body",
        field: split.field,
        message: `${describeRef(ref)} does not exist in this tenant`,
      });
    } else {
      resolved.push({ invoiceId: only.id, amount: split.amount, field: split.field, ref });
    }
  }
  if (missing.length > 0) throw notFound(missing);
  if (ambiguous.length > 0) {
    throw new ProblemError({
      type: "unprocessable",
      detail: "An invoice number is not unique",
      errors: ambiguous,
    });
  }
  const duplicate = resolved.find(
    (split, index) => resolved.findIndex((other) => other.invoiceId === split.invoiceId) !== index,
  );
  if (duplicate) {
    throw new ProblemError({
      type: "validation-failed",
      detail: "The same invoice is listed twice (by id and by number)",
      errors: [
        { in: "body", field: duplicate.field, message: "lists the same invoice twice; combine the amounts" },
      ],
    });
  }
  return resolved;
}

/** A split with its invoice as read under the gate. */
export interface CheckedSplit extends IdSplit {
  invoice: Invoice;
  underGate: InvoiceUnderGate;
}

/** Every split's invoice must exist in this tenant (404) and be active (422). */
export function checkInvoices(
  splits: readonly IdSplit[],
  invoices: ReadonlyMap<number, InvoiceUnderGate>,
): CheckedSplit[] {
  const missing = splits.filter((split) => !invoices.has(split.invoiceId));
  if (missing.length > 0) {
    throw notFound(
      missing.map((split) => ({
        in: "body",
        field: split.field,
        message: `${describeRef(split.ref)} does not exist in this tenant`,
      })),
    );
  }
  const checked = splits.flatMap((split) => {
    const underGate = invoices.get(split.invoiceId);
    return underGate ? [{ ...split, invoice: underGate.invoice, underGate }] : [];
  });
  const inactive = checked.filter((split) => !split.invoice.active);
  if (inactive.length > 0) {
    throw new ProblemError({
      type: "invoice-inactive",
      detail: `Invoice ${inactive.map((split) => split.invoiceId).join(", ")} is inactive`,
      errors: inactive.map((split) => ({ in: "body", field: split.field, message: "invoice is inactive" })),
    });
  }
  return checked;
}

/**
 * Refuses splits larger than what is left on their invoice, unless `allowOverpayment`. `credit`
 * adds back what the payment being changed already applies to an invoice.
 */
export function checkBalances(
  splits: readonly CheckedSplit[],
  allowOverpayment: boolean,
  credit: ReadonlyMap<number, Decimal> = new Map(),
): void {
  if (allowOverpayment) return;
  const errors: FieldError[] = [];
  for (const split of splits) {
    const left = split.underGate.available;
    if (left === null) {
      errors.push({
        in: "body",
        field: split.field,
        message: "invoice balance is unknown; set allowOverpayment to post anyway",
      });
      continue;
    }
    const available = left.plus(credit.get(split.invoiceId) ?? Decimal.ZERO);
    if (split.amount.compare(available) > 0) {
      const held = split.underGate.pending.length > 0 ? " (after payments still being recorded)" : "";
      errors.push({
        in: "body",
        field: split.field,
        message: `${split.amount.toFixed(2)} exceeds invoice ${split.invoiceId}'s balance of ${available.toFixed(2)}${held}`,
      });
    }
  }
  if (errors.length > 0) {
    throw new ProblemError({
      type: "overpayment",
      detail: `${errors.map((e) => e.message).join("; ")} (set allowOverpayment: true to allow)`,
      errors,
    });
  }
}

/** The customer all invoices belong to (sent as the payment's customerId); 422 when they differ. */
export function commonCustomer(splits: readonly CheckedSplit[]): number | null {
  const customers = new Set(splits.map((split) => split.invoice.customer?.id ?? null));
  if (customers.size > 1) {
    throw new ProblemError({
      type: "unprocessable",
      detail: "The invoices belong to different customers; post one payment per customer",
    });
  }
  return [...customers][0] ?? null;
}

// Turns a validated create body into the one canonical payment it means, checking the rules that
// span fields. Two bodies that mean the same payment ("12.3" vs 12.30, shorthand vs one split,
// "cash" vs "Cash") get the same canonical form, hence the same fingerprint under one
// Idempotency-Key.
import { type FieldError, ProblemError, parseAmount, toUtcDateTime } from "@st-edge/edge";
import { sha256Hex } from "@st-edge/exactly-once";
import { Decimal } from "@st-edge/servicetitan";
import type { CreatePaymentInput } from "./api.ts";

export type PaymentStatusValue = "Pending" | "Posted" | "Exported";

export type InvoiceRef = { id: number } | { number: string };

export interface CanonicalSplit {
  invoice: InvoiceRef;
  amount: Decimal;
  /** Where the caller gave it ("splits.1", "invoiceId"), for field errors. Not part of the fingerprint. */
  field: string;
}

export interface CanonicalPayment {
  /** The type by id, or by name (compared case-insensitively). */
  type: { id: number } | { name: string };
  amount: Decimal;
  paidOn: string | null;
  memo: string | null;
  checkNumber: string | null;
  authCode: string | null;
  status: PaymentStatusValue | null;
  splits: CanonicalSplit[];
  allowOverpayment: boolean;
}

const text = (value: string | undefined) => (value === undefined ? null : value.trim());

const body = (field: string, message: string): FieldError => ({ in: "body", field, message });

/**
 * The one rule for invoice numbers: compared without regard to letter case, in the duplicate check,
 * the lookup and the fingerprint alike. ServiceTitan's own rule is UNCONFIRMED; its data sits in
 * SQL Server, whose default collation ignores case, so "inv-7" and "INV-7" most likely name one
 * invoice there too.
 */
export const sameInvoiceNumber = (number: string) => number.trim().toLowerCase();

export const refKey = (ref: InvoiceRef) =>
  "id" in ref ? `id:${ref.id}` : `number:${sameInvoiceNumber(ref.number)}`;

type SplitInput = NonNullable<CreatePaymentInput["splits"]>[number];

/** Splits as given, checked (one invoice reference each, no invoice twice); problems go to `errors`. */
export function canonicalSplits(input: readonly SplitInput[], errors: FieldError[]): CanonicalSplit[] {
  const splits: CanonicalSplit[] = [];
  input.forEach((split, index) => {
    const hasId = split.invoiceId !== undefined;
    const hasNumber = split.invoiceNumber !== undefined;
    if (hasId === hasNumber) {
      errors.push(body(`splits.${index}`, "give exactly one of invoiceId and invoiceNumber"));
      return;
    }
    const invoice: InvoiceRef =
      split.invoiceId !== undefined
        ? { id: split.invoiceId }
        : { number: (split.invoiceNumber ?? "").trim() };
    splits.push({ invoice, amount: parseAmount(split.amount), field: `splits.${index}` });
  });
  const seen = new Set<string>();
  for (const split of splits) {
    const key = refKey(split.invoice);
    if (seen.has(key)) errors.push(body(split.field, "lists the same invoice twice; combine the amounts"));
    seen.add(key);
  }
  return splits;
}

/** The payment a create body describes, or a 400 problem listing every cross-field error. */
export function toCanonicalPayment(input: CreatePaymentInput): CanonicalPayment {
  const errors: FieldError[] = [];

  let type: CanonicalPayment["type"] | undefined;
  if (input.typeId !== undefined && input.paymentType !== undefined) {
    errors.push(body("paymentType", "give typeId or paymentType, not both"));
  } else if (input.typeId !== undefined) {
    type = { id: input.typeId };
  } else if (input.paymentType !== undefined) {
    type = { name: input.paymentType.trim() };
  } else {
    errors.push(body("typeId", "is required (or give paymentType, the type's name)"));
  }

  const shorthand = input.invoiceId !== undefined || input.invoiceNumber !== undefined;
  let splits: CanonicalSplit[] = [];
  if (input.splits && shorthand) {
    errors.push(
      body(
        input.invoiceId !== undefined ? "invoiceId" : "invoiceNumber",
        "give splits or invoiceId, not both",
      ),
    );
  } else if (input.splits) {
    splits = canonicalSplits(input.splits, errors);
  } else if (shorthand) {
    if (input.invoiceId !== undefined && input.invoiceNumber !== undefined) {
      errors.push(body("invoiceNumber", "give invoiceId or invoiceNumber, not both"));
    } else if (input.amount === undefined) {
      errors.push(body("amount", "is required with invoiceId"));
    } else {
      const invoice: InvoiceRef =
        input.invoiceId !== undefined
          ? { id: input.invoiceId }
          : { number: (input.invoiceNumber ?? "").trim() };
      const field = input.invoiceId !== undefined ? "invoiceId" : "invoiceNumber";
      splits.push({ invoice, amount: parseAmount(input.amount), field });
    }
  } else {
    errors.push(body("splits", "is required (or give invoiceId and amount for a single invoice)"));
  }

  const total = Decimal.sum(splits.map((split) => split.amount));
  let amount = total;
  if (input.amount !== undefined && input.splits) {
    amount = parseAmount(input.amount);
    if (splits.length === input.splits.length && !amount.equals(total)) {
      errors.push(body("amount", `must equal the sum of the splits (${total.toFixed(2)})`));
    }
  }

  if (errors.length > 0 || type === undefined) {
    throw new ProblemError({ type: "validation-failed", detail: "The request body is not valid", errors });
  }
  const flag = input.allowOverpayment;
  return {
    type,
    amount: amount.round(2),
    paidOn: input.paidOn === undefined ? null : toUtcDateTime(input.paidOn.trim()),
    memo: text(input.memo),
    checkNumber: text(input.checkNumber),
    authCode: text(input.authCode),
    status: input.status ?? null,
    splits,
    allowOverpayment: flag === true || flag === "true",
  };
}

/** The canonical JSON text of a payment: fixed member order, amounts at two decimals. */
export function canonicalJson(payment: CanonicalPayment): string {
  return JSON.stringify({
    type: "id" in payment.type ? { id: payment.type.id } : { name: payment.type.name.toLowerCase() },
    amount: payment.amount.toFixed(2),
    paidOn: payment.paidOn,
    memo: payment.memo,
    checkNumber: payment.checkNumber,
    authCode: payment.authCode,
    status: payment.status,
    splits: payment.splits.map((split) => ({
      invoice:
        "id" in split.invoice
          ? { id: split.invoice.id }
          : { number: sameInvoiceNumber(split.invoice.number) },
      amount: split.amount.toFixed(2),
    })),
    allowOverpayment: payment.allowOverpayment,
  });
}

/** The fingerprint stored with an Idempotency-Key: SHA-256 of the canonical JSON. */
export function requestHash(payment: CanonicalPayment): Promise<string> {
  return sha256Hex(canonicalJson(payment));
}

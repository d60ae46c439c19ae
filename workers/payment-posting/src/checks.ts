// The checks before anything is posted: the payment type exists (names resolved case-insensitively),
// every invoice exists in this tenant and is active, and no split exceeds its invoice's balance
// unless the caller opted into overpayment. Each failure is a problem naming the field.
import { type FieldError, ProblemError } from "@st-edge/edge";
import { Decimal, type Invoice, type PaymentType, type ServiceTitanClient } from "@st-edge/servicetitan";
import { invoicesByIds, invoicesByNumber, paymentTypes, paymentTypesAge } from "./lookups.ts";
import type { CanonicalSplit, InvoiceRef } from "./payment-request.ts";
import {
  INVOICE_INACTIVE,
  INVOICE_NOT_FOUND,
  OVERPAYMENT,
  PAYMENT_TYPE_UNKNOWN,
  paymentProblem,
} from "./problems.ts";

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
    throw new ProblemError(
      paymentProblem(
        PAYMENT_TYPE_UNKNOWN,
        `More than one payment type is named ${what}; give typeId instead`,
        {
          errors: [{ in: "body", field, message: "matches more than one payment type" }],
        },
      ),
    );
  }
  const [paymentType] = found;
  if (!paymentType) {
    throw new ProblemError(
      paymentProblem(PAYMENT_TYPE_UNKNOWN, `No active payment type ${what} in this tenant`, {
        errors: [{ in: "body", field, message: "is not an active payment type of this tenant" }],
      }),
    );
  }
  return paymentType;
}

export interface ResolvedSplit {
  invoiceId: number;
  amount: Decimal;
  invoice: Invoice;
  field: string;
}

const describeRef = (ref: InvoiceRef) =>
  "id" in ref ? `invoice ${ref.id}` : `invoice number "${ref.number}"`;

/** Each split's invoice, which must exist in this tenant (404) and be active (422). */
export async function resolveInvoices(
  client: ServiceTitanClient,
  splits: readonly Pick<CanonicalSplit, "invoice" | "amount" | "field">[],
): Promise<ResolvedSplit[]> {
  const ids = splits.flatMap((split) => ("id" in split.invoice ? [split.invoice.id] : []));
  const numbers = [
    ...new Set(splits.flatMap((split) => ("number" in split.invoice ? [split.invoice.number] : []))),
  ];
  const [byId, byNumber] = await Promise.all([
    ids.length > 0 ? invoicesByIds(client, ids) : new Map<number, Invoice>(),
    Promise.all(
      numbers.map(async (number) => [number, await invoicesByNumber(client, number)] as const),
    ).then((entries) => new Map(entries)),
  ]);

  const missing: FieldError[] = [];
  const ambiguous: FieldError[] = [];
  const resolved: ResolvedSplit[] = [];
  for (const split of splits) {
    let invoice: Invoice | undefined;
    if ("id" in split.invoice) {
      invoice = byId.get(split.invoice.id);
    } else {
      const candidates = byNumber.get(split.invoice.number) ?? [];
      if (candidates.length > 1) {
        ambiguous.push({
          in: "body",
          field: split.field,
          message: "matches more than one invoice; give invoiceId",
        });
        continue;
      }
      invoice = candidates[0];
    }
    if (!invoice) {
      missing.push({
        in: "body",
        field: split.field,
        message: `${describeRef(split.invoice)} does not exist in this tenant`,
      });
      continue;
    }
    resolved.push({ invoiceId: invoice.id, amount: split.amount, invoice, field: split.field });
  }
  if (missing.length > 0) {
    throw new ProblemError(
      paymentProblem(INVOICE_NOT_FOUND, missing.map((error) => error.message).join("; "), {
        errors: missing,
      }),
    );
  }
  if (ambiguous.length > 0) {
    throw new ProblemError({
      type: "unprocessable",
      detail: "An invoice number is not unique",
      errors: ambiguous,
    });
  }
  const duplicate = resolved.find(
    (split, index) => resolved.findIndex((s) => s.invoiceId === split.invoiceId) !== index,
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
  const inactive = resolved.filter((split) => !split.invoice.active);
  if (inactive.length > 0) {
    throw new ProblemError(
      paymentProblem(INVOICE_INACTIVE, `Invoice ${inactive.map((s) => s.invoiceId).join(", ")} is inactive`, {
        errors: inactive.map((split) => ({ in: "body", field: split.field, message: "invoice is inactive" })),
      }),
    );
  }
  return resolved;
}

/**
 * Refuses splits larger than what is left on their invoice, unless `allowOverpayment`. `credit`
 * adds back what the payment being edited already applies to an invoice.
 */
export function checkBalances(
  splits: readonly ResolvedSplit[],
  allowOverpayment: boolean,
  credit: ReadonlyMap<number, Decimal> = new Map(),
): void {
  if (allowOverpayment) return;
  const errors: FieldError[] = [];
  for (const split of splits) {
    const balance = Decimal.fromServiceTitan(split.invoice.balance);
    if (balance === null) {
      errors.push({
        in: "body",
        field: split.field,
        message: "invoice balance is unknown; set allowOverpayment to post anyway",
      });
      continue;
    }
    const available = balance.plus(credit.get(split.invoiceId) ?? Decimal.ZERO);
    if (split.amount.compare(available) > 0) {
      errors.push({
        in: "body",
        field: split.field,
        message: `${split.amount.toFixed(2)} exceeds invoice ${split.invoiceId}'s balance of ${available.toFixed(2)}`,
      });
    }
  }
  if (errors.length > 0) {
    throw new ProblemError(
      paymentProblem(
        OVERPAYMENT,
        `${errors.map((e) => e.message).join("; ")} (set allowOverpayment: true to allow)`,
        {
          errors,
        },
      ),
    );
  }
}

/** The customer all invoices belong to (sent as the payment's customerId); 422 when they differ. */
export function commonCustomer(splits: readonly ResolvedSplit[]): number | null {
  const customers = new Set(splits.map((split) => split.invoice.customer?.id ?? null));
  if (customers.size > 1) {
    throw new ProblemError({
      type: "unprocessable",
      detail: "The invoices belong to different customers; post one payment per customer",
    });
  }
  return [...customers][0] ?? null;
}

// Payment writes: Payments_Create (restored from the March 2026 spec), Payments_Update (typeId and
// splits required, as the spec says) and Payments_UpdateStatus. Each validates against the
// tenant's data before it changes anything, then settles the invoices its splits touch.
import type {
  components,
  Decimal,
  Invoice,
  PaymentCreateRequest,
  PaymentUpdateRequest,
} from "@st-edge/servicetitan";
import { type FieldErrors, notFound, validationProblem } from "../errors.ts";
import { cents, money, ZERO } from "../money.ts";
import type { StoredPayment, StoredSplit } from "../records.ts";
import { parseDateTime } from "../time.ts";
import { API_USER, amountOf, type WriteContext } from "./context.ts";

type S = components["schemas"];
type SplitRequest = S["Accounting.V2.PaymentSplitApiModel"];

interface ResolvedSplit {
  invoice: Invoice;
  amount: Decimal;
}

const instantOf = (text: string | null | undefined): number | undefined =>
  text === null || text === undefined ? undefined : parseDateTime(text);

function checkType(ctx: WriteContext, typeId: number, errors: FieldErrors, current?: number): void {
  const type = ctx.data.paymentTypes.find((candidate) => candidate.record.id === typeId);
  if (!type) errors.typeId = [`Payment type ${typeId} was not found.`];
  else if (!type.active && typeId !== current) errors.typeId = [`Payment type ${typeId} is inactive.`];
}

/** Splits may name the invoice by id or by number (referenceNumber); both must exist in this tenant. */
function resolveSplits(ctx: WriteContext, splits: SplitRequest[], errors: FieldErrors): ResolvedSplit[] {
  const resolved: ResolvedSplit[] = [];
  const seen = new Set<number>();
  splits.forEach((split, index) => {
    const at = `splits[${index}]`;
    let invoice: Invoice | undefined;
    if (split.invoiceId !== null && split.invoiceId !== undefined) {
      invoice = ctx.invoice(split.invoiceId);
      if (!invoice) errors[`${at}.invoiceId`] = [`Invoice ${split.invoiceId} was not found.`];
    }
    if (split.invoiceNumber !== null && split.invoiceNumber !== undefined) {
      const byNumber = ctx.invoiceByNumber(split.invoiceNumber);
      if (!byNumber) errors[`${at}.invoiceNumber`] = [`Invoice number ${split.invoiceNumber} was not found.`];
      else if (invoice && invoice !== byNumber) {
        errors[`${at}.invoiceNumber`] = [
          `Invoice number ${split.invoiceNumber} is not invoice ${split.invoiceId}.`,
        ];
      } else invoice = byNumber;
    }
    if ((split.invoiceId ?? null) === null && (split.invoiceNumber ?? null) === null) {
      errors[at] = ["Either invoiceId or invoiceNumber is required."];
    }
    if (invoice && !invoice.active) errors[at] = [`Invoice ${invoice.id} is inactive.`];
    if (invoice && seen.has(invoice.id))
      errors[at] = [`Invoice ${invoice.id} appears in more than one split.`];
    if (invoice) seen.add(invoice.id);
    if (split.amount === null || split.amount === undefined) {
      errors[`${at}.amount`] = ["The amount field is required."];
      return;
    }
    const amount = amountOf(split.amount, `${at}.amount`, errors);
    if (invoice && amount) resolved.push({ invoice, amount });
  });
  return resolved;
}

/** A payment belongs to one customer; every invoice it settles must be that customer's. */
function resolveCustomer(
  ctx: WriteContext,
  customerId: number | null,
  splits: ResolvedSplit[],
  errors: FieldErrors,
): number | null {
  if (customerId !== null && !ctx.data.customers.some((customer) => customer.id === customerId)) {
    errors.customerId = [`Customer ${customerId} was not found.`];
    return null;
  }
  const owner = customerId ?? splits[0]?.invoice.customer?.id ?? null;
  splits.forEach((split, index) => {
    if (split.invoice.customer?.id !== owner) {
      errors[`splits[${index}]`] = [`Invoice ${split.invoice.id} belongs to another customer.`];
    }
  });
  return owner;
}

function application(ctx: WriteContext, split: ResolvedSplit): StoredSplit {
  return {
    appliedId: ctx.nextId("paymentApplication"),
    invoiceId: split.invoice.id,
    amount: cents(split.amount),
    appliedOn: ctx.now,
    appliedBy: API_USER,
  };
}

/** Recomputes the balances of these invoices (commitInvoice derives them from the payments). */
function settle(ctx: WriteContext, invoiceIds: Iterable<number>): void {
  for (const id of invoiceIds) {
    const invoice = ctx.invoice(id);
    if (invoice) ctx.commitInvoice(invoice);
  }
}

const sumOf = (splits: ResolvedSplit[]): Decimal =>
  splits.reduce((sum, split) => sum.plus(split.amount), ZERO);

/** Payments_Create: validates against this tenant's data, stores, and settles the invoices in its splits. */
export function createPayment(ctx: WriteContext, request: PaymentCreateRequest): StoredPayment {
  const errors: FieldErrors = {};
  checkType(ctx, request.typeId, errors);
  const splits = resolveSplits(ctx, request.splits ?? [], errors);
  const customerId = resolveCustomer(ctx, request.customerId ?? null, splits, errors);
  const applied = sumOf(splits);
  let total = applied;
  if (request.amount !== null && request.amount !== undefined) {
    const amount = amountOf(request.amount, "amount", errors);
    if (amount) {
      total = amount;
      if (amount.isNegative() ? applied.compare(amount) < 0 : applied.compare(amount) > 0) {
        errors.amount = [
          `The splits add up to ${cents(applied)}, more than the payment amount ${cents(amount)}.`,
        ];
      }
    }
  } else if (splits.length === 0 && !errors.splits) {
    errors.amount = ["The amount field is required when there are no splits."];
  }
  const paidOn = instantOf(request.paidOn);
  if (Object.keys(errors).length > 0) throw validationProblem(errors);

  const payment: StoredPayment = {
    id: ctx.nextId("payment"),
    origin: "api",
    active: true,
    typeId: request.typeId,
    status: request.status ?? "Pending",
    total: cents(total),
    paidOn: paidOn ?? ctx.now,
    memo: request.memo ?? null,
    checkNumber: request.checkNumber ?? null,
    authCode: request.authCode ?? null,
    exportId: request.exportId ?? null,
    referenceNumber: null,
    customerId,
    businessUnit: splits[0]?.invoice.businessUnit ?? null,
    batch: null,
    deposit: null,
    generalLedgerAccount: null,
    refundedPaymentId: null,
    createdBy: API_USER,
    createdOn: ctx.now,
    modifiedOn: ctx.now,
    splits: splits.map((split) => application(ctx, split)),
    customFields: [],
  };
  ctx.putPayment(payment);
  settle(ctx, new Set(payment.splits.map((split) => split.invoiceId)));
  return payment;
}

/** Payments_Update: replaces the splits (required by the spec) and any other field given. */
export function updatePayment(ctx: WriteContext, id: number, request: PaymentUpdateRequest): StoredPayment {
  const existing = ctx.payment(id);
  if (!existing) throw notFound(`Payment ${id}`);
  const errors: FieldErrors = {};
  checkType(ctx, request.typeId, errors, existing.typeId);
  const splits = resolveSplits(ctx, request.splits, errors);
  resolveCustomer(ctx, existing.customerId, splits, errors);
  const applied = sumOf(splits);
  const total = money(existing.total);
  if (total.isNegative() ? applied.compare(total) < 0 : applied.compare(total) > 0) {
    errors.splits = [
      ...(errors.splits ?? []),
      `The splits add up to ${cents(applied)}, more than the payment total ${existing.total}.`,
    ];
  }
  const paidOn = instantOf(request.paidOn);
  if (Object.keys(errors).length > 0) throw validationProblem(errors);

  const kept = [...existing.splits];
  const payment: StoredPayment = {
    ...existing,
    typeId: request.typeId,
    splits: splits.map((split) => {
      // An unchanged split keeps its application (and its appliedOn).
      const same = kept.findIndex(
        (old) => old.invoiceId === split.invoice.id && money(old.amount).equals(split.amount),
      );
      const [reused] = same >= 0 ? kept.splice(same, 1) : [];
      return reused ?? application(ctx, split);
    }),
    modifiedOn: ctx.now,
  };
  if (request.active !== undefined) payment.active = request.active;
  if (request.authCode !== undefined) payment.authCode = request.authCode;
  if (request.checkNumber !== undefined) payment.checkNumber = request.checkNumber;
  if (request.exportId !== undefined) payment.exportId = request.exportId;
  if (request.memo !== undefined) payment.memo = request.memo;
  if (request.status !== undefined) payment.status = request.status;
  if (paidOn !== undefined) payment.paidOn = paidOn;
  ctx.putPayment(payment);
  settle(ctx, new Set([...existing.splits, ...payment.splits].map((split) => split.invoiceId)));
  return payment;
}

/** Payments_UpdateStatus: all or nothing; unknown ids are a 400. */
export function updatePaymentStatus(
  ctx: WriteContext,
  request: S["Accounting.V2.PaymentStatusBatchRequest"],
): undefined {
  const missing = request.paymentIds.filter((id) => !ctx.payment(id));
  if (missing.length > 0)
    throw validationProblem({ paymentIds: missing.map((id) => `Payment ${id} was not found.`) });
  for (const id of request.paymentIds) {
    const payment = ctx.payment(id);
    if (payment) ctx.putPayment({ ...payment, status: request.status, modifiedOn: ctx.now });
  }
}

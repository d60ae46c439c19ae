// Reading and changing existing payments: one by id, by invoice, newest first for polling
// triggers, PATCH (merged over the current payment, since ServiceTitan needs the type and splits
// on every update) and batch status changes.
import {
  type FieldError,
  ProblemError,
  type RouteInput,
  serviceTitanFor,
  type WorkerEnv,
} from "@st-edge/edge";
import { Decimal, type DetailedPayment, type PaymentUpdateRequest, unwrap } from "@st-edge/servicetitan";
import { toPollItem, viewOfDetailed, viewOfResponse } from "@st-edge/views/payment";
import type { Context } from "hono";
import type { getPayment, listPayments, pollPayments, updatePayment, updatePaymentStatus } from "../api.ts";
import { checkBalances, resolveInvoices, resolvePaymentType } from "../checks.ts";
import { normalizePaidOn } from "../inputs.ts";
import { paymentsByIds, searchPayments } from "../lookups.ts";
import { MAX_MEMO, splitMemo, withMarker } from "../marker.ts";
import { canonicalSplits } from "../payment-request.ts";
import { PAYMENT_NOT_FOUND, PAYMENT_TYPE_UNKNOWN, paymentProblem } from "../problems.ts";
import { type PaymentBindings, readSettings } from "../settings.ts";

type Ctx = Context<WorkerEnv<PaymentBindings>>;

async function currentPayment(c: Ctx, id: number): Promise<DetailedPayment> {
  const { client } = await serviceTitanFor(c.env);
  const payment = (await paymentsByIds(client, [id])).get(id);
  if (!payment) throw new ProblemError(paymentProblem(PAYMENT_NOT_FOUND, `No payment ${id} in this tenant`));
  return payment;
}

export async function getPaymentHandler(
  c: Ctx,
  { params }: RouteInput<typeof getPayment>,
): Promise<Response> {
  return c.json(viewOfDetailed(await currentPayment(c, params.id)));
}

export async function listPaymentsHandler(
  c: Ctx,
  { query }: RouteInput<typeof listPayments>,
): Promise<Response> {
  const { client } = await serviceTitanFor(c.env);
  const payments = await searchPayments(client, {
    appliedToInvoiceIds: [query.invoiceId],
    activeState: "ActiveOnly",
  });
  // Filter again: a filter ServiceTitan ignored must not list other invoices' payments.
  const applied = payments.filter((payment) =>
    (payment.appliedTo ?? []).some((applied) => applied.appliedTo === query.invoiceId),
  );
  return c.json({ data: applied.map(viewOfDetailed) });
}

/** Sortable form of ServiceTitan's date-times (7-digit fractions included). */
function instant(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:Z|\+00:00)?$/i.exec(value);
  if (match) return `${match[1]}.${(match[2] ?? "").padEnd(9, "0").slice(0, 9)}`;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : instant(new Date(parsed).toISOString());
}

const newestFirst = (a: DetailedPayment, b: DetailedPayment) => {
  const byTime = instant(b.modifiedOn).localeCompare(instant(a.modifiedOn));
  return byTime !== 0 ? byTime : b.id - a.id;
};

/**
 * Newest payments by modification time. Pages are read until one ends older than the cut, so every
 * payment modified at the same instant as the last one returned comes with it (ties are never cut).
 * Relies on ServiceTitan's `sort=-ModifiedOn` (field name UNCONFIRMED); results are re-sorted here.
 */
export async function pollPaymentsHandler(
  c: Ctx,
  { query }: RouteInput<typeof pollPayments>,
): Promise<Response> {
  const { client } = await serviceTitanFor(c.env);
  const limit = query.limit;
  const pageSize = Math.min(limit + 1, 100);
  const seen: DetailedPayment[] = [];
  for (let page = 1; page <= 10; page++) {
    const result = unwrap(
      await client.GET("/tenant/{tenant}/payments", {
        params: { query: { sort: "-ModifiedOn", page, pageSize, activeState: "All" } },
      }),
    );
    seen.push(...result.data);
    if (!result.hasMore || result.data.length === 0) break;
    const sorted = [...seen].sort(newestFirst);
    const cut = sorted[limit - 1];
    const oldest = result.data.reduce((a, b) => (instant(a.modifiedOn) < instant(b.modifiedOn) ? a : b));
    // Stop once this page reached strictly older than the cut: later pages hold no ties.
    if (cut && instant(oldest.modifiedOn) < instant(cut.modifiedOn)) break;
  }
  const sorted = seen.sort(newestFirst);
  const boundary = sorted[limit - 1];
  const items = boundary
    ? sorted.filter((payment, index) => index < limit || payment.modifiedOn === boundary.modifiedOn)
    : sorted;
  return c.json(items.map(toPollItem));
}

export async function updatePaymentHandler(
  c: Ctx,
  { params, body }: RouteInput<typeof updatePayment>,
): Promise<Response> {
  const settings = readSettings(c.env);
  const { client, tenantId, environment } = await serviceTitanFor(c.env);
  const { allowOverpayment, ...changes } = body;
  if (Object.keys(changes).length === 0) {
    throw new ProblemError({
      type: "validation-failed",
      detail: "Nothing to change",
      errors: [{ in: "body", field: "", message: "give at least one field to change" }],
    });
  }
  const errors: FieldError[] = [];
  if (body.typeId !== undefined && body.paymentType !== undefined) {
    errors.push({ in: "body", field: "paymentType", message: "give typeId or paymentType, not both" });
  }
  const splits = body.splits ? canonicalSplits(body.splits, errors) : undefined;
  if (errors.length > 0)
    throw new ProblemError({ type: "validation-failed", detail: "The request body is not valid", errors });

  const current = await currentPayment(c, params.id);

  const lookup = { client, cacheKey: `${environment}:${tenantId}`, ttlMs: settings.paymentTypesTtlMs };
  let typeId: number;
  let typeName: string | null = current.type ?? null;
  if (body.typeId !== undefined || body.paymentType !== undefined) {
    const wanted =
      body.typeId !== undefined ? { id: body.typeId } : { name: (body.paymentType ?? "").trim() };
    const type = await resolvePaymentType(lookup, wanted);
    typeId = type.id;
    typeName = type.name;
  } else {
    const existing = Number(current.typeId);
    if (!Number.isSafeInteger(existing) || existing <= 0) {
      throw new ProblemError(
        paymentProblem(PAYMENT_TYPE_UNKNOWN, `Payment ${params.id} has no payment type; give typeId`, {
          errors: [{ in: "body", field: "typeId", message: "is required for this payment" }],
        }),
      );
    }
    typeId = existing;
  }

  let newSplits: PaymentUpdateRequest["splits"];
  if (splits) {
    const resolved = await resolveInvoices(client, splits);
    // What this payment already applies to an invoice is available to it again.
    const credit = new Map<number, Decimal>();
    for (const applied of current.appliedTo ?? []) {
      const amount = Decimal.fromServiceTitan(applied.appliedAmount) ?? Decimal.ZERO;
      credit.set(applied.appliedTo, (credit.get(applied.appliedTo) ?? Decimal.ZERO).plus(amount));
    }
    checkBalances(resolved, allowOverpayment === true || allowOverpayment === "true", credit);
    newSplits = resolved.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toNumber() }));
  } else {
    newSplits = (current.appliedTo ?? []).map((applied) => ({
      invoiceId: applied.appliedTo,
      amount: (Decimal.fromServiceTitan(applied.appliedAmount) ?? Decimal.ZERO).toNumber(),
    }));
  }

  const update: PaymentUpdateRequest = { typeId, splits: newSplits };
  if (body.memo !== undefined) {
    // Keep the tracing marker: it is how this service recognises payments it created.
    const { marker } = splitMemo(current.memo);
    const memo = marker ? withMarker(body.memo.trim(), marker) : body.memo.trim();
    if (memo.length > MAX_MEMO) {
      throw new ProblemError({
        type: "validation-failed",
        detail: "The request body is not valid",
        errors: [
          {
            in: "body",
            field: "memo",
            message: `is too long (with the marker, at most ${MAX_MEMO} characters)`,
          },
        ],
      });
    }
    update.memo = memo;
  }
  if (body.paidOn !== undefined) update.paidOn = normalizePaidOn(body.paidOn.trim());
  if (body.checkNumber !== undefined) update.checkNumber = body.checkNumber.trim();
  if (body.authCode !== undefined) update.authCode = body.authCode.trim();
  if (body.status !== undefined) update.status = body.status;

  const updated = unwrap(
    await client.PATCH("/tenant/{tenant}/payments/{id}", {
      params: { path: { id: params.id } },
      body: update,
    }),
  );
  return c.json(viewOfResponse(updated, { type: typeName, customerId: current.customer?.id ?? null }));
}

export async function updatePaymentStatusHandler(
  c: Ctx,
  { body }: RouteInput<typeof updatePaymentStatus>,
): Promise<Response> {
  const { client } = await serviceTitanFor(c.env);
  const paymentIds = [...new Set(body.paymentIds)];
  await client.POST("/tenant/{tenant}/payments/status", { body: { paymentIds, status: body.status } });
  return c.json({ paymentIds, status: body.status });
}

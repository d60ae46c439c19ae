// Reading and changing existing payments: one by id, by invoice, newest first for polling
// triggers, PATCH (posting/update.ts: merged over the current payment, through the invoices'
// gates) and batch status changes.
import { type RouteInput, serviceTitanFor } from "@st-edge/edge";
import { publishEvent } from "@st-edge/events";
import { type DetailedPayment, unwrap } from "@st-edge/servicetitan";
import { toPollItem, viewOfDetailed } from "@st-edge/views/payment";
import type { getPayment, listPayments, pollPayments, updatePayment, updatePaymentStatus } from "../api.ts";
import { searchPayments } from "../lookups.ts";
import { instant, newestFirst, newestVersions } from "../poll.ts";
import { type Ctx, postingFor } from "../posting/context.ts";
import { updatePayment as applyUpdate, currentPayment } from "../posting/update.ts";

export async function getPaymentHandler(
  c: Ctx,
  { params }: RouteInput<typeof getPayment>,
): Promise<Response> {
  return c.json(viewOfDetailed(await currentPayment(await postingFor(c), params.id)));
}

export async function listPaymentsHandler(
  c: Ctx,
  { query }: RouteInput<typeof listPayments>,
): Promise<Response> {
  const { client } = await serviceTitanFor(c);
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

/**
 * Newest payments by modification time. Pages are read until one ends older than the cut, so every
 * payment modified at the same instant as the last one returned comes with it (ties are never cut).
 * Relies on ServiceTitan's `sort=-ModifiedOn` (field name UNCONFIRMED); results are re-sorted here.
 */
export async function pollPaymentsHandler(
  c: Ctx,
  { query }: RouteInput<typeof pollPayments>,
): Promise<Response> {
  const { client } = await serviceTitanFor(c);
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
  const items = newestVersions(seen, limit);
  return c.json(items.map(toPollItem));
}

export async function updatePaymentHandler(
  c: Ctx,
  { params, body }: RouteInput<typeof updatePayment>,
): Promise<Response> {
  return c.json(await applyUpdate(c, params.id, body));
}

export async function updatePaymentStatusHandler(
  c: Ctx,
  { body }: RouteInput<typeof updatePaymentStatus>,
): Promise<Response> {
  const posting = await postingFor(c);
  const paymentIds = [...new Set(body.paymentIds)];
  await posting.tenant.client.POST("/tenant/{tenant}/payments/status", {
    body: { paymentIds, status: body.status },
  });
  for (const paymentId of paymentIds) {
    posting.later(publishEvent(posting.env, { event: "payment.updated", recordId: paymentId }));
  }
  return c.json({ paymentIds, status: body.status });
}

// POST /invoices/mark-exported: Invoices_MarkAsExported for a batch, one result per invoice (the
// shared outcomesFor, as the bills worker's marks answer). Each invoice marked is read back and its
// version remembered (store.ts), so the drift trigger can tell a later edit from the mark itself.
import { counted, log, outcomesFor } from "@st-edge/edge";
import { invoicesByIds } from "@st-edge/worker-invoice-lookup/upstream";
import { announce } from "../announce.ts";
import type { MarkExportedInput } from "../api.ts";
import type { Change, Ctx } from "../context.ts";
import type { InvoiceChangeBindings } from "../settings.ts";
import { exportMarksOf } from "./store.ts";

/** @example return c.json(await markExported(c, change, body)); */
export async function markExported(c: Ctx<InvoiceChangeBindings>, change: Change, input: MarkExportedInput) {
  const { client } = change.tenant;
  const marks = input.invoices.map((mark) => ({
    invoiceId: mark.invoiceId,
    ...(mark.externalId !== undefined ? { externalId: mark.externalId.trim() } : {}),
    ...(mark.externalMessage !== undefined ? { externalMessage: mark.externalMessage } : {}),
  }));
  const { data } = await client.POST("/tenant/{tenant}/invoices/markasexported", { body: marks });
  const markedBy = Date.now();
  const outcomes = outcomesFor(
    marks.map((mark) => mark.invoiceId),
    data,
    (result) => ({ id: result.invoiceId, success: result.success, errorMessage: result.errorMessage }),
  );
  const marked = outcomes.filter((outcome) => outcome.success).map((outcome) => outcome.id);
  await remember(c, change, marked, marks, markedBy);
  return counted(outcomes.map(({ id, ...outcome }) => ({ invoiceId: id, ...outcome })));
}

/**
 * Reads the marked invoices back and records their versions. Never fails the answer (the marks
 * happened): an invoice that cannot be read back is recorded at the instant its mark returned
 * (a later edit is stamped later, clock skew aside: UNCONFIRMED), and a store that cannot be reached
 * is logged (that invoice's drift is then not seen until it is marked again).
 */
async function remember(
  c: Ctx<InvoiceChangeBindings>,
  change: Change,
  marked: readonly number[],
  marks: readonly { invoiceId: number; externalId?: string }[],
  markedBy: number,
): Promise<void> {
  if (marked.length === 0) return;
  const read = await invoicesByIds(change.tenant.client, marked).catch(() => new Map());
  const records = marked.map((invoiceId) => ({
    invoiceId,
    version: read.get(invoiceId)?.modifiedOn ?? new Date(markedBy).toISOString(),
    externalId: marks.find((mark) => mark.invoiceId === invoiceId)?.externalId ?? null,
  }));
  try {
    await exportMarksOf(c.env.EXPORT_MARKS, change.scope).record(records);
  } catch (error) {
    log("error", {
      event: "export-marks-unrecorded",
      requestId: change.requestId,
      invoiceIds: marked.join(","),
      error: error instanceof Error ? error.name : "unknown",
    });
  }
  for (const invoice of read.values()) announce(c, "invoice.exported", invoice);
}

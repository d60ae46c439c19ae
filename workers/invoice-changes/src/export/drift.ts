// GET /invoices/export-drift: invoices edited after they were marked exported, newest first.
//
// Read from Invoices_GetList's modifiedOnOrAfter ("Return items modified on or after certain
// date/time (in UTC)") with statuses=Exported ("Transaction status, which can be one of: Pending,
// Posted, Exported"), by invoice-lookup's windowed newest-N search, keeping only invoices whose
// modifiedOn is later than the version remembered at their mark. The export feed (Export_Invoices,
// "Provides export feed for invoices") was the other way: it answers oldest first from a
// continuation token ("Continuation token received from previous export request in
// "continueFrom" field"), holds changes back about 15 minutes unless includeRecentChanges ("this may
// cause the same results appearing multiple times"), and needs a stored cursor; a polling trigger
// wants the newest versions now, which the modified filter gives directly.
//
// Assumed (UNCONFIRMED): an edit keeps an exported invoice's transaction status Exported, and every
// edit stamps modifiedOn.

import { toPollItem } from "@st-edge/views/invoice";
import { instant } from "@st-edge/worker-invoice-lookup/newest";
import { newestInvoices } from "@st-edge/worker-invoice-lookup/upstream";
import { LIMITS } from "../api.ts";
import type { Change, Ctx } from "../context.ts";
import type { InvoiceChangeBindings } from "../settings.ts";
import { type ExportMark, exportMarksOf } from "./store.ts";

const LOOKBACK_MS = LIMITS.driftLookbackDays * 86_400_000;

/** @example const { items, complete } = await exportDrift(c, change, 50); */
export async function exportDrift(c: Ctx<InvoiceChangeBindings>, change: Change, limit: number) {
  const store = exportMarksOf(c.env.EXPORT_MARKS, change.scope);
  const marks = new Map<number, ExportMark>();
  const { records, complete } = await newestInvoices(change.tenant.client, change.tenant.deadline, {
    filters: { statuses: ["Exported"], activeState: "All" },
    window: { from: Date.now() - LOOKBACK_MS },
    limit,
    select: async (page) => {
      for (const mark of await store.marksOf(page.map((invoice) => invoice.id)))
        marks.set(mark.invoiceId, mark);
      return page.filter((invoice) => {
        const mark = marks.get(invoice.id);
        return mark !== undefined && instant(invoice.modifiedOn) > instant(mark.version);
      });
    },
  });
  const items = records.map((invoice) => {
    const mark = marks.get(invoice.id);
    return {
      ...toPollItem(invoice),
      exportedVersion: mark?.version ?? "",
      exportedAs: mark?.externalId ?? null,
    };
  });
  return { items, complete };
}

// The one place this worker says that it changed an invoice: a structured log line (what changed,
// which version now) for the audit trail; the events contract (@st-edge/events publishEvent onto
// the EVENTS queue, once it is on main) is called from here, so every write publishes with no
// change at its call site.
import { log } from "@st-edge/edge";
import type { Invoice } from "@st-edge/servicetitan";
import { versionId } from "@st-edge/worker-invoice-lookup/view";
import type { Ctx, InvoiceWriterBindings } from "./context.ts";

export type InvoiceEvent = "invoice.created" | "invoice.updated" | "invoice.exported";

/**
 * Tells that `invoice` (as read back after the write) changed; never fails the write.
 *
 * @example announce(c, "invoice.updated", after);
 */
export function announce<B extends InvoiceWriterBindings>(
  c: Ctx<B>,
  event: InvoiceEvent,
  invoice: Invoice,
): void {
  log("info", {
    event: "invoice-change",
    eventName: event,
    requestId: c.var.requestId,
    invoiceId: invoice.id,
    versionId: versionId(invoice),
  });
}

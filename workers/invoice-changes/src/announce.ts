// The one place this worker says it changed an invoice: the change is published at once onto the
// deployment's events queue (@st-edge/events publishEvent; the events worker delivers it to REST
// hook subscribers), with the invoice as read back as its payload, and logged for the audit trail.
// Publishing never fails the write: the events worker's poll is the safety net.
import { log } from "@st-edge/edge";
import { type EventsBindings, publishEvent } from "@st-edge/events";
import type { Invoice } from "@st-edge/servicetitan";
import { toPollItem, versionId } from "@st-edge/views/invoice";
import type { Ctx, InvoiceWriterBindings } from "./context.ts";

export type InvoiceEvent = "invoice.created" | "invoice.updated" | "invoice.exported";

/**
 * Tells that `invoice` (as read back after the write) changed; never fails the write, and the
 * answer does not wait for the queue.
 *
 * @example announce(c, "invoice.updated", after);
 */
export function announce<B extends InvoiceWriterBindings & EventsBindings>(
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
  const published = publishEvent(c.env, { event, recordId: invoice.id, payload: toPollItem(invoice) });
  try {
    c.executionCtx.waitUntil(published);
  } catch {
    // No execution context (plain app.request in unit tests): the publish runs on its own.
  }
}

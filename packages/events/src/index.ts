// @st-edge/events, the events contract: what a worker publishes right after it changes something
// in ServiceTitan, so REST hook subscribers hear of it within seconds instead of at the next poll.
//
// A publisher sends one message to the EVENTS queue (a Cloudflare Queue producer binding); the
// events worker (workers/events) consumes it, reads the record from ServiceTitan when the message
// carries no payload, and delivers the record's poll item (the very object `/invoices/poll` or
// `/payments/poll` answers, same per-version `id`) to every subscriber of the event. It remembers
// each version it delivered, so the export-feed poll that later reads the same version does not
// fire again, and a version the poll got to first is not delivered twice.
//
// Publishing never fails the write that caused it: the poll is the safety net, so an event that
// could not be queued is logged and found by the next poll (seconds to a minute later).

import { log } from "@st-edge/edge";
import { parseId } from "@st-edge/servicetitan";
import type { PollItem as BillPollItem } from "@st-edge/views/bill";
import type { PollItem as InvoicePollItem } from "@st-edge/views/invoice";
import type { PollItem as PaymentPollItem } from "@st-edge/views/payment";

/** Every event a subscriber can ask for (`POST /hooks {"event": …}`). */
export const EVENT_NAMES = [
  "invoice.created",
  "invoice.updated",
  "invoice.exported",
  "payment.created",
  "payment.updated",
  "bill.created",
  "bill.updated",
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** What each event delivers: the poll item of the record version that changed. */
export interface EventPayloads {
  "invoice.created": InvoicePollItem;
  "invoice.updated": InvoicePollItem;
  "invoice.exported": InvoicePollItem;
  "payment.created": PaymentPollItem;
  "payment.updated": PaymentPollItem;
  "bill.created": BillPollItem;
  "bill.updated": BillPollItem;
}

/** The events our own writes publish (ServiceTitan's API cannot change bills). */
export type PublishableEvent = Exclude<EventName, `bill.${string}`>;

export const PUBLISHABLE_EVENTS = EVENT_NAMES.filter(
  (name): name is PublishableEvent => !name.startsWith("bill."),
);

/**
 * One change, as a publisher describes it: the event and the record's id, and the poll item when
 * the publisher holds the record as ServiceTitan reads it (build it with `toPollItem` from
 * `@st-edge/views/invoice` or `/payment`). Without a payload the events worker reads the record.
 */
export type Change = {
  [E in PublishableEvent]: { event: E; recordId: number; payload?: EventPayloads[E] };
}[PublishableEvent];

/** The EVENTS queue message of one change (version 1 of the contract). */
export interface ChangeMessage {
  v: 1;
  kind: "change";
  /** "production", "integration" or "simulator": with tenantId, whose change it is. */
  environment: string;
  tenantId: number;
  event: PublishableEvent;
  recordId: number;
  /** The payload's `id` (`<recordId>-<modifiedOn>`), or null when the events worker must read the record. */
  versionId: string | null;
  payload: EventPayloads[PublishableEvent] | null;
  /** When the publisher made the change (ISO 8601): the start of the event-to-delivery latency. */
  occurredAt: string;
}

/** What publishEvent needs: the queue, and which tenant this deployment serves. */
export interface EventsBindings {
  /** Queue producer binding to the events worker's queue; absent = publishing is off. */
  EVENTS?: Queue;
  ST_ENVIRONMENT?: string;
  ST_TENANT_ID?: string;
}

/** A queue message may be 128 KB; larger poll items (invoices with many items) go by reference. */
export const MAX_INLINE_PAYLOAD_BYTES = 96 * 1024;

/**
 * Queues one change for delivery. Resolves true once the message is durably queued, false when
 * publishing is off (no EVENTS binding) or the queue refused it (logged); never throws, so call
 * it after the write succeeded, in `waitUntil` if the answer should not wait.
 *
 * @example
 * c.executionCtx.waitUntil(publishEvent(c.env, { event: "payment.created", recordId: payment.id }));
 * await publishEvent(env, { event: "invoice.updated", recordId: invoice.id, payload: toPollItem(invoice) });
 */
export async function publishEvent(env: EventsBindings, change: Change): Promise<boolean> {
  const queue = env.EVENTS;
  if (!queue) return false;
  let tenantId: number;
  try {
    tenantId = parseId(env.ST_TENANT_ID);
  } catch {
    log("error", { event: "event-publish-failed", error: "ST_TENANT_ID is not a tenant id" });
    return false;
  }
  const inline =
    change.payload !== undefined &&
    new TextEncoder().encode(JSON.stringify(change.payload)).byteLength <= MAX_INLINE_PAYLOAD_BYTES;
  const message: ChangeMessage = {
    v: 1,
    kind: "change",
    environment: env.ST_ENVIRONMENT ?? "",
    tenantId,
    event: change.event,
    recordId: change.recordId,
    versionId: inline && change.payload ? change.payload.id : null,
    payload: inline && change.payload ? change.payload : null,
    occurredAt: new Date().toISOString(),
  };
  try {
    await queue.send(message, { contentType: "json" });
    return true;
  } catch (error) {
    log("error", {
      event: "event-publish-failed",
      eventName: change.event,
      recordId: change.recordId,
      error: error instanceof Error ? error.name : "unknown",
    });
    return false;
  }
}

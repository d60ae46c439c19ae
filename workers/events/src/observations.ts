// What the watcher learns about one record version, whichever way it arrived (an export feed, the
// AP bills list, a ServiceTitan webhook followed by a read, or our own write): which record, which
// version (its modifiedOn), whether it is new to the tenant, whether it is exported, and the poll
// items each event would deliver. Built with @st-edge/views, so a delivery is the very object the
// matching poll trigger answers.
import type { EventName, PublishableEvent } from "@st-edge/events";
import { type ApBill, type DetailedPayment, type Invoice, stampKey } from "@st-edge/servicetitan";
import { toPollItem as billPollItem } from "@st-edge/views/bill";
import { PollItem as InvoicePollItemSchema, toPollItem as invoicePollItem } from "@st-edge/views/invoice";
import { PollItem as PaymentPollItemSchema, toPollItem as paymentPollItem } from "@st-edge/views/payment";
import * as z from "zod/mini";

export type RecordKind = "invoice" | "payment" | "bill";

/** A poll item (see EventPayloads in @st-edge/events): stored and delivered as JSON. */
export interface PollPayload {
  readonly id: string;
}

/** One version of one record, ready for the watcher's change detection (watcher/state.ts). */
export interface Observation {
  kind: RecordKind;
  recordId: number;
  /** stampKey of modifiedOn (createdOn when never modified): versions compare as text. */
  version: string;
  /** stampKey of createdOn: a record created before the watch began is never "created". */
  created: string;
  /** Invoices: ServiceTitan's syncStatus is Exported. */
  exported: boolean;
  /** The poll item every event of this kind delivers (bill.updated for bills). */
  payload: PollPayload;
  /** bill.created's poll item, whose id is stamped with createdOn as /bills/poll?mode=new answers. */
  createdPayload?: PollPayload;
  /** An event the source asserts for this version (our own write, ServiceTitan's webhook type). */
  claimed?: EventName;
  /**
   * The source saw this version change just now (a webhook, our own write): it is an event even
   * if its timestamp is a little older than the moment watching began.
   */
  fresh?: boolean;
}

/** The events a kind of record can fire. */
export const EVENTS_OF: Record<RecordKind, { created: EventName; updated: EventName }> = {
  invoice: { created: "invoice.created", updated: "invoice.updated" },
  payment: { created: "payment.created", updated: "payment.updated" },
  bill: { created: "bill.created", updated: "bill.updated" },
};

export const kindOf = (event: EventName): RecordKind =>
  event.startsWith("invoice.") ? "invoice" : event.startsWith("payment.") ? "payment" : "bill";

/** The poll item `event` delivers for this observation. */
export function payloadFor(observation: Observation, event: EventName): PollPayload {
  return event === "bill.created" && observation.createdPayload
    ? observation.createdPayload
    : observation.payload;
}

/** How the change was learnt of, when not by polling. */
export interface Source {
  claimed?: EventName;
  fresh?: boolean;
}

/** @example invoiceObservation(invoice).payload.id // "11000001-2026-01-02T03:04:05.0000000Z" */
export function invoiceObservation(invoice: Invoice, source: Source = {}): Observation {
  return {
    kind: "invoice",
    recordId: invoice.id,
    version: stampKey(invoice.modifiedOn ?? invoice.createdOn),
    created: stampKey(invoice.createdOn),
    exported: invoice.syncStatus === "Exported",
    payload: invoicePollItem(invoice),
    ...source,
  };
}

/** Export_Payments answers the same shape as GET /payments (DetailedPaymentResponse). */
export function paymentObservation(payment: DetailedPayment, source: Source = {}): Observation {
  return {
    kind: "payment",
    recordId: payment.id,
    version: stampKey(payment.modifiedOn),
    created: stampKey(payment.createdOn),
    exported: payment.syncStatus === "Exported",
    payload: paymentPollItem(payment),
    ...source,
  };
}

export function billObservation(bill: ApBill): Observation {
  return {
    kind: "bill",
    recordId: bill.id,
    version: stampKey(bill.modifiedOn ?? bill.createdOn),
    created: stampKey(bill.createdOn),
    exported: bill.syncStatus === "Exported" || bill.syncStatus === "PostedAndExported",
    payload: billPollItem(bill, (b) => b.modifiedOn),
    createdPayload: billPollItem(bill, (b) => b.createdOn),
  };
}

/**
 * An observation from a publisher's poll item (publishEvent with a payload), or undefined when
 * the payload is not a poll item of the event's kind (then the record is read instead).
 */
export function observationOfPayload(event: PublishableEvent, payload: unknown): Observation | undefined {
  if (kindOf(event) === "invoice") {
    const parsed = z.safeParse(InvoicePollItemSchema, payload);
    if (!parsed.success) return undefined;
    const item = parsed.data;
    return {
      kind: "invoice",
      recordId: item.invoiceId,
      version: stampKey(item.modifiedOn ?? item.createdOn),
      created: stampKey(item.createdOn),
      exported: item.syncStatus === "Exported",
      payload: item,
      claimed: event,
      fresh: true,
    };
  }
  const parsed = z.safeParse(PaymentPollItemSchema, payload);
  if (!parsed.success) return undefined;
  const item = parsed.data;
  return {
    kind: "payment",
    recordId: item.paymentId,
    version: stampKey(item.modifiedOn),
    created: stampKey(item.createdOn),
    exported: item.status === "Exported",
    payload: item,
    claimed: event,
    fresh: true,
  };
}

// The EVENTS queue's messages, checked on arrival (a queue is an input like any other): a change
// published by one of our workers (the contract in @st-edge/events), and a ServiceTitan
// webhook this worker received and queued before answering 200.
import { PUBLISHABLE_EVENTS } from "@st-edge/events";
import * as z from "zod/mini";

const Id = z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER));

/** ChangeMessage of @st-edge/events. */
export const ChangeMessage = z.object({
  v: z.literal(1),
  kind: z.literal("change"),
  environment: z.string(),
  tenantId: Id,
  event: z.enum(PUBLISHABLE_EVENTS),
  recordId: Id,
  versionId: z.nullable(z.string()),
  payload: z.nullable(z.unknown()),
  occurredAt: z.string(),
});

/** A received ServiceTitan CloudEvent, as the receiver queued it. */
export const WebhookMessage = z.object({
  v: z.literal(1),
  kind: z.literal("servicetitan-webhook"),
  environment: z.string(),
  tenantId: Id,
  /** CloudEvent type, e.g. tn.acc.invoice-exported. */
  type: z.string(),
  userassignedid: z.string(),
  invoiceId: Id,
  /** CloudEvent time. */
  time: z.string(),
});
export type WebhookMessage = z.output<typeof WebhookMessage>;

export const EventsMessage = z.discriminatedUnion("kind", [ChangeMessage, WebhookMessage]);
export type EventsMessage = z.output<typeof EventsMessage>;

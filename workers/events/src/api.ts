// The events worker's API: route definitions (validating requests and generating
// specs/workers/events.openapi.json) and, under the document's `webhooks`, every event a
// subscriber can receive with its payload: the poll item of the matching polling trigger.
import { defineRoute, problemSpec, schemas } from "@st-edge/edge";
import type { WebhookSpec } from "@st-edge/edge/openapi";
import { EVENT_NAMES, type EventName, PUBLISHABLE_EVENTS } from "@st-edge/events";
import type { InvoiceTaskWebhookEvent, InvoiceWebhookEvent } from "@st-edge/servicetitan";
import { PollItem as BillPollItem } from "@st-edge/views/bill";
import { PollItem as InvoicePollItem } from "@st-edge/views/invoice";
import { PollItem as PaymentPollItem } from "@st-edge/views/payment";
import * as z from "zod/mini";

export const info = {
  title: "ServiceTitan instant triggers",
  version: "1.0.0",
  description:
    "REST hook subscriptions (Zapier's shape) to invoice, payment and bill events of one ServiceTitan tenant, " +
    "delivered within seconds: from ServiceTitan's webhooks, from changes made through our own workers, and " +
    "from polling ServiceTitan's export feeds where there are no webhooks. Each delivery is one JSON object, " +
    "the same object with the same per-version `id` that the matching polling trigger returns, so instant and " +
    "polling paths agree and de-duplicate. Deliveries are signed (X-Signature), retried with growing delays, " +
    "and dead-lettered after the last try.",
};

/** Where each event's payload comes from: the polling trigger it matches. */
export const EVENT_SOURCES: Record<EventName, { schema: z.ZodMiniType; poll: string; summary: string }> = {
  "invoice.created": {
    schema: InvoicePollItem,
    poll: "GET /invoices/poll (invoice-lookup)",
    summary: "A new invoice",
  },
  "invoice.updated": {
    schema: InvoicePollItem,
    poll: "GET /invoices/poll (invoice-lookup)",
    summary: "A new version of an existing invoice",
  },
  "invoice.exported": {
    schema: InvoicePollItem,
    poll: "GET /invoices/poll (invoice-lookup)",
    summary: "An invoice was exported (syncStatus Exported; ServiceTitan's tn.acc.invoice-exported)",
  },
  "payment.created": {
    schema: PaymentPollItem,
    poll: "GET /payments/poll (payment-posting)",
    summary: "A new payment",
  },
  "payment.updated": {
    schema: PaymentPollItem,
    poll: "GET /payments/poll (payment-posting)",
    summary: "A new version of an existing payment",
  },
  "bill.created": {
    schema: BillPollItem,
    poll: "GET /bills/poll?mode=new (bills)",
    summary: "A new AP bill",
  },
  "bill.updated": {
    schema: BillPollItem,
    poll: "GET /bills/poll?mode=updated (bills)",
    summary: "A new version of an existing AP bill",
  },
};

const EventNameSchema = z.enum(EVENT_NAMES, `must be one of ${EVENT_NAMES.join(", ")}`);

export const HookId = z
  .string()
  .check(z.regex(/^hk_[0-9a-f]{20}$/, "must be a hook id (hk_ and 20 hex digits)"), z.describe("A hook id"));

export const Hook = z.object({
  id: HookId,
  event: EventNameSchema,
  targetUrl: z.string(),
  createdAt: z.string().check(z.describe("RFC 3339 date-time")),
});

export const MAX_TARGET_URL_LENGTH = 2048;

export const createHook = defineRoute({
  method: "post",
  path: "/hooks",
  operationId: "createHook",
  summary: "Subscribe a URL to an event (REST hook)",
  description:
    "Zapier's REST hook subscribe. Each change of the event's kind is POSTed to `targetUrl` as one JSON object " +
    "(see this document's `webhooks` for each event's body and headers). `targetUrl` must be https and reach a " +
    "public address (no loopback, private, link-local or metadata addresses, after redirects too). The same " +
    "event and URL again answer the existing subscription (200). A target answering 410 Gone is unsubscribed.",
  tags: ["Hooks"],
  body: z.strictObject({
    event: EventNameSchema,
    targetUrl: z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(MAX_TARGET_URL_LENGTH, `must be at most ${MAX_TARGET_URL_LENGTH} characters`),
        z.describe("Where deliveries are POSTed"),
      ),
  }),
  bodyLimitBytes: 8 * 1024,
  responses: {
    201: { description: "Subscribed", schema: Hook },
    200: { description: "Already subscribed: the existing subscription", schema: Hook },
    422: problemSpec(
      "The target is refused (hook-target-refused), or the tenant has 200 hooks (hook-limit-reached)",
    ),
  },
});

export const listHooks = defineRoute({
  method: "get",
  path: "/hooks",
  operationId: "listHooks",
  summary: "This tenant's subscriptions",
  tags: ["Hooks"],
  responses: {
    200: { description: "Every subscription, oldest first", schema: z.object({ data: z.array(Hook) }) },
  },
});

export const deleteHook = defineRoute({
  method: "delete",
  path: "/hooks/{id}",
  operationId: "deleteHook",
  summary: "Unsubscribe (REST hook)",
  description: "Deliveries of the subscription not yet made are cancelled.",
  tags: ["Hooks"],
  params: z.object({ id: HookId }),
  responses: {
    204: { description: "Unsubscribed" },
    404: problemSpec("No such subscription in this tenant (hook-not-found)"),
  },
});

/**
 * ServiceTitan's CloudEvent envelope (March 2026 document). Loose: fields ServiceTitan adds do
 * not make a signed event fail. Only what the worker uses is required.
 */
export const CloudEvent = z.looseObject({
  specversion: z.string(),
  id: z.string(),
  type: z.string().check(z.maxLength(200), z.describe('e.g. "tn.acc.invoice-exported"')),
  time: schemas.DateTime,
  source: z.string(),
  userassignedid: z
    .string()
    .check(z.minLength(1), z.maxLength(200), z.describe("Identifies the occurrence: duplicates share it")),
  datacontenttype: z.optional(z.string()),
  data: z.looseObject({
    tenantId: z.number().check(z.int(), z.positive()),
    tenantName: z.optional(z.string()),
    invoice: z.optional(z.looseObject({ id: z.number().check(z.int(), z.positive()) })),
  }),
});

// Every CloudEvent the March 2026 document describes must be accepted by the schema above.
const acceptsServiceTitanEvents = (
  event: InvoiceWebhookEvent | InvoiceTaskWebhookEvent,
): z.input<typeof CloudEvent> => event;
void acceptsServiceTitanEvents;

export const receiveServiceTitanWebhook = defineRoute({
  method: "post",
  path: "/webhooks/servicetitan",
  operationId: "receiveServiceTitanWebhook",
  summary: "ServiceTitan's webhook receiver (v2 CloudEvents)",
  description:
    "Set this URL as the app's callback for the accounting invoice events (tn.acc.invoice-batched, -exported, " +
    "-posted, -updated). No API key: the request must carry ServiceTitan's HMAC-SHA256 signature of the raw body " +
    "with the app's webhook key, in the header named by ST_WEBHOOK_SIGNATURE_HEADER (default " +
    "X-ServiceTitan-Signature; the real name is UNCONFIRMED), hex or base64. Events older than " +
    "ST_WEBHOOK_MAX_AGE_SECONDS (by their `time`) are refused. Repeats of one occurrence (same " +
    "`userassignedid`) are answered 200 and dropped. 200 means the event is durably queued.",
  tags: ["ServiceTitan"],
  open: true,
  body: CloudEvent,
  bodyLimitBytes: 256 * 1024,
  responses: {
    200: {
      description: "Queued, a duplicate, or not an event this worker acts on (`accepted` false)",
      schema: z.object({
        accepted: z.boolean(),
        duplicate: z.boolean(),
        reason: z.optional(z.string()),
      }),
    },
    401: problemSpec(
      "Unsigned, wrongly signed, or stale (webhook-signature-missing, -invalid, webhook-stale)",
    ),
    503: problemSpec("The same occurrence is being queued right now, or the queue is unavailable: retry", {
      "Retry-After": { description: "Seconds" },
    }),
  },
});

export const publishChange = defineRoute({
  method: "post",
  path: "/events",
  operationId: "publishChange",
  summary: "Publish a change made in ServiceTitan outside our workers",
  description:
    "For automations that write to ServiceTitan themselves: names the record that changed; the worker reads it " +
    "from ServiceTitan and delivers its new version to the event's subscribers now, instead of at the next poll. " +
    "A version already delivered is not delivered again.",
  tags: ["Events"],
  body: z.strictObject({
    event: z.enum(PUBLISHABLE_EVENTS, `must be one of ${PUBLISHABLE_EVENTS.join(", ")}`),
    recordId: schemas.Id,
  }),
  responses: {
    202: { description: "Queued", schema: z.object({ queued: z.boolean() }) },
    503: problemSpec("The events queue is unavailable; nothing was queued", {
      "Retry-After": { description: "Seconds" },
    }),
  },
});

export const DeadLetter = z.object({
  id: z.string(),
  kind: z
    .enum(["delivery", "message"])
    .check(
      z.describe(
        "delivery: a delivery whose attempts ran out; message: a change that could not be processed",
      ),
    ),
  event: z.nullable(z.string()),
  targetUrl: z.nullable(z.string()),
  hookId: z.nullable(z.string()),
  attempts: z.number(),
  lastStatus: z.nullable(z.number()),
  reason: z.nullable(z.string()),
  at: z.string(),
});

export const listDeadLetters = defineRoute({
  method: "get",
  path: "/dead-letters",
  operationId: "listDeadLetters",
  summary: "Deliveries and changes given up on (dead-letter queue), newest first",
  tags: ["Operations"],
  query: z.strictObject({ limit: schemas.PageSize(500, 100) }),
  responses: { 200: { description: "Dead letters", schema: z.object({ data: z.array(DeadLetter) }) } },
});

export const replayDeadLetter = defineRoute({
  method: "post",
  path: "/dead-letters/{id}/replay",
  operationId: "replayDeadLetter",
  summary: "Try a dead letter again",
  description:
    "A delivery starts its attempts again, with the same X-Delivery-Id, to its subscription's current URL; a " +
    "change is queued again.",
  tags: ["Operations"],
  params: z.object({
    id: z.string().check(z.regex(/^(dl_[0-9a-f]{32}|msg_[\w-]{1,100})$/, "must be a dead letter id")),
  }),
  responses: {
    202: { description: "Queued again", schema: z.object({ replayed: z.string() }) },
    404: problemSpec("No such dead letter, or its subscription is gone (dead-letter-not-found)"),
  },
});

export const getWatcher = defineRoute({
  method: "get",
  path: "/watcher",
  operationId: "getWatcher",
  summary: "The tenant's watcher: feeds, cursors, subscriptions and deliveries by state",
  tags: ["Operations"],
  responses: {
    200: {
      description: "Status",
      schema: z.object({
        baselineAt: z.nullable(z.string()),
        alarmAt: z.nullable(z.string()),
        hooks: z.number(),
        deliveries: z.record(z.string(), z.number()),
        feeds: z.array(
          z.object({
            name: z.string(),
            cursor: z.boolean(),
            polledAt: z.nullable(z.string()),
            error: z.nullable(z.string()),
            retryAt: z.nullable(z.string()),
          }),
        ),
      }),
    },
  },
});

/** Order matters: literal paths before parameterised ones. */
export const routes = [
  createHook,
  listHooks,
  deleteHook,
  receiveServiceTitanWebhook,
  publishChange,
  listDeadLetters,
  replayDeadLetter,
  getWatcher,
];

const DeliveryHeaders = z.object({
  "X-Delivery-Id": z
    .string()
    .check(
      z.describe("Unique per delivery (one record version to one subscription); the same on every retry"),
    ),
  "X-Event": z.string().check(z.describe("The event name")),
  "X-Signature": z
    .string()
    .check(
      z.describe(
        't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> with the deployment\'s hook secret ' +
          "(HOOK_SIGNING_SECRET); refuse a stale t",
      ),
    ),
});

/** Every event, as the request a subscriber receives. */
export const webhooks: WebhookSpec[] = EVENT_NAMES.map((name) => ({
  name,
  operationId: `deliver_${name.replace(".", "_")}`,
  summary: EVENT_SOURCES[name].summary,
  description:
    `Body: the item ${EVENT_SOURCES[name].poll} returns for the same record version, with the same \`id\` ` +
    "(unique per version), so Zapier de-duplicates across instant and polling paths.",
  tags: ["Events"],
  headers: DeliveryHeaders,
  body: EVENT_SOURCES[name].schema,
  responses: {
    200: { description: "Delivered (any 2xx)" },
    410: { description: "Gone: the subscription is removed" },
    500: {
      description: "5xx, 408, 425, 429 (Retry-After honoured), a timeout or a network error: retried later",
    },
    400: { description: "Any other answer: no retry; the delivery is dead-lettered" },
  },
}));

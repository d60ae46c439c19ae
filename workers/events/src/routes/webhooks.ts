// ServiceTitan's webhooks (v2, beta): CloudEvents about invoices. The signature is checked over
// the raw body before anything else reads it (a middleware ahead of the route); then the event's
// age, its tenant, and whether this occurrence (userassignedid) was already queued. 200 is
// answered only once the event is durably in the EVENTS queue: ServiceTitan retries (10, 30, 60,
// 300 s) until it gets one, and the consumer does the slow part (reading the invoice, fan-out).
import { ProblemError, readBodyBytes, type WorkerEnv } from "@st-edge/edge";
import type { MiddlewareHandler } from "hono";
import { type receiveServiceTitanWebhook, receiveServiceTitanWebhook as route } from "../api.ts";
import type { WebhookMessage } from "../messages.ts";
import {
  eventsProblem,
  QUEUE_UNAVAILABLE,
  SIGNATURE_INVALID,
  SIGNATURE_MISSING,
  WEBHOOK_IN_PROGRESS,
  WEBHOOK_STALE,
} from "../problems.ts";
import { type EventsBindings, ensureWatching, tenantOf, tenantStore, webhookSettings } from "../settings.ts";
import { isServiceTitanSignature } from "../signing.ts";
import type { Handler } from "./context.ts";

/** The accounting events about an invoice itself (task events are not invoice changes). */
const INVOICE_EVENT_TYPES = new Set([
  "tn.acc.invoice-batched",
  "tn.acc.invoice-exported",
  "tn.acc.invoice-posted",
  "tn.acc.invoice-updated",
]);
/** How far ahead of our clock an event's time may be (clock skew). */
const MAX_FUTURE_SECONDS = 300;

/**
 * Refuses a request to the receiver unless it carries a valid HMAC-SHA256 of its raw body with
 * the app's webhook key (401, before the body is parsed or validated).
 */
export function servicetitanSignature(): MiddlewareHandler<WorkerEnv<EventsBindings>> {
  return async function servicetitanSignature(c, next) {
    if (c.req.method !== "POST") return next();
    // Receiving ServiceTitan's webhooks is opt-in: without the app's key there is no receiver.
    if (!c.env.ST_WEBHOOK_KEY) {
      throw new ProblemError({
        type: "not-found",
        detail: "No ServiceTitan webhook receiver is configured here",
      });
    }
    const settings = webhookSettings(c.env);
    const signature = c.req.header(settings.signatureHeader);
    if (!signature) {
      throw new ProblemError(
        eventsProblem(SIGNATURE_MISSING, `Send ServiceTitan's HMAC signature in ${settings.signatureHeader}`),
      );
    }
    const body = await readBodyBytes(c.req.raw.clone(), route.bodyLimitBytes);
    if (!(await isServiceTitanSignature(settings.key, body, signature))) {
      throw new ProblemError(eventsProblem(SIGNATURE_INVALID, "The signature does not match the body"));
    }
    return next();
  };
}

const ignored = (reason: string) => ({ accepted: false, duplicate: false, reason });

export const receiveWebhookHandler: Handler<typeof receiveServiceTitanWebhook> = async (c, { body }) => {
  const settings = webhookSettings(c.env);
  const ageSeconds = (Date.now() - Date.parse(body.time)) / 1000;
  if (ageSeconds > settings.maxAgeSeconds || ageSeconds < -MAX_FUTURE_SECONDS) {
    throw new ProblemError(
      eventsProblem(WEBHOOK_STALE, `The event's time must be within ${settings.maxAgeSeconds} s of now`),
    );
  }
  const tenant = tenantOf(c.env);
  // One app's callback may receive every tenant's events: act only on this deployment's.
  if (body.data.tenantId !== tenant.tenantId) return c.json(ignored("another tenant's event"));
  const invoiceId = body.data.invoice?.id;
  if (!INVOICE_EVENT_TYPES.has(body.type) || invoiceId === undefined) {
    return c.json(ignored("not an invoice change"));
  }

  const store = tenantStore(c.env);
  const uid = body.userassignedid;
  const claim = await store.claimWebhook(uid);
  if (claim === "duplicate") return c.json({ accepted: true, duplicate: true });
  if (claim === "in-flight") {
    throw new ProblemError(
      eventsProblem(WEBHOOK_IN_PROGRESS, "Another delivery of this event is being queued", {
        retryAfterSeconds: 10,
      }),
    );
  }
  const message: WebhookMessage = {
    v: 1,
    kind: "servicetitan-webhook",
    environment: tenant.environment,
    tenantId: tenant.tenantId,
    type: body.type,
    userassignedid: uid,
    invoiceId,
    time: body.time,
  };
  try {
    await c.env.EVENTS.send(message, { contentType: "json" });
  } catch {
    await store.webhookReleased(uid).catch(() => undefined);
    throw new ProblemError(
      eventsProblem(QUEUE_UNAVAILABLE, "The event was not queued; ServiceTitan will retry", {
        retryAfterSeconds: 10,
      }),
    );
  }
  await store.webhookQueued(uid);
  await ensureWatching(c.env);
  return c.json({ accepted: true, duplicate: false });
};

// The queue consumers. EVENTS: a change (our own write) or a ServiceTitan webhook becomes an
// observation of the record (read from ServiceTitan when the message has no poll item), the
// tenant's Durable Object records it and writes the deliveries, and their messages go to
// DELIVERIES. DELIVERIES: one attempt per message, under the Durable Object's claim. The
// dead-letter queues (Cloudflare gives up after max_retries): recorded as dead letters.
import { log, serviceTitanFor } from "@st-edge/edge";
import { deadlineIn, fetchOneById, type ServiceTitanClient, unwrap } from "@st-edge/servicetitan";
import * as z from "zod/mini";
import { deliver } from "./delivery.ts";
import { DeliveryMessage, dispatch } from "./dispatch.ts";
import { EventsMessage } from "./messages.ts";
import {
  invoiceObservation,
  kindOf,
  type Observation,
  observationOfPayload,
  paymentObservation,
} from "./observations.ts";
import {
  deliverySettings,
  type EventsBindings,
  egress,
  ensureWatching,
  tenantOf,
  tenantStore,
} from "./settings.ts";

/** Reading the record a message names ends within this; then the message is retried. */
const MESSAGE_BUDGET_MS = 30_000;
/** Delay before an EVENTS message is tried again (ServiceTitan unreachable, the store busy). */
const eventRetrySeconds = (attempts: number) => Math.min(600, 5 * 2 ** Math.min(attempts, 7));

async function readInvoice(client: ServiceTitanClient, id: number) {
  return fetchOneById(
    id,
    async (ids) =>
      unwrap(
        await client.GET("/tenant/{tenant}/invoices", { params: { query: { ids, activeState: "All" } } }),
      ).data,
  );
}

async function readPayment(client: ServiceTitanClient, id: number) {
  return fetchOneById(
    id,
    async (ids) =>
      unwrap(
        await client.GET("/tenant/{tenant}/payments", { params: { query: { ids, activeState: "All" } } }),
      ).data,
  );
}

/** What an EVENTS message says happened, as an observation; undefined when the record is gone. */
async function observationOf(env: EventsBindings, message: EventsMessage): Promise<Observation | undefined> {
  if (message.kind === "change") {
    const inline =
      message.payload === null ? undefined : observationOfPayload(message.event, message.payload);
    if (inline) return inline;
    const { client } = await serviceTitanFor({ env, var: { deadline: deadlineIn(MESSAGE_BUDGET_MS) } });
    if (kindOf(message.event) === "invoice") {
      const invoice = await readInvoice(client, message.recordId);
      return invoice && invoiceObservation(invoice, { claimed: message.event, fresh: true });
    }
    const payment = await readPayment(client, message.recordId);
    return payment && paymentObservation(payment, { claimed: message.event, fresh: true });
  }
  // ServiceTitan's webhook names the invoice; its payload lacks fields the poll item has, so the
  // invoice is read (that also gives its newest version).
  const { client } = await serviceTitanFor({ env, var: { deadline: deadlineIn(MESSAGE_BUDGET_MS) } });
  const invoice = await readInvoice(client, message.invoiceId);
  const exported = message.type === "tn.acc.invoice-exported";
  return (
    invoice &&
    invoiceObservation(invoice, { fresh: true, ...(exported ? { claimed: "invoice.exported" } : {}) })
  );
}

async function handleEvent(env: EventsBindings, message: Message): Promise<void> {
  const parsed = z.safeParse(EventsMessage, message.body);
  if (!parsed.success) {
    log("error", { event: "events-message-unreadable", messageId: message.id });
    message.ack();
    return;
  }
  const body = parsed.data;
  const tenant = tenantOf(env);
  if (body.environment !== tenant.environment || body.tenantId !== tenant.tenantId) {
    // Another deployment's message: its queue is misconfigured. Never act on it with our credentials.
    log("error", { event: "events-message-foreign", messageId: message.id, tenantId: body.tenantId });
    message.ack();
    return;
  }
  try {
    const store = tenantStore(env);
    await ensureWatching(env);
    const observation = await observationOf(env, body);
    if (!observation) {
      log("warn", { event: "event-record-missing", kind: body.kind, messageId: message.id });
      message.ack();
      return;
    }
    const refs = await store.ingest({ observations: [observation] });
    await dispatch(env.DELIVERIES, tenant.key, refs);
    message.ack();
  } catch (error) {
    log("warn", {
      event: "events-message-retry",
      messageId: message.id,
      attempts: message.attempts,
      error: error instanceof Error ? error.name : "unknown",
    });
    message.retry({ delaySeconds: eventRetrySeconds(message.attempts) });
  }
}

async function handleDelivery(env: EventsBindings, message: Message): Promise<void> {
  const parsed = z.safeParse(DeliveryMessage, message.body);
  const tenant = tenantOf(env);
  if (!parsed.success || parsed.data.tenant !== tenant.key) {
    log("error", { event: "delivery-message-refused", messageId: message.id });
    message.ack();
    return;
  }
  const { deliveryId, attempt } = parsed.data;
  const settings = deliverySettings(env);
  const store = tenantStore(env);
  const claim = await store.claimDelivery({
    deliveryId,
    attempt,
    cap: settings.targetConcurrency,
    leaseMs: settings.timeoutMs + 30_000,
  });
  // Skipped, or held back for the target's cap: the Durable Object sends it when a slot frees.
  if (claim.kind !== "go") {
    message.ack();
    return;
  }
  const outcome = await deliver(claim, settings, egress(env));
  const result = await store.finishDelivery({
    deliveryId,
    attempt,
    outcome,
    delaysSeconds: settings.retryDelaysSeconds,
    cap: settings.targetConcurrency,
  });
  log(outcome.kind === "delivered" ? "info" : "warn", {
    event: "delivery",
    deliveryId,
    hookId: claim.hookId,
    eventName: claim.event,
    attempt,
    outcome: outcome.kind,
    status: "status" in outcome ? outcome.status : undefined,
    state: result.state,
  });
  await dispatch(env.DELIVERIES, tenant.key, [...(result.retry ? [result.retry] : []), ...result.released]);
  message.ack();
}

/** Cloudflare gave up on a message after max_retries: keep it as a dead letter. */
async function handleAbandoned(env: EventsBindings, message: Message): Promise<void> {
  const store = tenantStore(env);
  const delivery = z.safeParse(DeliveryMessage, message.body);
  if (delivery.success) {
    await store.deliveryAbandoned({
      deliveryId: delivery.data.deliveryId,
      reason: "delivery kept failing in the queue",
    });
  } else {
    await store.messageAbandoned({
      id: `msg_${message.id}`,
      body: JSON.stringify(message.body),
      reason: "event could not be processed (ServiceTitan unreachable or the record unreadable)",
    });
  }
  message.ack();
}

/**
 * The worker's queue handler, for every queue wrangler.jsonc binds it to: names ending in
 * `-dlq` are dead-letter queues; the others carry events or deliveries, told apart by shape.
 */
export async function handleQueue(batch: MessageBatch, env: EventsBindings): Promise<void> {
  const dead = batch.queue.endsWith("-dlq");
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        if (dead) await handleAbandoned(env, message);
        else if (z.safeParse(DeliveryMessage, message.body).success) await handleDelivery(env, message);
        else await handleEvent(env, message);
      } catch (error) {
        // The store or the queue is unreachable: let Cloudflare retry (and dead-letter) the message.
        log("error", {
          event: "queue-message-failed",
          queue: batch.queue,
          error: error instanceof Error ? error.name : "unknown",
        });
        message.retry({ delaySeconds: 10 });
      }
    }),
  );
}

// The payment-posting worker: posts payments to ServiceTitan exactly once per Idempotency-Key
// (see routes/create-payment.ts) and reads, updates and polls them. The module also exports the
// IdempotencyStore Durable Object class that wrangler.jsonc binds as IDEMPOTENCY.
import { createWorkerApp, mount } from "@st-edge/edge";
import openapi from "../../../specs/workers/payment-posting.openapi.json";
import {
  createPayment,
  getPayment,
  listPayments,
  pollPayments,
  updatePayment,
  updatePaymentStatus,
} from "./api.ts";
import { createPaymentHandler } from "./routes/create-payment.ts";
import {
  getPaymentHandler,
  listPaymentsHandler,
  pollPaymentsHandler,
  updatePaymentHandler,
  updatePaymentStatusHandler,
} from "./routes/payments.ts";
import type { PaymentBindings } from "./settings.ts";

export { IdempotencyStore, InvoiceGate } from "@st-edge/exactly-once";

const app = createWorkerApp<PaymentBindings>({ name: "payment-posting", openapi });

mount(app, createPayment, createPaymentHandler);
mount(app, updatePaymentStatus, updatePaymentStatusHandler);
mount(app, listPayments, listPaymentsHandler);
// Before /payments/{id}, which would otherwise take "poll" for an id.
mount(app, pollPayments, pollPaymentsHandler);
mount(app, getPayment, getPaymentHandler);
mount(app, updatePayment, updatePaymentHandler);

export default app;

// The payment-posting worker: posts payments to ServiceTitan exactly once per Idempotency-Key
// (see posting/create.ts), checks them without posting, and reads, updates and polls them. The
// module also exports the Durable Object classes wrangler.jsonc binds: IdempotencyStore,
// InvoiceGate and TokenBroker.
import { createWorkerApp, mount } from "@st-edge/edge";
import {
  checkPayment,
  createPayment,
  getPayment,
  listPayments,
  pollPayments,
  updatePayment,
  updatePaymentStatus,
} from "./api.ts";
import { checkPaymentHandler, createPaymentHandler } from "./routes/create-payment.ts";
import {
  getPaymentHandler,
  listPaymentsHandler,
  pollPaymentsHandler,
  updatePaymentHandler,
  updatePaymentStatusHandler,
} from "./routes/payments.ts";
import type { PaymentBindings } from "./settings.ts";

export { TokenBroker } from "@st-edge/edge/token-broker";
export { IdempotencyStore, InvoiceGate } from "@st-edge/exactly-once";

const app = createWorkerApp<PaymentBindings>({
  name: "payment-posting",
  openapiAsset: "/payment-posting.openapi.json",
});

mount(app, createPayment, createPaymentHandler);
mount(app, checkPayment, checkPaymentHandler);
mount(app, updatePaymentStatus, updatePaymentStatusHandler);
mount(app, listPayments, listPaymentsHandler);
mount(app, pollPayments, pollPaymentsHandler);
mount(app, getPayment, getPaymentHandler);
mount(app, updatePayment, updatePaymentHandler);

export default app;

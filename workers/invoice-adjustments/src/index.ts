// The invoice-adjustments worker: adjustment invoices created in ServiceTitan exactly once per
// Idempotency-Key (see create.ts). The module also exports the IdempotencyStore Durable Object class
// that wrangler.jsonc binds as IDEMPOTENCY; INVOICE_GATES is payment-posting's InvoiceGate.
import { createWorkerApp, mount } from "@st-edge/edge";
import { createAdjustment } from "./api.ts";
import { createAdjustmentHandler } from "./create.ts";
import type { AdjustmentBindings } from "./settings.ts";

export { IdempotencyStore } from "@st-edge/exactly-once";

const app = createWorkerApp<AdjustmentBindings>({
  name: "invoice-adjustments",
  openapiAsset: "/invoice-adjustments.openapi.json",
});

mount(app, createAdjustment, createAdjustmentHandler);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

// The main module tests run with: this worker, plus the Durable Object classes the capability
// workers under test bind (in a deployment each lives in its own worker's script).
import { IdempotencyStore } from "@st-edge/exactly-once";

export { InvoiceGate } from "@st-edge/exactly-once";
export { default } from "../src/index.ts";
export { ExportMarks } from "./user-workers.js";
export { IdempotencyStore };

/** invoice-adjustments' IDEMPOTENCY: the same class as payment-posting's, its own namespace (as deployed). */
export class AdjustmentIdempotencyStore extends IdempotencyStore {}

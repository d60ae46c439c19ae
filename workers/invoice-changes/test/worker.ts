// The test worker: this worker as deployed, plus the Durable Object classes that payment-posting
// hosts (the shared invoice gates, and its own idempotency records), so tests can run both
// workers' apps against one INVOICE_GATES namespace with real storage.
import { IdempotencyStore, InvoiceGate } from "@st-edge/exactly-once";

export { default, ExportMarks, TokenBroker } from "../src/index.ts";
export { InvoiceGate };

/** payment-posting's IDEMPOTENCY namespace: the same class, another name, so the two never share records. */
export class PaymentIdempotencyStore extends IdempotencyStore {}

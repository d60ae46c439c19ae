// The test worker: this worker as deployed, plus the InvoiceGate class payment-posting hosts, so
// tests run against a real INVOICE_GATES namespace.
export { InvoiceGate } from "@st-edge/exactly-once";
export { default, IdempotencyStore, TokenBroker } from "../src/index.ts";

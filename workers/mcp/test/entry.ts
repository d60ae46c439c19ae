// The main module tests run with: this worker, plus the Durable Object classes the capability
// workers under test bind (in a deployment each lives in its own worker's script).
export { IdempotencyStore, InvoiceGate } from "@st-edge/exactly-once";
export { default } from "../src/index.ts";

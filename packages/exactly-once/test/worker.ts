// The test worker: only exports the package's Durable Objects so tests can bind them.
export { IdempotencyStore, InvoiceGate } from "../src/index.ts";

export default {
  fetch: () => new Response("exactly-once test worker", { status: 404 }),
} satisfies ExportedHandler;

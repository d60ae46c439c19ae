// The tests run payment-posting's app on this worker's env (one INVOICE_GATES namespace for both),
// and that app is type-checked here against this worker's generated Env: these are the bindings it
// reads that this worker's wrangler.jsonc does not declare (test/worker.ts and vitest.config.ts
// provide them). INVOICE_GATES is typed by its class; the generated Env leaves another script's
// class untyped.
interface Env {
  IDEMPOTENCY: DurableObjectNamespace<import("@st-edge/exactly-once").IdempotencyStore>;
  INVOICE_GATES: DurableObjectNamespace<import("@st-edge/exactly-once").InvoiceGate>;
}

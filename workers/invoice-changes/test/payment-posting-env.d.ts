// The tests run payment-posting's app on this worker's env (one INVOICE_GATES namespace for both),
// and that app is type-checked here against this worker's generated Env: IDEMPOTENCY is the one
// binding it reads that this worker's wrangler.jsonc does not declare (test/worker.ts and
// vitest.config.ts provide it).
interface Env {
  IDEMPOTENCY: DurableObjectNamespace<import("@st-edge/exactly-once").IdempotencyStore>;
}

// Tests run in workerd with the real local Durable Object and KV bindings from wrangler.jsonc.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fuzzKnobs } from "@st-edge/edge/fuzz-knobs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // test/worker.ts is this worker plus payment-posting's Durable Objects: wrangler.jsonc binds
      // INVOICE_GATES in st-payment-posting (script_name); here the test worker hosts that class,
      // with real storage, and payment-posting's app (called in the same tests) gets the same
      // namespace and its own IDEMPOTENCY.
      main: "./test/worker.ts",
      miniflare: {
        // FUZZ_CASES and FUZZ_SEED from the environment, for the shared fuzz suite.
        bindings: fuzzKnobs(),
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
        durableObjects: {
          INVOICE_GATES: { className: "InvoiceGate", useSQLite: true },
          IDEMPOTENCY: { className: "PaymentIdempotencyStore", useSQLite: true },
          TOKEN_BROKER: { className: "TokenBroker", useSQLite: true },
        },
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // The worker logs every state transition as a JSON line; keep test output readable.
    onConsoleLog: (log) => !log.startsWith('{"level"'),
  },
});

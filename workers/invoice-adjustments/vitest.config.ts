// Tests run in workerd with the real local Durable Object and KV bindings from wrangler.jsonc.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fuzzKnobs } from "@st-edge/edge/fuzz-knobs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // test/worker.ts is this worker plus the InvoiceGate class: wrangler.jsonc binds INVOICE_GATES
      // in st-payment-posting (script_name); here the test worker hosts it, with real storage.
      main: "./test/worker.ts",
      miniflare: {
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
        durableObjects: {
          INVOICE_GATES: { className: "InvoiceGate", useSQLite: true },
          TOKEN_BROKER: { className: "TokenBroker", useSQLite: true },
        },
        // The chaos run's size (`pnpm test:chaos --full` sets 300).
        bindings: { CHAOS_ADJUSTMENTS: process.env.CHAOS_ADJUSTMENTS ?? "", ...fuzzKnobs() },
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

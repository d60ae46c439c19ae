// Tests run in workerd. The MCP worker's capability bindings are stand-ins the tests build
// (test/support.ts): each calls the real worker's default export with bindings wired to one
// in-process simulator, as the dispatcher's tests do. Those workers' Durable Objects
// (payment-posting's idempotency records and invoice gates, invoice-adjustments' own records,
// invoice-changes' export marks), token KV and the events queue are real local bindings here; test/entry.ts exports their classes beside this worker's default export. Without a token
// broker binding, the workers refresh tokens through KV alone.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const unwired = () => new Response("not wired in tests", { status: 599 });

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      main: "./test/entry.ts",
      miniflare: {
        kvNamespaces: ["TOKENS"],
        // The agents' chaos run's size (`pnpm test:chaos --full` sets 200).
        bindings: { AGENT_PAYMENTS: process.env.AGENT_PAYMENTS ?? "" },
        durableObjects: {
          IDEMPOTENCY: { className: "IdempotencyStore", useSQLite: true },
          INVOICE_GATES: { className: "InvoiceGate", useSQLite: true },
          ADJUSTMENT_IDEMPOTENCY: { className: "AdjustmentIdempotencyStore", useSQLite: true },
          EXPORT_MARKS: { className: "ExportMarks", useSQLite: true },
        },
        // invoice-changes and invoice-adjustments publish their writes (@st-edge/events).
        queueProducers: { EVENTS: "st-events" },
        serviceBindings: {
          INVOICE_LOOKUP: unwired,
          TAX_ZONES: unwired,
          PAYMENT_TERMS: unwired,
          BILLS: unwired,
          PAYMENT_POSTING: unwired,
          INVOICE_CHANGES: unwired,
          INVOICE_ADJUSTMENTS: unwired,
        },
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // The workers log every request (and the MCP worker every write) as a JSON line.
    onConsoleLog: (log) => !log.startsWith('{"level"'),
  },
});

// Tests run in workerd with the real local Durable Object and KV bindings from wrangler.jsonc.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fuzzKnobs } from "@st-edge/edge/fuzz-knobs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // Tests inject an in-process simulator per test file; nothing else answers this binding.
      miniflare: {
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
        // The chaos run's size (`pnpm test:chaos --full` sets 1000); FUZZ_CASES and FUZZ_SEED
        // for the shared fuzz suite.
        bindings: { CHAOS_PAYMENTS: process.env.CHAOS_PAYMENTS ?? "", ...fuzzKnobs() },
        // wrangler.jsonc binds the token broker in invoice-lookup (script_name); here the
        // worker's own export answers, with real Durable Object storage.
        durableObjects: { TOKEN_BROKER: { className: "TokenBroker", useSQLite: true } },
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

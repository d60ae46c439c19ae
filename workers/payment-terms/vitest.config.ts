import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fuzzKnobs } from "@st-edge/edge/fuzz-knobs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // Tests inject an in-process simulator per test file; nothing else answers this binding.
      miniflare: {
        // FUZZ_CASES and FUZZ_SEED from the environment, for the shared fuzz suite.
        bindings: fuzzKnobs(),
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
        // wrangler.jsonc binds the token broker in invoice-lookup (script_name); here the
        // worker's own export answers, with real Durable Object storage.
        durableObjects: { TOKEN_BROKER: { className: "TokenBroker", useSQLite: true } },
      },
    }),
  ],
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});

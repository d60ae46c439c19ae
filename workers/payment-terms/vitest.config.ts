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
      },
    }),
  ],
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});

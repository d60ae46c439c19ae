import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { fuzzKnobs } from "@st-edge/edge/fuzz-knobs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // Tests inject an in-process simulator (test/helpers.ts); nothing else answers this binding.
      miniflare: {
        // FUZZ_CASES and FUZZ_SEED from the environment, for the shared fuzz suite.
        bindings: fuzzKnobs(),
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Retry tests wait out real Retry-After seconds (about 3 s each): room for a loaded machine.
    testTimeout: 20_000,
    // The JSON access logs only matter when a test fails; the fuzz suite's closing line always does.
    onConsoleLog: (log) => !log.startsWith('{"level"'),
    // One workerd isolate for all files: a third of the run time. Safe because every test file
    // measures simulator calls as deltas and undoes what it changes (faults, payments).
    isolate: false,
  },
});

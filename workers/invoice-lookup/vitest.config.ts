import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // Tests inject an in-process simulator (test/helpers.ts); nothing else answers this binding.
      miniflare: {
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The JSON access logs only matter when a test fails.
    silent: "passed-only",
    // One workerd isolate for all files: a third of the run time. Safe because every test file
    // measures simulator calls as deltas and undoes what it changes (faults, payments).
    isolate: false,
  },
});

import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      // Tests inject an in-process simulator per test file; nothing else answers this binding.
      miniflare: {
        serviceBindings: { SERVICETITAN: () => new Response("not wired in tests", { status: 599 }) },
      },
    }),
  ],
  // The JSON access logs only matter when a test fails.
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], silent: "passed-only" },
});

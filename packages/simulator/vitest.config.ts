import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    // The wrangler config brings the Durable Object that persists the simulator (src/worker.ts).
    cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } }),
  ],
  // Every test builds its own simulator, so files can share workers: a fresh workerd per file
  // (and another import of the 570 kB spec) cost more than all the tests together.
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], isolate: false },
});

import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { miniflare } from "./vitest.config.ts";

// Benchmarks: not part of `pnpm test`; run with `pnpm bench:tokens` (or the root `pnpm bench`).
export default defineConfig({
  plugins: [cloudflareTest({ main: "./test/worker.ts", miniflare })],
  test: { include: ["bench/**/*.bench.ts"], testTimeout: 600_000 },
});

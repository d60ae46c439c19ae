import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Benchmarks: not part of `pnpm test`; run with `pnpm bench:tokens` (or the root `pnpm bench`).
export default defineConfig({
  plugins: [cloudflareTest({ miniflare: { compatibilityDate: "2026-11-01", kvNamespaces: ["TOKENS"] } })],
  test: { include: ["bench/**/*.bench.ts"], testTimeout: 120_000 },
});

import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: { compatibilityDate: "2026-11-01", compatibilityFlags: [] },
    }),
  ],
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});

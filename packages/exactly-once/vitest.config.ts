// Tests run in workerd; the Durable Objects run for real, exported by a small test worker.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/worker.ts",
      miniflare: {
        compatibilityDate: "2026-11-01",
        durableObjects: {
          GATES: { className: "InvoiceGate", useSQLite: true },
          IDEMPOTENCY: { className: "IdempotencyStore", useSQLite: true },
        },
      },
    }),
  ],
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});

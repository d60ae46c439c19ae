import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Real KV and Durable Object bindings; the broker classes live in test/worker.ts. */
export const miniflare = {
  compatibilityDate: "2026-11-01",
  kvNamespaces: ["TOKENS"],
  durableObjects: {
    TOKEN_BROKER: { className: "TokenBroker", useSQLite: true },
    ENCRYPTING_TOKEN_BROKER: { className: "EncryptingTokenBroker", useSQLite: true },
    MISBOUND_TOKEN_BROKER: { className: "NotATokenBroker", useSQLite: true },
  },
};

export default defineConfig({
  plugins: [cloudflareTest({ main: "./test/worker.ts", miniflare })],
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});

// Tests run in workerd with a real KV namespace for the tenant directory; the dispatch namespace
// is backed by bindings the tests build (two tenants' invoice-lookup and payment-terms workers
// over an in-process simulator), as LOCAL_USER_WORKERS does under wrangler dev.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const unwired = () => new Response("not wired in tests", { status: 599 });

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        // The tenants' invoice-lookup workers under test keep their tokens here.
        kvNamespaces: ["TOKENS"],
        serviceBindings: {
          LOCAL_INVOICE_LOOKUP: unwired,
          LOCAL_TAX_ZONES: unwired,
          LOCAL_PAYMENT_TERMS: unwired,
          LOCAL_BILLS: unwired,
          LOCAL_PAYMENT_POSTING: unwired,
        },
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    onConsoleLog: (log) => !log.startsWith('{"level"'),
  },
});

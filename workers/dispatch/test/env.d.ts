// Bindings only the tests have (vitest.config.ts): the KV namespace of the tenants' invoice-lookup workers.
declare namespace Cloudflare {
  interface Env {
    TOKENS: KVNamespace;
  }
}

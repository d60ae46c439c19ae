// Bindings the token-cache tests get from vitest.config.ts.
declare namespace Cloudflare {
  interface Env {
    TOKENS: KVNamespace;
  }
}

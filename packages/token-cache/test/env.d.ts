// Bindings the token-cache tests get from vitest.config.ts.
declare namespace Cloudflare {
  interface Env {
    TOKENS: KVNamespace;
    TOKEN_BROKER: DurableObjectNamespace<import("../src/token-broker.ts").TokenBroker>;
    ENCRYPTING_TOKEN_BROKER: DurableObjectNamespace<import("../src/token-broker.ts").TokenBroker>;
    MISBOUND_TOKEN_BROKER: DurableObjectNamespace<import("../src/token-broker.ts").TokenBroker>;
  }
}

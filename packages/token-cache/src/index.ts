// @st-edge/token-cache: ServiceTitan tokens shared by a tenant's workers: isolate memory, Workers
// KV, and one token broker (a Durable Object) per tenant that does every refresh.
export type { TokenBrokerNamespace } from "./broker-client.ts";
export { createTokenCipher, EncryptionKeyError, sha256Hex, type TokenCipher } from "./crypto.ts";
export {
  createKvTokenProvider,
  type KvTokenProviderOptions,
  MAX_FAILURE_COOLDOWN_MS,
  type TokenCacheEvent,
  tokenCacheKey,
} from "./kv-token-provider.ts";
export { WORKER_REFRESH_MARGIN_MS } from "./refresh-margin.ts";
// The Durable Object class itself is `@st-edge/token-cache/broker` (it imports cloudflare:workers,
// which scripts run on Node, such as OpenAPI generation, cannot load).
export type { BrokerAnswer, BrokerTokenRequest, TokenBroker, TokenBrokerEnv } from "./token-broker.ts";

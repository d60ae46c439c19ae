// @st-edge/token-cache: ServiceTitan tokens shared by a tenant's workers: isolate memory, Workers
// KV, and one token broker (a Durable Object) per tenant that does every refresh.
export type { TokenBrokerNamespace } from "./broker-client.ts";
export { createTokenCipher, EncryptionKeyError, sha256Hex, type TokenCipher } from "./crypto.ts";
export {
  createKvTokenProvider,
  type KvTokenProviderOptions,
  type TokenCacheEvent,
  tokenCacheKey,
} from "./kv-token-provider.ts";
export { WORKER_REFRESH_MARGIN_MS } from "./refresh-margin.ts";
export {
  BROKER_FAILURE_COOLDOWN_CAP_MS,
  BROKER_FAILURE_COOLDOWN_MS,
  type BrokerAnswer,
  type BrokerTokenRequest,
  TokenBroker,
  type TokenBrokerEnv,
} from "./token-broker.ts";

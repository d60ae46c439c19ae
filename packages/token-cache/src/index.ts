// @st-edge/token-cache: ServiceTitan tokens shared by a tenant's workers through Workers KV.
export { createTokenCipher, EncryptionKeyError, sha256Hex, type TokenCipher } from "./crypto.ts";
export {
  createKvTokenProvider,
  type KvTokenProviderOptions,
  MAX_FAILURE_COOLDOWN_MS,
  type TokenCacheEvent,
  tokenCacheKey,
} from "./kv-token-provider.ts";

// How a token is kept at rest, in KV and in the token broker's storage: its times and the token,
// in plaintext or AES-GCM with the KV key as additional data. One encoding for both places, so
// the broker writes exactly what isolates read.
import type { Clock, IssuedToken } from "@st-edge/servicetitan";
import type { TokenCipher } from "./crypto.ts";

/** What is stored. `token` is present only in plaintext mode. */
export interface StoredToken {
  v: 1;
  issuedAt: number;
  expiresAt: number;
  token?: string;
  enc?: { alg: "A256GCM"; kid: string; iv: string; ct: string };
}

const KV_MIN_TTL_SECONDS = 60;

/** The stored form of `token` under `key`, encrypted when a cipher is given. */
export async function encodeToken(
  token: IssuedToken,
  key: string,
  cipher?: TokenCipher,
): Promise<StoredToken> {
  const base = { v: 1 as const, issuedAt: token.issuedAt, expiresAt: token.expiresAt };
  if (!cipher) return { ...base, token: token.accessToken };
  const box = await cipher.encrypt(token.accessToken, key);
  return { ...base, enc: { alg: "A256GCM", kid: cipher.keyId, ...box } };
}

/** The token in a stored value, or undefined for anything this reader cannot use. */
export async function decodeToken(
  stored: StoredToken | null | undefined,
  key: string,
  cipher?: TokenCipher,
): Promise<IssuedToken | undefined> {
  if (stored?.v !== 1) return undefined;
  let accessToken: string | undefined;
  if (cipher) {
    // A value written under another key (rotation) or in plaintext is a miss, not an error.
    if (stored.enc?.kid !== cipher.keyId) return undefined;
    accessToken = await cipher.decrypt(stored.enc, key).catch(() => undefined);
  } else {
    accessToken = stored.token;
  }
  return accessToken ? { accessToken, issuedAt: stored.issuedAt, expiresAt: stored.expiresAt } : undefined;
}

export interface KvTokenStoreOptions {
  kv: KVNamespace;
  key: Promise<string>;
  cipher?: TokenCipher;
  clock: Clock;
}

/** One tenant's token in KV. */
export interface KvTokenStore {
  /** The stored token, or undefined when absent, unreadable or under another key. */
  read(): Promise<IssuedToken | undefined>;
  /** Stores `token` until it expires. Never throws: a lost write costs a token request elsewhere. */
  write(token: IssuedToken): Promise<void>;
  /** Deletes the entry only if it still holds this very token: someone may have replaced it. */
  remove(accessToken: string): Promise<void>;
}

/**
 * @example
 * const store = kvTokenStore({ kv: env.TOKENS, key: tokenCacheKey(env, tenant, clientId), clock });
 * const token = await store.read();
 */
export function kvTokenStore({ kv, key, cipher, clock }: KvTokenStoreOptions): KvTokenStore {
  const read = async (): Promise<IssuedToken | undefined> => {
    const name = await key;
    const stored = await kv.get<StoredToken>(name, "json").catch(() => null);
    return decodeToken(stored, name, cipher);
  };
  return {
    read,
    async write(token) {
      const name = await key;
      const ttl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil((token.expiresAt - clock.now()) / 1000));
      await kv
        .put(name, JSON.stringify(await encodeToken(token, name, cipher)), { expirationTtl: ttl })
        .catch(() => {});
    },
    async remove(accessToken) {
      if ((await read())?.accessToken === accessToken) await kv.delete(await key).catch(() => {});
    },
  };
}

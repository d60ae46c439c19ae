// Optional encryption of cached tokens at rest in KV (AES-GCM, WebCrypto). The KV key is bound
// in as additional data, so a value copied under another tenant's key does not decrypt.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface TokenCipher {
  /** Short fingerprint of the key, stored beside each value so a rotated key is a clean miss. */
  readonly keyId: string;
  encrypt(plaintext: string, key: string): Promise<{ iv: string; ct: string }>;
  decrypt(box: { iv: string; ct: string }, key: string): Promise<string>;
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export class EncryptionKeyError extends Error {
  override readonly name = "EncryptionKeyError";
}

/**
 * A cipher from `TOKEN_ENCRYPTION_KEY`: 32 random bytes, base64 (`openssl rand -base64 32`).
 *
 * @example const cipher = await createTokenCipher(env.TOKEN_ENCRYPTION_KEY);
 */
export async function createTokenCipher(secret: string): Promise<TokenCipher> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64(secret.trim());
  } catch {
    throw new EncryptionKeyError("TOKEN_ENCRYPTION_KEY must be base64");
  }
  if (raw.length !== 32)
    throw new EncryptionKeyError("TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  const keyId = (await sha256Hex(`st-edge-token-key:${secret.trim()}`)).slice(0, 12);
  return {
    keyId,
    async encrypt(plaintext, aad) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
        key,
        encoder.encode(plaintext),
      );
      return { iv: toBase64(iv), ct: toBase64(new Uint8Array(ct)) };
    },
    async decrypt(box, aad) {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(box.iv), additionalData: encoder.encode(aad) },
        key,
        fromBase64(box.ct),
      );
      return decoder.decode(plain);
    },
  };
}

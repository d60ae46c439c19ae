// HMAC-SHA256 both ways: the signature every delivery carries (X-Signature, which receivers
// verify with the deployment's hook secret), and the check of ServiceTitan's signature on its
// webhooks (with the app's webhook key). Comparisons are constant time.

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    keys.set(secret, key);
  }
  return key;
}

async function hmac(secret: string, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), data));
}

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");

/**
 * The X-Signature header of one delivery attempt: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">`. A receiver recomputes v1 over the raw body and refuses stale `t`.
 *
 * @example await deliverySignature("s3cret-s3cret-s3cret", '{"id":"1-x"}', 1767225600)
 * // "t=1767225600,v1=…64 hex…"
 */
export async function deliverySignature(secret: string, body: string, unixSeconds: number): Promise<string> {
  const t = String(Math.floor(unixSeconds));
  return `t=${t},v1=${hex(await hmac(secret, encoder.encode(`${t}.${body}`)))}`;
}

/** Bytes of a signature written as hex or base64 (standard or URL alphabet), or undefined. */
function signatureBytes(text: string): Uint8Array | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) {
    return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  }
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    try {
      const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/").replace(/=?$/, "="));
      return Uint8Array.from(binary, (char) => char.charCodeAt(0));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * True when `header` is an HMAC-SHA256 of the raw `body` under `key`. How ServiceTitan writes it
 * is UNCONFIRMED (the stored docs say only "a signature in a request header"), so hex and
 * base64 are both accepted, with or without a `sha256=` prefix; the digest must match exactly.
 *
 * @example await isServiceTitanSignature(key, bytes, request.headers.get("X-ServiceTitan-Signature"))
 */
export async function isServiceTitanSignature(
  key: string,
  body: Uint8Array,
  header: string | null,
): Promise<boolean> {
  const given = signatureBytes((header ?? "").trim().replace(/^sha256=/i, ""));
  if (!given) return false;
  const expected = await hmac(key, body);
  return given.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(given, expected);
}

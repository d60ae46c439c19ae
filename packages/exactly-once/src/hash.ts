// SHA-256 as lowercase hex (Web Crypto), for request fingerprints, markers and log-safe key hashes.
const encoder = new TextEncoder();

/** @example await sha256Hex("abc") // "ba7816bf…" */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// Caller authentication for a deployment: API keys accepted as `Authorization: Bearer <key>` or
// `X-Api-Key`, checked against SHA-256 digests from the API_KEY_HASHES secret (several at once,
// so keys can be rotated). Keys are never stored or compared in plaintext, and every digest is
// compared in constant time.
import type { MiddlewareHandler } from "hono";
import { ProblemError } from "./problem.ts";

const encoder = new TextEncoder();
const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** SHA-256 hex digest of an API key: what goes into API_KEY_HASHES. */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parses API_KEY_HASHES: comma or whitespace separated hex digests; anything else is ignored. */
export function parseKeyHashes(secret: string | undefined): Uint8Array[] {
  return (secret ?? "")
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => HEX_DIGEST.test(entry))
    .map((hex) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16)));
}

function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  // workerd's crypto.subtle.timingSafeEqual; both sides are 32-byte digests.
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

// The secret does not change while an isolate lives: parse it once, not on every request.
let parsed: { secret: string | undefined; hashes: Uint8Array[] } | undefined;
const hashesOf = (secret: string | undefined): Uint8Array[] => {
  if (parsed === undefined || parsed.secret !== secret) parsed = { secret, hashes: parseKeyHashes(secret) };
  return parsed.hashes;
};

/** The key the caller presented, from `Authorization: Bearer` or `X-Api-Key`. */
export function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get("Authorization");
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? headers.get("X-Api-Key")?.trim() ?? undefined;
}

/** True when `key` matches one of `hashes`; checks every hash so timing says nothing about which. */
export async function isAcceptedKey(key: string, hashes: Uint8Array[]): Promise<boolean> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(key)));
  let accepted = false;
  for (const hash of hashes) accepted = equalDigests(digest, hash) || accepted;
  return accepted;
}

/**
 * Hono middleware: 401 problem unless the caller presents an accepted key. `open` paths skip it.
 *
 * @example app.use("*", callerAuth({ open: ["/healthz"] }));
 */
export function callerAuth({ open = ["/healthz"] }: { open?: string[] } = {}): MiddlewareHandler<{
  Bindings: { API_KEY_HASHES?: string };
}> {
  const openPaths = new Set(open);
  return async (c, next) => {
    if (openPaths.has(c.req.path)) return next();
    const key = presentedKey(c.req.raw.headers);
    const hashes = hashesOf(c.env.API_KEY_HASHES);
    if (!key || key.length > 512 || !(await isAcceptedKey(key, hashes))) {
      throw new ProblemError({
        type: "unauthorized",
        detail: "Send a valid API key as `Authorization: Bearer <key>` or `X-Api-Key: <key>`",
      });
    }
    return next();
  };
}

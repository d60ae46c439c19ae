// Confirmation tokens: what a `prepare_…` tool hands an agent and the matching `commit_…` tool
// takes instead of arguments. A token carries the exact request the commit will send (so nothing
// can change between the check and the write), the tenant, the commit tool, the caller's key id
// and an expiry, signed with HMAC-SHA256 under the deployment's MCP_TOKEN_SECRET:
//
//   stc1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "stc1." + claims part))>
//
// The token is also where a write's Idempotency-Key comes from (idempotencyKeyOf): every retry of
// a commit sends the same key, so the worker replays its first answer instead of writing again.
// No state is kept here: a token is valid by its signature and claims alone.
import type { Problem } from "./capabilities.ts";
import { knownProblem, ownProblem } from "./capabilities.ts";

// `undefined` members are dropped when the claims are serialized, as JSON.stringify does.
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

export interface ConfirmationClaims {
  v: 1;
  /** The deployment's tenant, `<environment>:<tenantId>`. */
  tenant: string;
  /** The commit tool this token is for. */
  tool: string;
  /** Key id of the caller who prepared it: only the same API key may commit it. */
  key: string;
  /** The request the commit sends, exactly as prepared and checked. */
  request: Json;
  /** Issued and expires, seconds since the epoch. */
  iat: number;
  exp: number;
  /** 96 random bits: two prepares of the same request are two writes, each with its own key. */
  nonce: string;
}

const PREFIX = "stc1";
const encoder = new TextEncoder();
/** At least 32 characters: an HMAC key shorter than its hash is a weak one. */
export const MIN_SECRET_LENGTH = 32;

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

// The secret does not change while an isolate lives: import it once.
let imported: { secret: string; key: Promise<CryptoKey> } | undefined;
function hmacKey(secret: string): Promise<CryptoKey> {
  if (imported?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    imported = { secret, key };
  }
  return imported.key;
}

/** The signing secret, or a problem naming what is wrong with it (never its value). */
export function tokenSecret(env: { MCP_TOKEN_SECRET?: string }): string | Problem {
  const secret = env.MCP_TOKEN_SECRET ?? "";
  if (secret.length >= MIN_SECRET_LENGTH) return secret;
  return knownProblem("misconfigured", {
    detail: `MCP_TOKEN_SECRET must be set to at least ${MIN_SECRET_LENGTH} random characters; write tools are off until it is`,
  });
}

/** What a token is bound to (the deployment's secret and tenant, the commit tool, the caller's key id) and when. */
export interface VerifyOptions {
  secret: string;
  tenant: string;
  tool: string;
  keyId: string;
  /** Milliseconds since the epoch (default now). */
  now?: number;
}

export interface IssueOptions extends VerifyOptions {
  request: Json;
  ttlSeconds: number;
}

/**
 * Signs a confirmation token for `request`.
 *
 * @example const { token, expiresAt } = await issueConfirmation({ secret, tenant, tool: "commit_payment", keyId, request, ttlSeconds: 600 });
 */
export async function issueConfirmation(
  options: IssueOptions,
): Promise<{ token: string; expiresAt: string }> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: ConfirmationClaims = {
    v: 1,
    tenant: options.tenant,
    tool: options.tool,
    key: options.keyId,
    request: options.request,
    iat,
    exp: iat + options.ttlSeconds,
    nonce: base64url(crypto.getRandomValues(new Uint8Array(12))),
  };
  const body = `${PREFIX}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(options.secret), encoder.encode(body));
  return {
    token: `${body}.${base64url(new Uint8Array(signature))}`,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
  };
}

export type Verified =
  | { ok: true; claims: ConfirmationClaims }
  /** `expired`: the claims of an authentic token past its expiry (to tell whether it was committed). */
  | { ok: false; problem: Problem; expired?: ConfirmationClaims };

const refused = (type: string, title: string, detail: string): Verified => ({
  ok: false,
  problem: ownProblem({ type, title, status: 422, detail }),
});

const FORGED =
  "Pass the token exactly as the prepare tool returned it; if it was changed or made up, prepare again";

function isClaims(value: unknown): value is ConfirmationClaims {
  if (typeof value !== "object" || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    claims.v === 1 &&
    typeof claims.tenant === "string" &&
    typeof claims.tool === "string" &&
    typeof claims.key === "string" &&
    "request" in claims &&
    Number.isInteger(claims.iat) &&
    Number.isInteger(claims.exp) &&
    typeof claims.nonce === "string"
  );
}

/**
 * Checks a token's signature (in constant time), then that it is this tenant's, for this tool, from
 * this caller and not expired. Only a token that passes every check yields its request.
 */
export async function verifyConfirmation(token: string, options: VerifyOptions): Promise<Verified> {
  const parts = token.trim().split(".");
  const [prefix, payload, signatureText] = parts;
  const signature = signatureText === undefined ? undefined : fromBase64url(signatureText);
  if (parts.length !== 3 || prefix !== PREFIX || payload === undefined || !signature) {
    return refused("confirmation-invalid", "Not a confirmation token", FORGED);
  }
  const key = await hmacKey(options.secret);
  const authentic = await crypto.subtle.verify(
    "HMAC",
    key,
    signature,
    encoder.encode(`${PREFIX}.${payload}`),
  );
  const bytes = authentic ? fromBase64url(payload) : undefined;
  let claims: unknown;
  try {
    claims = bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    claims = undefined;
  }
  if (!authentic || !isClaims(claims)) {
    return refused("confirmation-invalid", "The confirmation token is not authentic", FORGED);
  }
  if (claims.tenant !== options.tenant) {
    return refused(
      "confirmation-other-tenant",
      "The confirmation token belongs to another tenant",
      "This token was prepared for another ServiceTitan tenant's deployment; prepare the write here",
    );
  }
  if (claims.tool !== options.tool) {
    return refused(
      "confirmation-wrong-tool",
      "The confirmation token is for another tool",
      `This token confirms ${claims.tool}, not ${options.tool}`,
    );
  }
  if (claims.key !== options.keyId) {
    return refused(
      "confirmation-other-caller",
      "The confirmation token was prepared with another API key",
      "Only the API key that prepared a write may commit it; prepare it again with this key",
    );
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (now >= claims.exp) {
    return {
      ok: false,
      problem: ownProblem({
        type: "confirmation-expired",
        title: "The confirmation token has expired",
        status: 422,
        detail: `It expired at ${new Date(claims.exp * 1000).toISOString()}. Check whether an earlier commit of it went through before preparing again`,
      }),
      expired: claims,
    };
  }
  return { ok: true, claims };
}

/**
 * The Idempotency-Key a commit sends: derived from the whole token, so every retry of one commit
 * sends the same key and no two tokens share one.
 *
 * @example await idempotencyKeyOf(token) // "mcp-3f2a…" (36 characters)
 */
export async function idempotencyKeyOf(token: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    encoder.encode(`st-edge-mcp-idempotency:${token.trim()}`),
  );
  return `mcp-${[...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

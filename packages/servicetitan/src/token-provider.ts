// Where the client gets its access token. ServiceTitan issues client-credentials tokens only
// (no refresh tokens), 900 s each, and throttles token requests, so providers cache and share.
// This file holds the interface, the token request itself, and a simple in-memory provider;
// the KV-backed provider that several workers share lives in @st-edge/token-cache.
import { type Clock, systemClock } from "./clock.ts";
import { ServiceTitanAuthError } from "./errors.ts";
import type { components } from "./generated/oauth-token.ts";
import { retryAfterSeconds } from "./retry-after.ts";

/** What the client asks of a token source. */
export interface TokenProvider {
  /** A token with more than the refresh margin of life left. */
  getToken(): Promise<string>;
  /** ServiceTitan refused this exact token (401): drop it so the next getToken fetches anew. */
  invalidate(token: string): Promise<void>;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * A token and the absolute time it stops working: `expires_in` counted from when we sent the
 * request that got it. ServiceTitan issued it no earlier than that, so the network time between
 * its issuing and our receiving never makes us overstate a token's life.
 */
export interface IssuedToken {
  accessToken: string;
  /** When we sent the request that got it, milliseconds since the epoch. */
  issuedAt: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * True while the token has more than the refresh margin of life left. The margin is capped at
 * half the token's lifetime so a short-lived token (a simulator setting) is still used.
 */
export function isFresh(token: IssuedToken, now: number, refreshMarginMs: number): boolean {
  const margin = Math.min(refreshMarginMs, (token.expiresAt - token.issuedAt) / 2);
  return token.expiresAt - margin > now;
}

export interface TokenRequestOptions {
  /** Full token endpoint URL, e.g. `https://auth.servicetitan.io/connect/token`. */
  tokenUrl: string;
  credentials: ClientCredentials;
  fetch?: (request: Request) => Promise<Response>;
  clock?: Clock;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Attempts on 429/5xx/network errors before giving up (invalid credentials are never retried). */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt, full jitter, capped at 10 s. */
  baseDelayMs?: number;
  random?: () => number;
}

type TokenResponse = components["schemas"]["TokenResponse"];

function isTokenResponse(body: unknown): body is TokenResponse {
  return (
    typeof body === "object" &&
    body !== null &&
    "access_token" in body &&
    typeof body.access_token === "string" &&
    body.access_token.length > 0 &&
    "expires_in" in body &&
    typeof body.expires_in === "number" &&
    body.expires_in > 0
  );
}

async function oauthErrorCode(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = await response.json();
    return typeof body === "object" && body !== null && "error" in body && typeof body.error === "string"
      ? body.error
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One client-credentials token request, with bounded backoff on 429/5xx/network errors.
 * Throws ServiceTitanAuthError (never containing the secret) when no token can be had.
 *
 * @example
 * const { accessToken, expiresAt } = await requestToken({ tokenUrl, credentials });
 */
export async function requestToken(options: TokenRequestOptions): Promise<IssuedToken> {
  const {
    tokenUrl,
    credentials,
    fetch: send = (request) => fetch(request),
    clock = systemClock,
    timeoutMs = 10_000,
    maxAttempts = 3,
    baseDelayMs = 250,
    random = Math.random,
  } = options;
  let last: ServiceTitanAuthError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (last) {
      const cap = Math.min(10_000, baseDelayMs * 2 ** (attempt - 2));
      const hinted = last.retryAfterSeconds === undefined ? 0 : last.retryAfterSeconds * 1000;
      if (hinted > 10_000) break; // asked to wait longer than a caller can: give up now
      await clock.sleep(Math.max(hinted, random() * cap));
    }
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    });
    const sentAt = clock.now();
    let response: Response;
    try {
      response = await send(
        new Request(tokenUrl, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        }),
      );
    } catch {
      last = new ServiceTitanAuthError({ failure: "unavailable" });
      continue;
    }
    const receivedAt = clock.now();
    if (response.ok) {
      const json: unknown = await response.json().catch(() => undefined);
      if (isTokenResponse(json)) {
        return {
          accessToken: json.access_token,
          issuedAt: sentAt,
          expiresAt: sentAt + json.expires_in * 1000,
        };
      }
      last = new ServiceTitanAuthError({ failure: "unavailable", status: response.status });
      continue;
    }
    if (response.status === 429 || response.status >= 500) {
      last = new ServiceTitanAuthError({
        failure: response.status === 429 ? "throttled" : "unavailable",
        status: response.status,
        retryAfterSeconds: await retryAfterSeconds(response, receivedAt),
      });
      await response.body?.cancel();
      continue;
    }
    // 400/401/403: the credentials or the request are wrong; retrying cannot help.
    throw new ServiceTitanAuthError({
      failure: "invalid_client",
      status: response.status,
      oauthError: await oauthErrorCode(response),
    });
  }
  throw last ?? new ServiceTitanAuthError({ failure: "unavailable" });
}

/** Concurrent callers share one in-flight load instead of each starting their own. */
export class SingleFlight {
  private pending: Promise<IssuedToken> | undefined;
  private readonly load: () => Promise<IssuedToken>;

  constructor(load: () => Promise<IssuedToken>) {
    this.load = load;
  }

  run(): Promise<IssuedToken> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }
}

export interface MemoryTokenProviderOptions extends TokenRequestOptions {
  /** Refresh this long before expiry (default 60 s). */
  refreshMarginMs?: number;
}

/**
 * Caches one tenant's token in this isolate's memory. Right for scripts and tests; workers use
 * the KV-backed provider so all of a tenant's workers share one token.
 *
 * @example
 * const tokens = createMemoryTokenProvider({ tokenUrl, credentials: { clientId, clientSecret } });
 */
export function createMemoryTokenProvider(options: MemoryTokenProviderOptions): TokenProvider {
  const clock = options.clock ?? systemClock;
  const margin = options.refreshMarginMs ?? 60_000;
  let current: IssuedToken | undefined;
  const refresh = new SingleFlight(async () => {
    current = await requestToken(options);
    return current;
  });
  return {
    async getToken() {
      if (current && isFresh(current, clock.now(), margin)) return current.accessToken;
      const issued = await refresh.run();
      return issued.accessToken;
    },
    async invalidate(token) {
      if (current?.accessToken === token) current = undefined;
    },
  };
}

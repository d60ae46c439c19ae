// ServiceTitan tokens shared by all of a tenant's workers through Workers KV.
//
// Layers: this isolate's memory (the hot path: no I/O at all), then KV (tokens another isolate or
// worker fetched), then the token endpoint. ServiceTitan throttles token requests and issues no
// refresh tokens, so the goal is one token request per token lifetime per tenant and environment.
//
// KV is eventually consistent across locations, so two isolates can refresh at once. Two things
// keep that stampede small: each isolate re-reads KV before asking upstream, and each isolate's
// refresh point is spread at random over `refreshSpreadMs` before the margin, so in practice one
// isolate refreshes first and the others find its token in KV. With a token broker (`broker`,
// token-broker.ts) the KV miss goes to the tenant's one broker instead of the token endpoint:
// one refresh for every location.
import {
  type ClientCredentials,
  type Clock,
  type Fetch,
  type IssuedToken,
  isFresh,
  requestToken,
  ServiceTitanAuthError,
  SingleFlight,
  systemClock,
  type TokenProvider,
} from "@st-edge/servicetitan";
import { brokerClient, type TokenBrokerNamespace } from "./broker-client.ts";
import { sha256Hex, type TokenCipher } from "./crypto.ts";
import { kvTokenStore } from "./stored-token.ts";

export type TokenCacheEvent =
  | "memory-hit"
  | "kv-hit"
  | "kv-miss"
  | "token-request"
  | "token-request-failed"
  | "stale-fallback"
  | "failure-cached"
  | "invalidated"
  | "broker-hit"
  | "broker-refresh"
  | "broker-failure"
  | "broker-unreachable";

export interface KvTokenProviderOptions {
  kv: KVNamespace;
  /** "production", "integration", "simulator"...: tokens of different environments never mix. */
  environment: string;
  tenantId: number;
  /** Full token endpoint URL. */
  tokenUrl: string;
  credentials: ClientCredentials;
  fetch?: Fetch;
  clock?: Clock;
  /** A token with less than this much life left is never handed out (default 60 s). */
  refreshMarginMs?: number;
  /** Refresh points are spread at random over this window before the margin (default 5 s: KV is read-your-writes within a location, so a short spread is enough there; see the token-economy benchmark for other locations). */
  refreshSpreadMs?: number;
  /** After the token endpoint fails, callers get the same error for this long instead of a new request (default 5 s). */
  failureCooldownMs?: number;
  /** The longest cool-down, whatever ServiceTitan's Retry-After asks for (default 30 s; see MAX_FAILURE_COOLDOWN_MS). */
  maxFailureCooldownMs?: number;
  /** Encrypts values at rest when set (from TOKEN_ENCRYPTION_KEY). */
  cipher?: TokenCipher;
  /** The tenant's token broker (`TOKEN_BROKER`): asked instead of the token endpoint on a KV miss; it writes KV. Unreachable → the token endpoint, as without one. */
  broker?: TokenBrokerNamespace;
  random?: () => number;
  /** Told about each cache decision: for metrics, benchmarks and tests. Never given a token. */
  onEvent?: (event: TokenCacheEvent) => void;
}

/**
 * The longest this isolate stops asking the token endpoint after a failure. The cool-down is
 * there so that callers get a 429/503 with Retry-After instead of a hot loop of token requests;
 * 30 s keeps that to two requests a minute per isolate while the endpoint is refusing, yet one
 * Retry-After of 300 s (or a proxy's 86400) does not lock an isolate out for minutes once the
 * throttle lifts. A token another isolate puts in KV meanwhile is used at once (KV is still read).
 */
export const MAX_FAILURE_COOLDOWN_MS = 30_000;

/**
 * The KV key for one tenant's token: environment, tenant id and a hash of the client id. Never a
 * secret or a token, so keys can be listed and logged safely.
 */
export async function tokenCacheKey(
  environment: string,
  tenantId: number,
  clientId: string,
): Promise<string> {
  const clientHash = (await sha256Hex(`st-edge-client:${clientId}`)).slice(0, 16);
  return `st-token:v1:${environment}:${tenantId}:${clientHash}`;
}

/**
 * @example
 * const tokens = createKvTokenProvider({ kv: env.TOKENS, environment: "production", tenantId,
 *   tokenUrl: "https://auth.servicetitan.io/connect/token", credentials: { clientId, clientSecret } });
 */
export function createKvTokenProvider(options: KvTokenProviderOptions): TokenProvider {
  const {
    kv,
    clock = systemClock,
    refreshMarginMs = 60_000,
    refreshSpreadMs = 5_000,
    failureCooldownMs = 5_000,
    maxFailureCooldownMs = MAX_FAILURE_COOLDOWN_MS,
    cipher,
    random = Math.random,
    onEvent = () => {},
  } = options;
  const keyPromise = tokenCacheKey(options.environment, options.tenantId, options.credentials.clientId);
  // This isolate's place in the spread, fixed for its life so isolates refresh at different times.
  const spread = random() * refreshSpreadMs;
  let current: IssuedToken | undefined;
  let failure: { error: unknown; until: number } | undefined;

  /** Past this point we look for a newer token; the margin itself is never crossed. */
  const due = (token: IssuedToken, now: number) => !isFresh(token, now, refreshMarginMs + spread);

  const {
    read: readKv,
    write: writeKv,
    remove: removeFromKv,
  } = kvTokenStore({ kv, key: keyPromise, cipher, clock });
  /** The token ServiceTitan last refused here: a stale copy of it in KV is a miss, not a hit. */
  let revoked: string | undefined;

  /** Without a broker (or when it is unreachable): ask the token endpoint, then share through KV. */
  const fromTokenEndpoint = async (): Promise<IssuedToken> => {
    onEvent("token-request");
    const issued = await requestToken({ ...options, clock, random });
    await writeKv(issued);
    return issued;
  };
  const broker =
    options.broker &&
    brokerClient({
      namespace: options.broker,
      key: keyPromise,
      tokenUrl: options.tokenUrl,
      credentials: options.credentials,
      clock,
      marginMs: refreshMarginMs,
      // Every isolate's refresh point lies within this, so the broker's fresh token is fresh to all.
      refreshAtMs: refreshMarginMs + refreshSpreadMs,
      upstream: options.fetch,
      direct: fromTokenEndpoint,
      onEvent,
    });

  /** During an outage, keep handing out a token we hold while it is outside the margin. */
  const fallbackOr = (error: unknown, candidates: (IssuedToken | undefined)[]): IssuedToken => {
    const fallback = candidates.find((t) => t !== undefined && isFresh(t, clock.now(), refreshMarginMs));
    if (!fallback) throw error;
    onEvent("stale-fallback");
    current = fallback;
    return fallback;
  };

  /** The cached failure as callers get it at `now`: the same kind, with what is left of the cool-down. */
  const cooling = ({ error, until }: { error: unknown; until: number }, now: number): unknown =>
    error instanceof ServiceTitanAuthError
      ? new ServiceTitanAuthError({
          failure: error.failure,
          status: error.status,
          oauthError: error.oauthError,
          retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
        })
      : error;

  const refresh = new SingleFlight(async () => {
    const now = clock.now();
    // KV first, cool-down or not: another isolate may have signed in since. A token ServiceTitan
    // refused here is no token at all (not even a fallback), whatever KV says.
    const read = await readKv();
    const stored = read?.accessToken === revoked ? undefined : read;
    if (stored && !due(stored, now)) {
      onEvent("kv-hit");
      current = stored;
      return stored;
    }
    if (failure && now < failure.until) {
      // No hot loop of token requests while the endpoint is failing: answer from what we hold or fail fast.
      onEvent("failure-cached");
      return fallbackOr(cooling(failure, now), [current, stored]);
    }
    onEvent("kv-miss");
    try {
      const issued = await (broker ? broker.issue(revoked) : fromTokenEndpoint());
      failure = undefined;
      current = issued;
      return issued;
    } catch (error) {
      onEvent("token-request-failed");
      const hinted =
        error instanceof ServiceTitanAuthError && error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : 0;
      const cooldownMs = Math.min(maxFailureCooldownMs, Math.max(failureCooldownMs, hinted));
      failure = { error, until: clock.now() + cooldownMs };
      return fallbackOr(cooling(failure, clock.now()), [current, stored]);
    }
  });

  return {
    async getToken() {
      if (current && !due(current, clock.now())) {
        onEvent("memory-hit");
        return current.accessToken;
      }
      return (await refresh.run()).accessToken;
    },
    async invalidate(token) {
      if (current?.accessToken === token) current = undefined;
      // Concurrent requests that met the same 401 revoke it once. The broker hears of it with the
      // next token request (`refused`), so it can never hand the refused token back.
      if (revoked === token) return;
      revoked = token;
      onEvent("invalidated");
      await removeFromKv(token);
    },
  };
}

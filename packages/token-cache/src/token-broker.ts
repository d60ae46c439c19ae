// The token broker: one Durable Object per tenant, environment and client id (named by the KV
// key), the single place that asks ServiceTitan for a token. KV alone cannot be that place: it
// is eventually consistent between locations, so every location refreshed on its own. A Durable
// Object is one instance worldwide, so its refresh is single-flight for every isolate of every
// worker of the tenant, wherever they run.
//
// Isolates still answer from memory (no I/O) and from KV; they call the broker only when their
// own token nears its refresh point and KV has nothing newer. The broker hands out the token it
// holds while it has more than the caller's refresh window left, else requests one (bounded
// retries with backoff and jitter, Retry-After honoured), stores it (its own storage, so an
// evicted broker remembers it, and KV, so other isolates find it there) and answers everyone
// waiting. After a failed request it answers the same failure for a cool-down instead of asking
// again, so a throttled or refusing token endpoint sees one request per cool-down per tenant,
// however many isolates ask.
import { DurableObject } from "cloudflare:workers";
import {
  type ClientCredentials,
  type Clock,
  type Fetch,
  type IssuedToken,
  isFresh,
  requestToken,
  ServiceTitanAuthError,
  systemClock,
  type TokenFailure,
} from "@st-edge/servicetitan";
import { createTokenCipher, type TokenCipher } from "./crypto.ts";
import { decodeToken, encodeToken, kvTokenStore, type StoredToken } from "./stored-token.ts";

/** The bindings the broker reads in whichever worker hosts it. */
export interface TokenBrokerEnv {
  TOKENS: KVNamespace;
  /** Optional: the same key the tenant's workers use, so KV values stay readable to them. */
  TOKEN_ENCRYPTION_KEY?: string;
}

/** What an isolate sends when it needs a token. */
export interface BrokerTokenRequest {
  /** The tenant's KV key (`tokenCacheKey`), which is also this broker's name. */
  key: string;
  tokenUrl: string;
  credentials: ClientCredentials;
  /**
   * The caller's clock reading. Freshness is judged on the caller's timeline, so the broker and
   * the isolate agree on what "fresh" means (Cloudflare's clocks agree within milliseconds;
   * tests and benchmarks run on a manual clock).
   */
  now: number;
  /** A token with less life than this is never handed out. */
  marginMs: number;
  /** The held token is handed out while it has more than this left; below it, a refresh. */
  refreshAtMs: number;
  /** Where the token request goes instead of the network: the simulator, in local runs and tests. */
  upstream?: Fetch;
  /**
   * A token ServiceTitan refused (401) for this caller. If it is the one held, it is forgotten
   * (here and in KV) and a new one requested: every isolate that met the same 401 names it, the
   * first makes the one refresh, the others get its result. Never handed out again.
   */
  refused?: string;
}

/** The broker's answer: a token, or the token endpoint's failure (rebuilt by the caller). */
export type BrokerAnswer =
  | { ok: true; token: IssuedToken; refreshed: boolean; stale: boolean }
  | {
      ok: false;
      failure: TokenFailure;
      status: number;
      oauthError?: string;
      retryAfterSeconds?: number;
    };

type Failure = Extract<BrokerAnswer, { ok: false }>;

/** After a failed token request, the broker repeats its answer this long before asking again. */
export const BROKER_FAILURE_COOLDOWN_MS = 5_000;
/** ... and never longer than this, whatever Retry-After says (a caller cannot wait that long anyway). */
export const BROKER_FAILURE_COOLDOWN_CAP_MS = 60_000;

const STORED = "token";

/** A clock on the caller's timeline: `now` as the caller read it, moving with ours since. */
function callerClock(callerNow: number): Clock {
  const offset = callerNow - Date.now();
  return {
    now: () => Date.now() + offset,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/**
 * The caller's fetch, called back over RPC. An AbortSignal cannot cross RPC, so the request goes
 * without it and the timeout is kept here.
 */
function callerFetch(upstream: Fetch): Fetch {
  return (request) => {
    const { signal } = request;
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    return Promise.race([upstream(new Request(request, { signal: null })), aborted]);
  };
}

/**
 * The Durable Object class. Every worker exports it (so its own tests run against a real one);
 * a deployment binds every worker's `TOKEN_BROKER` to the class in one script (`script_name`).
 *
 * @example
 * export { TokenBroker } from "@st-edge/token-cache";
 * // wrangler.jsonc: "durable_objects": { "bindings": [{ "name": "TOKEN_BROKER", "class_name": "TokenBroker" }] }
 */
export class TokenBroker extends DurableObject<TokenBrokerEnv> {
  #held: IssuedToken | undefined;
  #loaded = false;
  #pending: Promise<BrokerAnswer> | undefined;
  #failure: { answer: Failure; until: number } | undefined;
  #cipher: Promise<TokenCipher | undefined> | undefined;

  /** A token with more than `refreshAtMs` left: the one held, or a new one. */
  async issue(request: BrokerTokenRequest): Promise<BrokerAnswer> {
    let held = await this.#load(request.key);
    if (held && held.accessToken === request.refused) {
      await this.#forget(request.key, held.accessToken);
      held = undefined;
    }
    if (held && isFresh(held, request.now, request.refreshAtMs)) {
      return { ok: true, token: held, refreshed: false, stale: false };
    }
    if (this.#failure && request.now < this.#failure.until)
      return this.#fallback(request, this.#failure.answer);
    // Concurrent callers share one request; each got here with the same stale token.
    this.#pending ??= this.#refresh(request).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** ServiceTitan refused the held token: drop it from memory, storage and KV. */
  async #forget(key: string, accessToken: string): Promise<void> {
    this.#held = undefined;
    await this.ctx.storage.delete(STORED);
    await (await this.#kv(key, systemClock)).remove(accessToken);
  }

  async #refresh(request: BrokerTokenRequest): Promise<BrokerAnswer> {
    const clock = callerClock(request.now);
    try {
      const token = await requestToken({
        tokenUrl: request.tokenUrl,
        credentials: request.credentials,
        fetch: request.upstream && callerFetch(request.upstream),
        clock,
      });
      this.#held = token;
      this.#failure = undefined;
      await this.ctx.storage.put(STORED, await encodeToken(token, request.key, await this.#cipherOnce()));
      await (await this.#kv(request.key, clock)).write(token);
      return { ok: true, token, refreshed: true, stale: false };
    } catch (error) {
      if (!(error instanceof ServiceTitanAuthError)) throw error;
      const answer: Failure = {
        ok: false,
        failure: error.failure,
        status: error.status,
        oauthError: error.oauthError,
        retryAfterSeconds: error.retryAfterSeconds,
      };
      const hinted = (error.retryAfterSeconds ?? 0) * 1000;
      const cooldown = Math.min(BROKER_FAILURE_COOLDOWN_CAP_MS, Math.max(BROKER_FAILURE_COOLDOWN_MS, hinted));
      this.#failure = { answer, until: clock.now() + cooldown };
      return this.#fallback(request, answer);
    }
  }

  /** During an outage the held token keeps working while it is outside the margin. */
  #fallback(request: BrokerTokenRequest, failure: Failure): BrokerAnswer {
    const held = this.#held;
    if (held && isFresh(held, request.now, request.marginMs)) {
      return { ok: true, token: held, refreshed: false, stale: true };
    }
    return failure;
  }

  /** The held token: memory, else storage once per instance (it survives eviction there). */
  async #load(key: string): Promise<IssuedToken | undefined> {
    if (!this.#loaded) {
      const stored = await this.ctx.storage.get<StoredToken>(STORED);
      this.#held ??= await decodeToken(stored, key, await this.#cipherOnce());
      this.#loaded = true;
    }
    return this.#held;
  }

  async #kv(key: string, clock: Clock) {
    return kvTokenStore({
      kv: this.env.TOKENS,
      key: Promise.resolve(key),
      cipher: await this.#cipherOnce(),
      clock,
    });
  }

  #cipherOnce(): Promise<TokenCipher | undefined> {
    const secret = this.env.TOKEN_ENCRYPTION_KEY;
    this.#cipher ??= secret ? createTokenCipher(secret) : Promise.resolve(undefined);
    return this.#cipher;
  }
}

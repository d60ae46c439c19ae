// The token endpoint's state: client credentials per tenant, issued tokens (opaque, random, bound
// to one tenant, expiring by the injected clock), revocation, and the per-client throttle that
// ServiceTitan documents without numbers (FACTS.md §1), so limits are configurable.
import type { Clock, TokenErrorBody as TokenError, TokenResponse } from "@st-edge/servicetitan";

export interface TokenClient {
  tenantId: number;
  clientId: string;
  clientSecret: string;
}

export interface TokenConfig {
  lifetimeSeconds: number;
  rateLimit: { requests: number; perSeconds: number };
}

export interface IssuedToken {
  tenantId: number;
  clientId: string;
  expiresAt: number;
}

export type TokenOutcome =
  | { status: 200; body: TokenResponse }
  | { status: 400 | 401; body: TokenError }
  | { status: 429; retryAfterSeconds: number };

export type TokenCheck =
  | { ok: true; token: IssuedToken }
  | { ok: false; reason: "missing" | "unknown" | "expired" };

/** The accounting scopes a tenant grants the demo app (what ServiceTitan returns in `scope`). */
export const GRANTED_SCOPES = [
  "tn.acc.invoices:r",
  "tn.acc.invoices:w",
  "tn.acc.payments:r",
  "tn.acc.payments:w",
  "tn.acc.paymentterms:r",
  "tn.acc.paymenttypes:r",
  "tn.acc.taxzones:r",
  "tn.acc.apbills:r",
].join(" ");

const randomToken = (): string =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/**
 * Issues and checks tokens.
 *
 * @example
 * const tokens = new TokenService(clients, clock, () => ({ lifetimeSeconds: 900, rateLimit: { requests: 20, perSeconds: 60 } }));
 * tokens.request({ grant_type: "client_credentials", client_id: "demo-client", client_secret: "demo-secret" });
 */
export class TokenService {
  readonly #clients: Map<string, TokenClient>;
  readonly #clock: Clock;
  readonly #config: () => TokenConfig;
  readonly #tokens = new Map<string, IssuedToken>();
  /** Per client id, when its recent (unthrottled) token requests arrived. */
  readonly #windows = new Map<string, number[]>();

  constructor(clients: TokenClient[], clock: Clock, config: () => TokenConfig) {
    this.#clients = new Map(clients.map((client) => [client.clientId, client]));
    this.#clock = clock;
    this.#config = config;
  }

  /** The tenant a client id belongs to, if any (per-tenant faults apply to token requests too). */
  tenantOf(clientId: string): number | undefined {
    return this.#clients.get(clientId)?.tenantId;
  }

  request(form: { grant_type?: string; client_id?: string; client_secret?: string }): TokenOutcome {
    const { grant_type: grantType, client_id: clientId, client_secret: clientSecret } = form;
    if (grantType && grantType !== "client_credentials") {
      return {
        status: 400,
        body: { error: "unsupported_grant_type", error_description: "Only client_credentials is supported." },
      };
    }
    if (!grantType || !clientId || !clientSecret) {
      return {
        status: 400,
        body: {
          error: "invalid_request",
          error_description: "grant_type, client_id and client_secret are required.",
        },
      };
    }
    const retryAfterSeconds = this.#throttle(clientId);
    if (retryAfterSeconds !== undefined) return { status: 429, retryAfterSeconds };
    const client = this.#clients.get(clientId);
    if (!client || client.clientSecret !== clientSecret)
      return { status: 401, body: { error: "invalid_client" } };
    const { lifetimeSeconds } = this.#config();
    const accessToken = randomToken();
    this.#tokens.set(accessToken, {
      tenantId: client.tenantId,
      clientId,
      expiresAt: this.#clock.now() + lifetimeSeconds * 1000,
    });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: lifetimeSeconds,
        token_type: "Bearer",
        scope: GRANTED_SCOPES,
      },
    };
  }

  /**
   * Checks an `Authorization` header value. The raw token and `Bearer <token>` are both accepted:
   * ServiceTitan's example sends it raw, many clients send Bearer, and which one ServiceTitan
   * treats as canonical is UNCONFIRMED (FACTS.md §1).
   */
  check(authorization: string | undefined): TokenCheck {
    const value = authorization
      ?.trim()
      .replace(/^bearer\s+/i, "")
      .trim();
    if (!value) return { ok: false, reason: "missing" };
    const token = this.#tokens.get(value);
    if (!token) return { ok: false, reason: "unknown" };
    if (token.expiresAt <= this.#clock.now()) {
      this.#tokens.delete(value);
      return { ok: false, reason: "expired" };
    }
    return { ok: true, token };
  }

  /** Drops every token of one tenant (or all), so a consumer's cached token gets a 401. */
  revoke(tenantId?: number): number {
    let revoked = 0;
    for (const [value, token] of this.#tokens) {
      if (tenantId === undefined || token.tenantId === tenantId) {
        this.#tokens.delete(value);
        revoked++;
      }
    }
    return revoked;
  }

  resetThrottle(): void {
    this.#windows.clear();
  }

  /**
   * Sliding window per client id. Throttled attempts do not count against the window, so the
   * Retry-After we send is exactly when the next request will be accepted.
   */
  #throttle(clientId: string): number | undefined {
    const { requests, perSeconds } = this.#config().rateLimit;
    const now = this.#clock.now();
    const windowMs = perSeconds * 1000;
    const recent = (this.#windows.get(clientId) ?? []).filter((at) => at > now - windowMs);
    if (recent.length >= requests) {
      this.#windows.set(clientId, recent);
      const oldest = recent[0] ?? now;
      return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    }
    recent.push(now);
    this.#windows.set(clientId, recent);
    return undefined;
  }
}

// One error type for everything ServiceTitan answers or fails to answer, so the edge can map it
// to a problem+json answer without knowing which call failed. Never carries a token or secret:
// only ServiceTitan's own problem fields, the status and the operation id.

/** ServiceTitan's `ApiErrorResponse` ("following RFC 7807"). */
export interface ServiceTitanProblem {
  type?: string;
  title?: string;
  status?: number;
  traceId?: string;
  errors?: Record<string, string[]>;
  data?: Record<string, unknown>;
}

export type ServiceTitanFailure =
  /** ServiceTitan answered with a non-2xx status. */
  | "http"
  /** No answer within the per-request timeout. The call may or may not have been applied. */
  | "timeout"
  /** The connection failed or dropped. The call may or may not have been applied. */
  | "network"
  /**
   * A 2xx whose body is not JSON, or has none where one is expected. For a write: it was most
   * likely applied, but the answer says nothing reliable about it.
   */
  | "invalid-response"
  /** A paged listing still said `hasMore` after the most pages a caller reads. */
  | "page-limit";

export interface ServiceTitanErrorInit {
  failure: ServiceTitanFailure;
  status?: number;
  operationId?: string;
  method?: string;
  problem?: ServiceTitanProblem;
  retryAfterSeconds?: number;
  /** What went wrong, where `failure` alone does not say it (how many pages were read). */
  detail?: string;
  /** Set when the request's time budget, not ServiceTitan's own timeout, cut the call short. */
  budgetMs?: number;
  cause?: unknown;
}

const FAILURE_TEXT: Record<Exclude<ServiceTitanFailure, "http">, string> = {
  timeout: "timed out",
  network: "network error",
  "invalid-response": "answered with a body that cannot be read",
  "page-limit": "listing did not end",
};

/**
 * A failed ServiceTitan call.
 *
 * @example
 * try { await invoices.get(1) } catch (e) {
 *   if (e instanceof ServiceTitanError && e.notEntitled) { ... }
 * }
 */
export class ServiceTitanError extends Error {
  override readonly name = "ServiceTitanError";
  readonly failure: ServiceTitanFailure;
  /** HTTP status from ServiceTitan; 0 when there was no answer. */
  readonly status: number;
  readonly operationId: string | undefined;
  readonly method: string | undefined;
  readonly problem: ServiceTitanProblem;
  /** From `Retry-After` or the seconds hint in a 429 `title`, when ServiceTitan gave one. */
  readonly retryAfterSeconds: number | undefined;
  readonly detail: string | undefined;
  /** The request budget that ran out, when that is why the call stopped. */
  readonly budgetMs: number | undefined;

  constructor(init: ServiceTitanErrorInit) {
    const what = init.operationId ?? "ServiceTitan call";
    const summary =
      init.failure === "http"
        ? `${init.status ?? 0}${init.problem?.title ? ` ${init.problem.title}` : ""}`
        : FAILURE_TEXT[init.failure];
    super(
      `${what} failed: ${summary}${init.detail ? ` (${init.detail})` : ""}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.failure = init.failure;
    this.status = init.status ?? 0;
    this.operationId = init.operationId;
    this.method = init.method;
    this.problem = init.problem ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.detail = init.detail;
    this.budgetMs = init.budgetMs;
  }

  get traceId(): string | undefined {
    return this.problem.traceId;
  }

  /** ServiceTitan answers 403 when the tenant has not licensed the module (or the app lacks the scope). */
  get notEntitled(): boolean {
    return this.status === 403;
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get rateLimited(): boolean {
    return this.status === 429;
  }

  /**
   * True when a write may have been applied although we saw no success: a timeout, a dropped
   * connection, an answer we cannot read or a 5xx. Callers must reconcile before repeating a
   * non-idempotent write.
   */
  get outcomeUnknown(): boolean {
    return this.failure === "http" ? this.status >= 500 : this.failure !== "page-limit";
  }

  /** No answer arrived, or it broke off: worth another try for a call that is safe to repeat. */
  get transient(): boolean {
    return this.failure === "timeout" || this.failure === "network";
  }
}

export type TokenFailure =
  /** The token endpoint refused the client id or secret. Not retried: it will not fix itself. */
  | "invalid_client"
  /** The token endpoint kept throttling us (429) past the retry budget. */
  | "throttled"
  /** The token endpoint was down, timed out or answered something unusable. */
  | "unavailable";

/**
 * The token endpoint could not give us a token. Carries no credential: only the failure kind,
 * the HTTP status and the OAuth `error` code.
 */
export class ServiceTitanAuthError extends Error {
  override readonly name = "ServiceTitanAuthError";
  readonly failure: TokenFailure;
  readonly status: number;
  readonly oauthError: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    failure: TokenFailure;
    status?: number;
    oauthError?: string;
    retryAfterSeconds?: number;
  }) {
    super(`ServiceTitan token request failed: ${init.failure}${init.status ? ` (${init.status})` : ""}`);
    this.failure = init.failure;
    this.status = init.status ?? 0;
    this.oauthError = init.oauthError;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

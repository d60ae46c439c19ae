// RFC 9457 problem details: the only error shape callers ever see. `type` values are stable URNs
// that automations can branch on; nothing here carries a stack trace, a token or a secret.

export const PROBLEM_TYPE_PREFIX = "urn:st-edge:problem:";

/** Every problem type a worker can answer with. Adding one is an API change: document it. */
export const PROBLEM_TYPES = {
  unauthorized: { status: 401, title: "Missing or invalid API key" },
  "validation-failed": { status: 400, title: "The request is not valid" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "payload-too-large": { status: 413, title: "Request body too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  unprocessable: { status: 422, title: "The request cannot be applied" },
  conflict: { status: 409, title: "Conflict" },
  "upstream-rejected": { status: 422, title: "ServiceTitan rejected the request" },
  "upstream-not-found": { status: 404, title: "Not found in ServiceTitan" },
  "not-entitled": { status: 403, title: "The ServiceTitan tenant is not entitled to this module" },
  "upstream-rate-limited": { status: 429, title: "ServiceTitan rate limit reached; retry later" },
  "upstream-auth-failed": { status: 502, title: "ServiceTitan refused this deployment's credentials" },
  "upstream-unavailable": { status: 503, title: "ServiceTitan is unavailable; retry later" },
  "upstream-timeout": { status: 504, title: "ServiceTitan did not answer in time" },
  "upstream-error": { status: 502, title: "ServiceTitan answered with an error" },
  "upstream-invalid-response": { status: 502, title: "ServiceTitan answered with data we cannot read" },
  misconfigured: { status: 500, title: "This deployment is misconfigured" },
  "internal-error": { status: 500, title: "Internal error" },
  // Exactly-once writes (payments, adjustment invoices): see packages/exactly-once.
  /** The same Idempotency-Key was used before with a different request body. Nothing was written. */
  "idempotency-key-reused": { status: 422, title: "Idempotency-Key already used for a different request" },
  /** Another request with this Idempotency-Key is still being processed. Retry after Retry-After. */
  "idempotency-key-in-use": { status: 409, title: "A request with this Idempotency-Key is in progress" },
  /** The record of an Idempotency-Key could not be reached before writing. Nothing was written. */
  "idempotency-store-unavailable": {
    status: 503,
    title: "The idempotency store is unavailable; retry with the same key",
  },
  /** Another write on the same invoice is in progress (its balance is being decided). Nothing was written. */
  "invoice-busy": { status: 409, title: "Another write on this invoice is in progress" },
  /** The invoice's gate could not be reached or was lost before writing. Nothing was written. */
  "gate-unavailable": { status: 503, title: "The invoice's gate is unavailable; retry" },
  // Payments.
  /** ServiceTitan answered the create call with 404/405: this tenant cannot create payments through the API. */
  "payment-creation-unsupported": { status: 501, title: "ServiceTitan does not accept payment creation" },
  /** The create call's outcome is unknown and could not be settled yet. Retry with the same key. */
  "payment-outcome-unknown": {
    status: 503,
    title: "The payment's outcome is not known yet; retry with the same key",
  },
  "invoice-not-found": { status: 404, title: "Invoice not found in this tenant" },
  "invoice-inactive": { status: 422, title: "Invoice is inactive" },
  overpayment: { status: 422, title: "Amount exceeds the invoice balance" },
  "payment-type-unknown": { status: 422, title: "Unknown payment type" },
  "payment-not-found": { status: 404, title: "Payment not found in this tenant" },
  // Invoice changes (workers/invoice-changes).
  /**
   * ServiceTitan refused to change the invoice's items or amounts because of its state (posted,
   * exported or paid: which states lock is UNCONFIRMED). Nothing changed; correct it with an
   * adjustment invoice instead.
   */
  "invoice-items-locked": { status: 422, title: "The invoice's items and amounts cannot be changed" },
  /** ServiceTitan refused to update the invoice's fields because of its state. Nothing changed. */
  "invoice-locked": { status: 422, title: "The invoice cannot be updated in its current state" },
  "invoice-item-not-found": { status: 404, title: "Invoice item not found on this invoice" },
  /**
   * The change could lower the invoice's total below what its payments (and payments still being
   * recorded) already cover, leaving it overpaid. Nothing changed.
   */
  "invoice-would-be-overpaid": {
    status: 422,
    title: "The change would leave the invoice paid beyond its total",
  },
  /**
   * ServiceTitan's answer to an item change, item deletion or invoice update was lost: it may or may
   * not have been applied. Read the invoice before retrying an item add (a change or deletion by
   * item id is safe to repeat).
   */
  "invoice-change-outcome-unknown": {
    status: 503,
    title: "The invoice change's outcome is not known; read the invoice before retrying",
  },
  /** The adjustment invoice's create outcome is unknown and could not be settled yet. Retry with the same key. */
  "adjustment-outcome-unknown": {
    status: 503,
    title: "The adjustment invoice's outcome is not known yet; retry with the same key",
  },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** One invalid input, by where it came from and its name. */
export interface FieldError {
  in: "path" | "query" | "header" | "body";
  /** Dotted path inside that part, e.g. "splits.0.amount"; "" for the part as a whole. */
  field: string;
  message: string;
}

export interface ProblemInit {
  type: ProblemType | `${string}:${string}`;
  status?: number;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  /** ServiceTitan's `traceId` when ServiceTitan was involved. */
  traceId?: string;
  retryAfterSeconds?: number;
  /** The methods the path has, for a 405: sent as `Allow`. */
  allow?: readonly string[];
  /** Extra members for the body (no secrets). */
  extensions?: Record<string, unknown>;
}

/**
 * Thrown anywhere in a worker; the shared onError turns it into a problem+json answer.
 *
 * @example throw new ProblemError({ type: "not-found", detail: "No invoice 42 in this tenant" });
 */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly init: ProblemInit;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.type);
    this.init = init;
  }
}

const known = (type: string): type is ProblemType => type in PROBLEM_TYPES;

/** Builds the `application/problem+json` response. */
export function problemResponse(init: ProblemInit, requestId?: string): Response {
  const base = known(init.type) ? PROBLEM_TYPES[init.type] : undefined;
  const status = init.status ?? base?.status ?? 500;
  const body = {
    type: init.type.includes(":") ? init.type : `${PROBLEM_TYPE_PREFIX}${init.type}`,
    title: init.title ?? base?.title ?? "Error",
    status,
    ...(init.detail === undefined ? {} : { detail: init.detail }),
    ...(init.errors === undefined ? {} : { errors: init.errors }),
    ...(init.traceId === undefined ? {} : { traceId: init.traceId }),
    ...(requestId === undefined ? {} : { requestId }),
    ...init.extensions,
  };
  const headers = new Headers({ "Content-Type": "application/problem+json" });
  if (init.retryAfterSeconds !== undefined)
    headers.set("Retry-After", String(Math.max(1, Math.ceil(init.retryAfterSeconds))));
  if (status === 401) headers.set("WWW-Authenticate", 'Bearer realm="st-edge"');
  if (init.allow !== undefined) headers.set("Allow", init.allow.join(", "));
  return new Response(JSON.stringify(body), { status, headers });
}

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

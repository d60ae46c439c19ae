// ServiceTitan's error envelope (`ApiErrorResponse`, "following RFC 7807"). Every error the
// simulator answers on the accounting API uses it, with a fresh traceId, because clients key on
// it: one reads `title`, another detects errors by the presence of `traceId` (FACTS.md §4).
import type { components } from "@st-edge/servicetitan";

export type ApiErrorResponse = components["schemas"]["ApiErrorResponse"];
export type FieldErrors = Record<string, string[]>;

/** The RFC section ASP.NET puts in `type` for each status. */
const TYPES: Record<number, string> = {
  400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
  401: "https://tools.ietf.org/html/rfc7235#section-3.1",
  403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
  404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
  405: "https://tools.ietf.org/html/rfc7231#section-6.5.5",
  409: "https://tools.ietf.org/html/rfc7231#section-6.5.8",
  429: "https://tools.ietf.org/html/rfc6585#section-4",
  500: "https://tools.ietf.org/html/rfc7231#section-6.6.1",
  501: "https://tools.ietf.org/html/rfc7231#section-6.6.2",
  502: "https://tools.ietf.org/html/rfc7231#section-6.6.3",
  503: "https://tools.ietf.org/html/rfc7231#section-6.6.4",
  504: "https://tools.ietf.org/html/rfc7231#section-6.6.5",
};

const hex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** A W3C trace id as ASP.NET reports it ("00-<32 hex>-<16 hex>-00"); random, so never repeated. */
export const newTraceId = (): string => `00-${hex(16)}-${hex(8)}-00`;

/** Optional parts of an error answer. */
export interface ProblemInit {
  errors?: FieldErrors;
  data?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The envelope itself, with a fresh traceId. */
export function problemBody(status: number, title: string, init: ProblemInit = {}): ApiErrorResponse {
  return {
    type: TYPES[status] ?? "about:blank",
    title,
    status,
    traceId: newTraceId(),
    errors: init.errors ?? {},
    data: init.data ?? {},
  };
}

/** The error answer itself. `application/json` as the spec declares (problem+json live is UNCONFIRMED). */
export function problemResponse(status: number, title: string, init: ProblemInit = {}): Response {
  return Response.json(problemBody(status, title, init), { status, headers: init.headers });
}

/**
 * Thrown anywhere below a route to end the request with the envelope; the app's error handler
 * turns it into the response, so validation and lookups stay plain functions.
 */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  readonly status: number;
  readonly init: ProblemInit;

  constructor(status: number, title: string, init: ProblemInit = {}) {
    super(title);
    this.status = status;
    this.init = init;
  }

  toResponse(): Response {
    return problemResponse(this.status, this.message, this.init);
  }
}

/** 400 with field errors, ServiceTitan's answer to anything that breaks the schema. */
export const validationProblem = (errors: FieldErrors): HttpProblem =>
  new HttpProblem(400, "One or more validation errors occurred.", { errors });

/** 404 for a record that is not this tenant's: `notFound("AP bill 7")`. */
export const notFound = (what: string): HttpProblem => new HttpProblem(404, `${what} was not found.`);

/**
 * Errors that must leave the app as a rejected fetch (simulated dropped connections, aborted
 * hangs) instead of becoming a 500. The error handler rethrows anything registered here.
 */
const passthrough = new WeakSet<object>();

/** Marks `error` to leave the app as a rejection: `throw rejectFetch(new TypeError(...))`. */
export function rejectFetch(error: Error): Error {
  passthrough.add(error);
  return error;
}

/** True for errors marked by rejectFetch. */
export const mustRejectFetch = (error: unknown): boolean =>
  typeof error === "object" && error !== null && passthrough.has(error);

// The one error mapper every worker installs as `app.onError`: our problems, ServiceTitan's
// errors and token failures become problem+json with a stable type; anything else is a 500 with
// no detail (logged by name only).
import { MoneyFormatError, ServiceTitanAuthError, ServiceTitanError } from "@st-edge/servicetitan";
import { EncryptionKeyError } from "@st-edge/token-cache";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "./config.ts";
import { ProblemError, type ProblemInit } from "./problem.ts";

function fromServiceTitan(error: ServiceTitanError): ProblemInit {
  const traceId = error.traceId;
  const operation = error.operationId ? ` (${error.operationId})` : "";
  switch (error.failure) {
    case "timeout": {
      const within =
        error.budgetMs === undefined ? "" : ` within this request's ${error.budgetMs / 1000} s budget`;
      return {
        type: "upstream-timeout",
        detail: `No answer from ServiceTitan${operation}${within}`,
        retryAfterSeconds: 2,
      };
    }
    case "network":
      return {
        type: "upstream-unavailable",
        detail: `Could not reach ServiceTitan${operation}`,
        retryAfterSeconds: 5,
      };
    case "invalid-response":
      return {
        type: "upstream-invalid-response",
        detail: `ServiceTitan answered${operation} with a body that cannot be read${error.detail ? ` (${error.detail})` : ""}`,
      };
    case "page-limit":
      return {
        type: "upstream-invalid-response",
        detail: `ServiceTitan's listing${operation} did not end${error.detail ? ` (${error.detail})` : ""}`,
      };
    case "http":
      break;
  }
  switch (error.status) {
    case 400:
    case 409:
    case 422:
      return {
        type: "upstream-rejected",
        detail: error.problem.title ?? `ServiceTitan rejected the request${operation}`,
        traceId,
        extensions: error.problem.errors ? { upstreamErrors: error.problem.errors } : undefined,
      };
    case 401:
      return { type: "upstream-auth-failed", detail: "ServiceTitan refused the access token twice", traceId };
    case 403:
      return {
        type: "not-entitled",
        detail: `ServiceTitan answered 403${operation}: the tenant has not licensed this module, or the app lacks the scope`,
        traceId,
      };
    case 404:
      return { type: "upstream-not-found", detail: `ServiceTitan answered 404${operation}`, traceId };
    case 429:
      return { type: "upstream-rate-limited", traceId, retryAfterSeconds: error.retryAfterSeconds ?? 1 };
    case 503:
      return { type: "upstream-unavailable", traceId, retryAfterSeconds: error.retryAfterSeconds ?? 5 };
    case 504:
      return { type: "upstream-timeout", traceId };
    default:
      return { type: "upstream-error", detail: `ServiceTitan answered ${error.status}${operation}`, traceId };
  }
}

function fromTokenEndpoint(error: ServiceTitanAuthError): ProblemInit {
  switch (error.failure) {
    case "invalid_client":
      return {
        type: "upstream-auth-failed",
        detail: `ServiceTitan's token endpoint refused this deployment's client credentials${error.oauthError ? ` (${error.oauthError})` : ""}`,
      };
    case "throttled":
      return {
        type: "upstream-rate-limited",
        detail: "ServiceTitan is throttling token requests",
        retryAfterSeconds: error.retryAfterSeconds ?? 5,
      };
    default:
      return {
        type: "upstream-unavailable",
        detail: "ServiceTitan's token endpoint is unavailable",
        retryAfterSeconds: 5,
      };
  }
}

const HTTP_EXCEPTION_TYPES: Record<number, ProblemInit["type"]> = {
  400: "validation-failed",
  401: "unauthorized",
  404: "not-found",
  405: "method-not-allowed",
  413: "payload-too-large",
  415: "unsupported-media-type",
};

/** Maps anything thrown to a problem. `internal` is true when it is our bug, not the caller's or upstream's. */
export function toProblem(error: unknown): { problem: ProblemInit; internal: boolean } {
  if (error instanceof ProblemError) return { problem: error.init, internal: false };
  if (error instanceof ServiceTitanError) return { problem: fromServiceTitan(error), internal: false };
  if (error instanceof ServiceTitanAuthError) return { problem: fromTokenEndpoint(error), internal: false };
  if (error instanceof MoneyFormatError) {
    return {
      problem: { type: "upstream-invalid-response", detail: "ServiceTitan sent an amount we cannot read" },
      internal: false,
    };
  }
  if (error instanceof ConfigError || error instanceof EncryptionKeyError) {
    return { problem: { type: "misconfigured", detail: error.message }, internal: true };
  }
  if (error instanceof HTTPException) {
    const type = HTTP_EXCEPTION_TYPES[error.status];
    if (type) return { problem: { type, status: error.status }, internal: false };
  }
  return { problem: { type: "internal-error" }, internal: true };
}

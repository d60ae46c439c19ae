// openapi-fetch middleware: fills the tenant into every path, and turns every non-2xx answer into
// a ServiceTitanError that names the ServiceTitan operation, so callers branch on one error type.
import type { Middleware } from "openapi-fetch";
import { operationIdOf } from "./answers.ts";
import { ServiceTitanError, type ServiceTitanProblem } from "./errors.ts";
import { retryAfterSeconds } from "./retry-after.ts";

async function readProblem(response: Response): Promise<ServiceTitanProblem> {
  try {
    const body: unknown = await response.clone().json();
    if (typeof body !== "object" || body === null) return {};
    const problem: ServiceTitanProblem = {};
    if ("type" in body && typeof body.type === "string") problem.type = body.type;
    if ("title" in body && typeof body.title === "string") problem.title = body.title;
    if ("status" in body && typeof body.status === "number") problem.status = body.status;
    if ("traceId" in body && typeof body.traceId === "string") problem.traceId = body.traceId;
    // ServiceTitan's own detail of a refusal (e.g. why an invoice is locked); read, never passed on whole.
    if ("data" in body && typeof body.data === "object" && body.data !== null && !Array.isArray(body.data))
      problem.data = Object.fromEntries(Object.entries(body.data));
    if ("errors" in body && typeof body.errors === "object" && body.errors !== null) {
      problem.errors = Object.fromEntries(
        Object.entries(body.errors).map(([field, messages]) => [
          field,
          Array.isArray(messages) ? messages.filter((m): m is string => typeof m === "string") : [],
        ]),
      );
    }
    return problem;
  } catch {
    return {};
  }
}

export function errorMiddleware(now: () => number): Middleware {
  return {
    async onResponse({ request, response, schemaPath }) {
      if (response.ok) return undefined;
      throw new ServiceTitanError({
        failure: "http",
        status: response.status,
        method: request.method,
        operationId: operationIdOf(request.method, schemaPath),
        problem: await readProblem(response),
        retryAfterSeconds: await retryAfterSeconds(response, now()),
      });
    },
    onError({ error, request, schemaPath }) {
      if (error instanceof ServiceTitanError && error.operationId === undefined) {
        return new ServiceTitanError({
          failure: error.failure,
          method: request.method,
          operationId: operationIdOf(request.method, schemaPath),
          budgetMs: error.budgetMs,
          cause: error.cause,
        });
      }
      return undefined;
    },
  };
}

/**
 * Fills `{tenant}` in every ServiceTitan path. Callers never pass it (see paths.ts); openapi-fetch
 * leaves an unfilled path parameter as `{tenant}` (URL-encoded), which this replaces.
 */
export function tenantMiddleware(tenant: number): Middleware {
  const unfilled = /\/tenant\/(?:%7B|\{)tenant(?:%7D|\})(?=\/|$)/i;
  return {
    onRequest({ request }) {
      const url = new URL(request.url);
      if (!unfilled.test(url.pathname)) return undefined;
      url.pathname = url.pathname.replace(unfilled, `/tenant/${tenant}`);
      return new Request(url, request);
    },
  };
}

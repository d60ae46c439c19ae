// Per-attempt timeout over the whole answer, headers and body, cut to what is left of the
// request's deadline. A call that times out, or whose body breaks off (headers arrived, the rest
// never did), surfaces as ServiceTitanError { failure: "timeout" } (with `budgetMs` when the
// deadline cut it) or { failure: "network" }, so it is retried like any lost answer and never
// becomes an error while openapi-fetch reads the body. An abort the caller asked for stays the
// caller's abort.
import type { Deadline } from "../deadline.ts";
import { ServiceTitanError } from "../errors.ts";
import type { Fetch } from "./fetch.ts";

/** Statuses whose Response cannot be built with a body, even an empty one. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * @example const send = withTimeout(fetch, 30_000, deadlineIn(25_000));
 */
export function withTimeout(next: Fetch, timeoutMs: number, deadline?: Deadline): Fetch {
  return async (request) => {
    const left = deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
    const cutByDeadline = left < timeoutMs;
    const budgetMs = cutByDeadline ? deadline?.budgetMs : undefined;
    if (left <= 0) throw new ServiceTitanError({ failure: "timeout", method: request.method, budgetMs });
    const timeout = AbortSignal.timeout(Math.min(timeoutMs, left));
    const signal = AbortSignal.any([request.signal, timeout]);
    try {
      const response = await next(new Request(request, { signal }));
      // Read here, inside the timeout: a cut-off body is this attempt's failure, not a parse error.
      const body = await response.arrayBuffer();
      return new Response(NULL_BODY.has(response.status) ? null : body, response);
    } catch (error) {
      if (timeout.aborted && !request.signal.aborted) {
        throw new ServiceTitanError({ failure: "timeout", method: request.method, cause: error, budgetMs });
      }
      if (request.signal.aborted) throw error;
      throw new ServiceTitanError({ failure: "network", method: request.method, cause: error });
    }
  };
}

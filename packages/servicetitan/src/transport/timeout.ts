// Per-attempt timeout, cut to what is left of the request's deadline. A timed-out call surfaces as
// ServiceTitanError { failure: "timeout" } (with `budgetMs` when the deadline cut it); an abort the
// caller asked for stays the caller's abort.
import type { Deadline } from "../deadline.ts";
import { ServiceTitanError } from "../errors.ts";
import type { Fetch } from "./fetch.ts";

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
      return await next(new Request(request, { signal }));
    } catch (error) {
      if (timeout.aborted && !request.signal.aborted) {
        throw new ServiceTitanError({ failure: "timeout", method: request.method, cause: error, budgetMs });
      }
      if (request.signal.aborted) throw error;
      throw new ServiceTitanError({ failure: "network", method: request.method, cause: error });
    }
  };
}

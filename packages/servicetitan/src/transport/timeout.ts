// Per-attempt timeout. A timed-out call surfaces as ServiceTitanError { failure: "timeout" };
// an abort the caller asked for stays the caller's abort.
import { ServiceTitanError } from "../errors.ts";
import type { Fetch } from "./fetch.ts";

/**
 * @example const send = withTimeout(fetch, 30_000);
 */
export function withTimeout(next: Fetch, timeoutMs: number): Fetch {
  return async (request) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    try {
      return await next(new Request(request, { signal }));
    } catch (error) {
      if (timeout.aborted && !request.signal.aborted) {
        throw new ServiceTitanError({ failure: "timeout", method: request.method, cause: error });
      }
      if (request.signal.aborted) throw error;
      throw new ServiceTitanError({ failure: "network", method: request.method, cause: error });
    }
  };
}

// Test helpers: a recorder at the fetch boundary in front of the simulator (it records what our
// client sends; the simulator answers as ServiceTitan would) and per-request faults. The fake
// clock is the package's own manualClock (src/clock.ts).
import type { Fetch } from "../src/transport/fetch.ts";

export interface Recorded {
  method: string;
  url: string;
  headers: Headers;
}

/** Wraps a fetch, keeping a copy of each request's method, URL and headers. */
export function recording(next: Fetch): { fetch: Fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  return {
    requests,
    fetch: (request) => {
      requests.push({ method: request.method, url: request.url, headers: new Headers(request.headers) });
      return next(request);
    },
  };
}

/** Adds an `X-Sim-Fault` header to the requests `when` picks (the simulator's per-request faults). */
export function withFault(
  next: Fetch,
  fault: string,
  when: (request: Request, index: number) => boolean,
): Fetch {
  let index = 0;
  return (request) => {
    if (when(request, index++)) {
      const faulty = new Request(request);
      faulty.headers.set("X-Sim-Fault", fault);
      return next(faulty);
    }
    return next(request);
  };
}

// Test helpers: a fake clock, and a recorder at the fetch boundary in front of the simulator
// (it records what our client sends; the simulator answers as ServiceTitan would).
import type { Clock } from "../src/clock.ts";
import type { Fetch } from "../src/transport/fetch.ts";

export interface FakeClock extends Clock {
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

/** A clock that starts at `start` and moves only when told to or when slept on. */
export function fakeClock(start = Date.parse("2026-11-25T12:00:00Z")): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
    advance(ms) {
      now += ms;
    },
  };
}

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

// Time as a dependency, so retries, backoff and token expiry can be tested without waiting.

/** What the client needs from time. Inject a fake one in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that moves only when a test moves it. */
export interface ManualClock extends Clock {
  /** Every sleep asked for, in ms, in order: what a test asserts backoff with. */
  readonly sleeps: number[];
  /** Moves time on by `ms` without a sleep (a token ageing, a caller coming back later). */
  advance(ms: number): void;
}

/**
 * A clock for tests. It starts at `start` (a fixed instant by default, so runs repeat) and
 * moves only on `advance(ms)` or when slept on: a sleep resolves at once, moving time on by its
 * `ms` and recording it in `sleeps`, so retries and backoff run without waiting.
 *
 * @example
 * const clock = manualClock();
 * const st = createServiceTitanClient({ ...options, clock });
 * await st.GET("/tenant/{tenant}/invoices", {}); // upstream: 429 (Retry-After: 2) twice, then 200
 * expect(clock.sleeps).toEqual([2000, 2000]); // waited as told, in no time
 * clock.advance(15 * 60_000); // now the cached token is past its lifetime
 */
export function manualClock(start = Date.parse("2026-11-25T12:00:00Z")): ManualClock {
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

// A request's time budget, shared by every ServiceTitan call it makes. Each attempt's timeout,
// each retry's wait and each wait for a token are cut to what is left, so a route answers within
// its budget however slowly ServiceTitan (or its token endpoint) answers.
import { type Clock, systemClock } from "./clock.ts";

export interface Deadline {
  /** Epoch milliseconds by which ServiceTitan work must be over. */
  readonly at: number;
  /** The whole budget, for messages ("within this request's 25 s budget"). */
  readonly budgetMs: number;
  /** Aborts when the deadline passes. */
  readonly signal: AbortSignal;
  /** Milliseconds left; 0 once passed. */
  remainingMs(): number;
  /** Milliseconds since the budget started. */
  elapsedMs(): number;
}

/**
 * A deadline `budgetMs` from now, less `reserveMs` kept back for answering once the work stops.
 *
 * @example
 * const deadline = deadlineIn(25_000, systemClock, 750); // work ends by 24.25 s, answer by 25 s
 * const st = createServiceTitanClient({ ...options, deadline });
 */
export function deadlineIn(budgetMs: number, clock: Clock = systemClock, reserveMs = 0): Deadline {
  const started = clock.now();
  const at = started + budgetMs - reserveMs;
  return {
    at,
    budgetMs,
    signal: AbortSignal.timeout(Math.max(0, budgetMs - reserveMs)),
    remainingMs: () => Math.max(0, at - clock.now()),
    elapsedMs: () => clock.now() - started,
  };
}

/**
 * Waits for `promise`, but no longer than until one of `signals` aborts (then rejects with its
 * reason). The promise itself goes on: it may be shared, like a token refresh other requests await.
 */
export function unlessAborted<T>(
  promise: Promise<T>,
  signals: readonly (AbortSignal | undefined)[],
): Promise<T> {
  const live = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const aborted = live.find((signal) => signal.aborted);
  if (aborted) return Promise.reject(aborted.reason);
  if (live.length === 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const listeners = live.map((signal) => {
      const listener = () => settle(() => reject(signal.reason));
      signal.addEventListener("abort", listener, { once: true });
      return () => signal.removeEventListener("abort", listener);
    });
    const settle = (finish: () => void) => {
      for (const remove of listeners) remove();
      finish();
    };
    promise.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

// Retries for idempotent calls only. GET (and HEAD) retry on 429, 502, 503, 504 and network
// errors or timeouts, with exponential backoff and full jitter, bounded in attempts and in total
// time, honouring Retry-After or ServiceTitan's seconds hint. POST and PATCH are never retried
// here: a lost answer to a write must be reconciled, not repeated (see payment posting).
import { type Clock, systemClock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { ServiceTitanError } from "../errors.ts";
import { retryAfterSeconds } from "../retry-after.ts";
import type { Fetch } from "./fetch.ts";

export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** No retry starts after this much time since the first attempt (default 20 s). */
  maxElapsedMs?: number;
  /** First backoff step (default 250 ms); doubles per attempt. */
  baseDelayMs?: number;
  /** Largest single backoff (default 4 s). */
  maxDelayMs?: number;
  clock?: Clock;
  /** [0, 1), for jitter. */
  random?: () => number;
  /** The request's deadline: no retry waits past it. */
  deadline?: Deadline;
  /** Told before each wait; for logs and tests. */
  onRetry?: (info: { attempt: number; delayMs: number; status: number | "error" }) => void;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);

export function withRetry(next: Fetch, options: RetryOptions = {}): Fetch {
  const {
    maxAttempts = 4,
    maxElapsedMs = 20_000,
    baseDelayMs = 250,
    maxDelayMs = 4_000,
    clock = systemClock,
    random = Math.random,
    deadline,
    onRetry,
  } = options;
  const backoff = (attempt: number) => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));

  return async (request) => {
    if (!IDEMPOTENT.has(request.method)) return next(request);
    const started = clock.now();
    // A retry must leave its attempt time to answer: stop waiting once the deadline is that close.
    const budgetMs = Math.min(maxElapsedMs, deadline ? deadline.remainingMs() : maxElapsedMs);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      let response: Response;
      try {
        // Only GET, HEAD and OPTIONS come here: without a body, the layers below never read the
        // request (they sign it anew and send a copy), so each attempt can be given the same one.
        response = await next(last || request.body === null ? request : request.clone());
      } catch (error) {
        const transient = error instanceof ServiceTitanError && error.transient;
        const delayMs = backoff(attempt);
        if (!transient || last || clock.now() - started + delayMs > budgetMs) throw error;
        onRetry?.({ attempt, delayMs, status: "error" });
        await clock.sleep(delayMs);
        continue;
      }
      if (last || !RETRYABLE_STATUS.has(response.status)) return response;
      const hinted = await retryAfterSeconds(response, clock.now());
      const delayMs = hinted === undefined ? backoff(attempt) : hinted * 1000;
      // Asked to wait longer than our budget: hand the 429 (and its Retry-After) to the caller.
      if (clock.now() - started + delayMs > budgetMs) return response;
      await response.body?.cancel();
      onRetry?.({ attempt, delayMs, status: response.status });
      await clock.sleep(delayMs);
    }
  };
}

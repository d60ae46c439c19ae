// One end-to-end time budget per request (REQUEST_BUDGET_MS, default 25 s: Zapier gives a call
// 30 s). The deadline it sets bounds every ServiceTitan call the request makes (see
// servicetitan.ts); handlers that wait on other things (Durable Objects, reconciliation) read
// `c.var.deadline` too. A backstop answers a 504 problem should a handler still be working when
// the budget is nearly spent; its work goes on in the background.
import { type Deadline, deadlineIn } from "@st-edge/servicetitan";
import type { MiddlewareHandler } from "hono";
import { ConfigError } from "./config.ts";
import { problemResponse } from "./problem.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** When this request's work must be over (ServiceTitan calls are cut to it). */
    deadline: Deadline;
  }
}

export const DEFAULT_REQUEST_BUDGET_MS = 25_000;
/** Work stops this long before the budget ends, leaving time to settle state and answer. */
export const ANSWER_RESERVE_MS = 750;
/** The backstop answers this long before the budget ends. */
const BACKSTOP_RESERVE_MS = 250;

/** REQUEST_BUDGET_MS, checked: at least 1 s, at most 10 minutes. */
export function readBudgetMs(env: { REQUEST_BUDGET_MS?: string } | undefined): number {
  const raw = env?.REQUEST_BUDGET_MS;
  if (raw === undefined || raw === "") return DEFAULT_REQUEST_BUDGET_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1_000 || value > 600_000) {
    throw new ConfigError("REQUEST_BUDGET_MS must be an integer between 1000 and 600000");
  }
  return value;
}

/**
 * Sets `c.var.deadline` and answers 504 if the rest of the chain has not answered in time.
 *
 * @example app.use(requestBudget());
 */
export function requestBudget(): MiddlewareHandler<{ Bindings: { REQUEST_BUDGET_MS?: string } }> {
  return async function requestBudget(c, next) {
    const budgetMs = readBudgetMs(c.env);
    c.set("deadline", deadlineIn(budgetMs, undefined, ANSWER_RESERVE_MS));
    const work = next();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), budgetMs - BACKSTOP_RESERVE_MS);
    });
    const outcome = await Promise.race([work.then(() => "done" as const), late]);
    if (timer !== null) clearTimeout(timer);
    if (outcome === "done") return;
    try {
      c.executionCtx.waitUntil(work.catch(() => undefined));
    } catch {
      // No execution context (app.request in unit tests): the work simply goes on.
    }
    c.res = problemResponse(
      {
        type: "upstream-timeout",
        detail: `The request did not finish within its ${budgetMs / 1000} s budget. Retry later; a write retried with the same Idempotency-Key is never applied twice.`,
        retryAfterSeconds: 2,
      },
      c.get("requestId"),
    );
  };
}

// Runs the faults chosen for one request around its handler: waits out latency on the injected
// clock, answers a status instead of the handler, hangs until the caller aborts, or lets the
// handler commit and then fails, drops or mangles the answer (a body that is not JSON, none at
// all, or one cut off midway), so consumers can be tested against every way a write's outcome
// can be lost and every answer they cannot read.
import type { Clock } from "@st-edge/servicetitan";
import type { Context, Next } from "hono";
import { problemResponse, rejectFetch } from "./errors.ts";
import { type Fault, faultKind } from "./faults.ts";
import type { StatsRecorder } from "./stats.ts";

const STATUS_TITLES: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const asError = (reason: unknown): Error =>
  reason instanceof Error
    ? reason
    : new DOMException(String(reason ?? "The operation was aborted."), "AbortError");

/** Resolves never; rejects with the signal's reason once it aborts. `dispose` drops the listener. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(asError(signal.reason));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

async function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw rejectFetch(asError(signal.reason));
  const aborted = whenAborted(signal);
  try {
    await Promise.race([clock.sleep(ms), aborted.promise]);
  } catch (reason) {
    throw rejectFetch(asError(reason));
  } finally {
    aborted.dispose();
  }
}

/** The envelope for a `status=` fault; a 429 says how long to wait the way ServiceTitan is seen to. */
export function statusFaultResponse(fault: Extract<Fault, { kind: "status" }>): Response {
  const seconds = fault.retryAfterSeconds;
  const title =
    fault.status === 429
      ? `Rate limit is exceeded. Try again in ${seconds ?? 1} seconds.`
      : (STATUS_TITLES[fault.status] ?? `Simulated ${fault.status}`);
  return problemResponse(fault.status, title, {
    data: { simulatedFault: faultKind(fault) },
    headers: fault.retryAfterHeader && seconds !== null ? { "Retry-After": String(seconds) } : {},
  });
}

/** The first half of a response's body: never whole JSON when the body is a JSON object. */
async function firstHalf(response: Response): Promise<Uint8Array> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return bytes.slice(0, Math.floor(bytes.byteLength / 2));
}

/** Replaces the handler's answer with its status and headers around `body` (no Content-Length). */
function replaceBody(c: Context, body: BodyInit | null): void {
  const { status, statusText, headers } = c.res;
  const kept = new Headers(headers);
  kept.delete("Content-Length");
  // Cleared first: Hono's setter would otherwise copy the old headers, Content-Length too, back in.
  c.res = undefined;
  c.res = new Response(body, { status, statusText, headers: kept });
}

/** A body that sends `head`, then stays open until `signal` aborts, then errors with its reason. */
function cutOff(head: Uint8Array, signal: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      const abort = () => controller.error(asError(signal.reason));
      if (signal.aborted) abort();
      else signal.addEventListener("abort", abort, { once: true });
    },
  });
}

export interface FaultContext {
  clock: Clock;
  stats: StatsRecorder;
  /** True on /connect/token, the only place `token-outage` applies. */
  tokenEndpoint: boolean;
}

/**
 * Applies `faults` to a request inside a middleware. Returns the response to answer instead of
 * the handler, or undefined once the handler has run (its response possibly replaced).
 */
export async function injectFaults(
  c: Context,
  faults: Fault[],
  next: Next,
  { clock, stats, tokenEndpoint }: FaultContext,
): Promise<Response | undefined> {
  const signal = c.req.raw.signal;
  for (const fault of faults) {
    if (fault.kind !== "latency") continue;
    stats.fault(faultKind(fault));
    await sleep(clock, fault.ms, signal);
  }
  const fault = faults.find(
    (candidate) => candidate.kind !== "latency" && (tokenEndpoint || candidate.kind !== "token-outage"),
  );
  if (!fault) {
    await next();
    return undefined;
  }
  stats.fault(faultKind(fault));
  switch (fault.kind) {
    case "status":
      return statusFaultResponse(fault);
    case "not-licensed":
      return problemResponse(403, "The tenant is not licensed for this module.", {
        data: { simulatedFault: "not-licensed" },
      });
    case "token-outage":
      return problemResponse(503, "Service Unavailable", { data: { simulatedFault: "token-outage" } });
    case "hang": {
      const aborted = whenAborted(signal);
      try {
        return await aborted.promise;
      } catch (reason) {
        throw rejectFetch(asError(reason));
      } finally {
        aborted.dispose();
      }
    }
    case "commit-then-fail":
      await next();
      // Only a write that went through is "committed"; a rejected one keeps its 4xx.
      if (c.res.status < 400) {
        c.res = problemResponse(fault.status, STATUS_TITLES[fault.status] ?? `Simulated ${fault.status}`, {
          data: { simulatedFault: "commit-then-fail" },
        });
      }
      return undefined;
    case "commit-then-drop":
      await next();
      if (c.res.status < 400)
        throw rejectFetch(new TypeError("Connection dropped by the simulator (commit-then-drop)."));
      return undefined;
    case "invalid-json":
    case "empty-body":
    case "truncate-body":
      await next();
      // Only a success is mangled; a refused request keeps its answer.
      if (!c.res.ok) return undefined;
      if (fault.kind === "empty-body") {
        await c.res.body?.cancel();
        replaceBody(c, null);
      } else {
        const head = await firstHalf(c.res);
        replaceBody(c, fault.kind === "invalid-json" ? head : cutOff(head, signal));
      }
      return undefined;
    case "latency":
      await next();
      return undefined;
  }
}

// Where a request's time goes, and what it costs, told in a `Server-Timing` answer header — only
// when asked: the deployment's SERVER_TIMING setting is "on" and the (authenticated) caller sends
// `X-Server-Timing: on`. Then every named step a handler wraps is one span (its total time, and
// how many times it ran), and every call that costs money is counted: ServiceTitan calls, Durable
// Object requests, KV reads and writes, queue messages. Off (the default and every deployed
// request), `c.var.timing` is a no-op and the answer carries nothing. Benchmarks read the header
// (bench/payments.mjs).
//
// Time in workerd advances only while a request waits on I/O, so spans measure I/O and waiting;
// a span of pure computation reads 0. The worker's own CPU is measured in process instead
// (bench/cpu-overhead.mjs).
import type { MiddlewareHandler } from "hono";

/** What costs money per call: the counters Server-Timing reports as `n-<kind>`. */
export type CostKind = "upstream" | "do" | "kv-read" | "kv-write" | "queue";

export interface RequestTiming {
  /** Runs `work` as one span of `name` (spans of one name add up; they may overlap others). */
  span<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Counts `n` billable calls of `kind`. */
  count(kind: CostKind, n?: number): void;
  /** Is a member of `set` until the request ends (where shared code finds the requests to count to). */
  whileOpen(set: Set<RequestTiming>): void;
}

declare module "hono" {
  interface ContextVariableMap {
    /** This request's spans and counters (a no-op unless Server-Timing was asked for). */
    timing: RequestTiming;
  }
}

/** The timing of a request nobody asked about: nothing measured, nothing kept. */
export const NO_TIMING: RequestTiming = {
  span: (_name, work) => work(),
  count() {},
  whileOpen() {},
};

/** Server-Timing metric names are tokens; ours are kebab-case words. */
const metric = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, "-");

/** A recording timing and the header value it adds up to. */
export function recordTiming(): RequestTiming & { header(totalMs: number): string } {
  const spans = new Map<string, { ms: number; n: number }>();
  const counts = new Map<CostKind, number>();
  const memberships = new Set<Set<RequestTiming>>();
  const timing: RequestTiming & { header(totalMs: number): string } = {
    async span(name, work) {
      const started = performance.now();
      try {
        return await work();
      } finally {
        const entry = spans.get(name) ?? { ms: 0, n: 0 };
        entry.ms += performance.now() - started;
        entry.n += 1;
        spans.set(name, entry);
      }
    },
    count(kind, n = 1) {
      counts.set(kind, (counts.get(kind) ?? 0) + n);
    },
    whileOpen(set) {
      set.add(timing);
      memberships.add(set);
    },
    header(totalMs) {
      for (const set of memberships) set.delete(timing);
      return [
        `total;dur=${totalMs.toFixed(1)}`,
        ...[...spans].map(([name, { ms, n }]) => `${metric(name)};dur=${ms.toFixed(1)};desc="${n}"`),
        ...[...counts].map(([kind, n]) => `n-${kind};desc="${n}"`),
      ].join(", ");
    },
  };
  return timing;
}

/**
 * `target` with each method call reported to `onCall` first (a binding's billable calls);
 * `wrap` may replace what a call returns (a namespace's `get` → a counted stub).
 *
 * @example const kv = countCalls(env.TOKENS, (method) => count(method === "put" ? "kv-write" : "kv-read"));
 */
export function countCalls<T extends object>(
  target: T,
  onCall: (method: string) => void,
  wrap?: (method: string, result: unknown) => unknown,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        onCall(property);
        // Reflect.apply: an RPC stub's method is itself a stub, whose own `.apply` would be a remote call.
        const result = Reflect.apply(value, object, args);
        return wrap ? wrap(property, result) : result;
      };
    },
  });
}

/**
 * Counts every method call on an RPC stub (a Durable Object's) as one request, and times it as a
 * span named `<label>.<method>`.
 *
 * @example const store = countedStub(env.IDEMPOTENCY.get(id), c.var.timing, "key");
 */
export function countedStub<T extends object>(stub: T, timing: RequestTiming, label: string): T {
  if (timing === NO_TIMING) return stub;
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        timing.count("do");
        return timing.span(`${label}-${property}`, () => Promise.resolve(Reflect.apply(value, target, args)));
      };
    },
  });
}

/**
 * A Durable Object namespace whose stubs are counted and timed (`countedStub`), e.g. spans
 * `gate-acquire`, `gate-finish` for `label` "gate". Unchanged when nothing is timed.
 *
 * @example const gates = countedNamespace(env.INVOICE_GATES, c.var.timing, "gate");
 */
export function countedNamespace<T extends DurableObjectNamespace>(
  namespace: T,
  timing: RequestTiming,
  label: string,
): T {
  if (timing === NO_TIMING) return namespace;
  return countCalls(
    namespace,
    () => {},
    (method, stub) =>
      method === "get" && typeof stub === "object" && stub !== null ? countedStub(stub, timing, label) : stub,
  );
}

/**
 * Sets `c.var.timing` and, when the deployment allows it and the caller asks, adds the
 * `Server-Timing` header to the answer. Runs after caller authentication.
 *
 * @example app.use(serverTiming());
 */
export function serverTiming(): MiddlewareHandler<{ Bindings: { SERVER_TIMING?: string } }> {
  return async function serverTiming(c, next) {
    if (c.env?.SERVER_TIMING !== "on" || c.req.header("X-Server-Timing") !== "on") {
      c.set("timing", NO_TIMING);
      return next();
    }
    const timing = recordTiming();
    const started = performance.now();
    c.set("timing", timing);
    await next();
    const value = timing.header(performance.now() - started);
    try {
      c.res.headers.set("Server-Timing", value);
    } catch {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("Server-Timing", value);
    }
  };
}

// Faults on demand: the `X-Sim-Fault` header syntax, per-tenant rules (match by operationId and
// method, limited by `times`, drawn with a seeded `probability`), and the bookkeeping of which
// rule fires. Executing a fault around a handler lives in fault-injection.ts.
import { createRandom, mixSeed, type Random } from "./random.ts";

/** The request header that asks for faults, e.g. `X-Sim-Fault: status=429;retry-after=2`. */
export const FAULT_HEADER = "X-Sim-Fault";

/** The token endpoint's operation id in the simulator's oauth-token.json. */
export const TOKEN_OPERATION = "OAuth_Token";

/** One parsed fault (see README for the header syntax). */
export type Fault =
  /**
   * Answer this status with ServiceTitan's envelope. `retryAfterSeconds` goes in the
   * `Retry-After` header when `retryAfterHeader`, and (for 429) in the title as
   * "Try again in N seconds.", the hint clients parse when no header is sent.
   */
  | { kind: "status"; status: number; retryAfterSeconds: number | null; retryAfterHeader: boolean }
  /** Wait this long (on the injected clock) before handling. */
  | { kind: "latency"; ms: number }
  /** Never answer; reject once the request's signal aborts. */
  | { kind: "hang" }
  /** Apply the request, then answer this 5xx instead of the result. */
  | { kind: "commit-then-fail"; status: number }
  /** Apply the request, then reject the fetch as if the connection dropped. */
  | { kind: "commit-then-drop" }
  /** 403: the tenant has not licensed the module. */
  | { kind: "not-licensed" }
  /** 503 on /connect/token only. */
  | { kind: "token-outage" }
  /** Handle the request, then answer its 2xx with a body that is not JSON (the first half of the real one). */
  | { kind: "invalid-json" }
  /** Handle the request, then answer its 2xx with no body at all. */
  | { kind: "empty-body" }
  /**
   * Handle the request, then send its 2xx headers and the first half of its body, and never the
   * rest: the body stays open until the request's signal aborts, then errors with its reason.
   */
  | { kind: "truncate-body" };

/** A fault string or rule that does not parse; the admin endpoint answers it with a 400. */
export class FaultSyntaxError extends Error {
  override readonly name = "FaultSyntaxError";
}

const status = (text: string | undefined, min: number, fallback?: number): number => {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > 599)
    throw new FaultSyntaxError(`bad status '${text ?? ""}'`);
  return value;
};

function parseOne(text: string): Fault {
  const [head = "", ...params] = text.split(";").map((part) => part.trim());
  const [kind = "", value] = head.split("=").map((part) => part.trim());
  const options = new Map(
    params.map((param) => {
      const [key = "", setting = ""] = param.split("=").map((part) => part.trim());
      return [key.toLowerCase(), setting] as const;
    }),
  );
  const noValue = (fault: Fault): Fault => {
    if (value !== undefined) throw new FaultSyntaxError(`'${kind}' takes no value`);
    return fault;
  };
  for (const key of options.keys()) {
    if (key !== "retry-after") throw new FaultSyntaxError(`unknown option '${key}' in '${text}'`);
  }
  const name = kind.toLowerCase();
  switch (name) {
    case "status": {
      const code = status(value, 400);
      const retryAfter = options.get("retry-after");
      if (retryAfter !== undefined && retryAfter !== "none" && !/^\d+$/.test(retryAfter)) {
        throw new FaultSyntaxError(`bad retry-after '${retryAfter}'`);
      }
      const seconds =
        retryAfter === undefined || retryAfter === "none" ? (code === 429 ? 1 : null) : Number(retryAfter);
      return {
        kind: "status",
        status: code,
        retryAfterSeconds: seconds,
        retryAfterHeader: seconds !== null && retryAfter !== "none",
      };
    }
    case "latency": {
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms < 0) throw new FaultSyntaxError(`bad latency '${value ?? ""}'`);
      return { kind: "latency", ms };
    }
    case "hang":
    case "commit-then-drop":
    case "not-licensed":
    case "token-outage":
    case "invalid-json":
    case "empty-body":
    case "truncate-body":
      return noValue({ kind: name });
    case "commit-then-fail":
      return { kind: "commit-then-fail", status: status(value, 500, 500) };
    default:
      throw new FaultSyntaxError(`unknown fault '${kind}'`);
  }
}

/**
 * Parses the header syntax: faults separated by commas, each `kind[=value][;option=value]`.
 *
 * @example
 * parseFaults("status=429;retry-after=2") // [{ kind: "status", status: 429, retryAfterSeconds: 2 }]
 * parseFaults("latency=50, status=503")   // latency first, then the 503
 */
export function parseFaults(text: string): Fault[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map(parseOne);
}

/** The name a served fault is counted under in stats ("status:503", "hang", ...). */
export const faultKind = (fault: Fault): string =>
  fault.kind === "status" ? `status:${fault.status}` : fault.kind;

/**
 * A per-tenant fault rule.
 *
 * @example
 * { fault: "status=503", operationId: "Payments_Create", times: 1 }
 * { fault: "status=429;retry-after=2", probability: 0.5 }
 */
export interface FaultRule {
  /** Same syntax as the `X-Sim-Fault` header. */
  fault: string;
  /**
   * Only requests to this operation ("Invoices_GetList", "OAuth_Token", ...). Default: every
   * accounting operation; the token endpoint is left out unless named or the fault is `token-outage`.
   */
  operationId?: string;
  /** Only requests with this HTTP method; default all. */
  method?: string;
  /** Serve at most this many times, then the rule is spent; default unlimited. */
  times?: number;
  /** Chance (0..1) that a matching request gets the fault, drawn from a seeded RNG; default 1. */
  probability?: number;
}

interface ActiveRule {
  rule: FaultRule;
  faults: Fault[];
  remaining: number;
}

/** Checks a rule's shape (the admin endpoint takes arbitrary JSON) and parses its fault. */
function activate(rule: FaultRule): ActiveRule {
  if (typeof rule.fault !== "string") throw new FaultSyntaxError("rule.fault must be a string");
  const { times, probability } = rule;
  if (times !== undefined && (!Number.isInteger(times) || times < 0))
    throw new FaultSyntaxError("rule.times must be a non-negative integer");
  if (probability !== undefined && (typeof probability !== "number" || probability < 0 || probability > 1)) {
    throw new FaultSyntaxError("rule.probability must be between 0 and 1");
  }
  return { rule: { ...rule }, faults: parseFaults(rule.fault), remaining: times ?? Number.POSITIVE_INFINITY };
}

/**
 * Fault rules of every tenant.
 *
 * @example
 * book.set(1000001, [{ fault: "latency=50" }]); book.take(1000001, "Invoices_GetList", "GET");
 */
export class FaultBook {
  readonly #seed: number;
  readonly #tenants = new Map<number, { rules: ActiveRule[]; random: Random }>();

  constructor(seed: number) {
    this.#seed = seed;
  }

  /**
   * Replaces a tenant's rules. The probability stream restarts from the seed each time, so the
   * same rules over the same requests fire the same way.
   */
  set(tenantId: number, rules: FaultRule[]): void {
    const active = rules.map(activate);
    this.#tenants.set(tenantId, {
      rules: active,
      random: createRandom(mixSeed(this.#seed, tenantId, 0xfa17)),
    });
  }

  clear(tenantId?: number): void {
    if (tenantId === undefined) this.#tenants.clear();
    else this.#tenants.delete(tenantId);
  }

  /** The rules as set, with what is left of each `times`. */
  list(tenantId: number): (FaultRule & { remaining: number | null })[] {
    return (this.#tenants.get(tenantId)?.rules ?? []).map(({ rule, remaining }) => ({
      ...rule,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /**
   * The faults for one request. Every matching latency rule fires; of the rules that answer
   * instead of the handler, only the first that fires is used (and only its `times` is spent),
   * none if the request already carries such a fault in its header. Rules without an
   * operationId cover the tenant's accounting calls; the token endpoint is only reached by
   * rules naming "OAuth_Token" or asking for `token-outage`.
   */
  take(tenantId: number, operationId: string, method: string, answered = false): Fault[] {
    const tenant = this.#tenants.get(tenantId);
    if (!tenant) return [];
    const fired: Fault[] = [];
    let terminal = answered;
    for (const active of tenant.rules) {
      const { operationId: op, method: verb, probability = 1 } = active.rule;
      const tokenOutage = active.faults.every((fault) => fault.kind === "token-outage");
      const latencyOnly = active.faults.every((fault) => fault.kind === "latency");
      if (active.remaining <= 0 || (terminal && !latencyOnly)) continue;
      if (op !== undefined ? op !== operationId : (operationId === TOKEN_OPERATION) !== tokenOutage) continue;
      if (verb !== undefined && verb.toUpperCase() !== method.toUpperCase()) continue;
      if (probability < 1 && !(tenant.random.next() < probability)) continue;
      active.remaining--;
      fired.push(...active.faults);
      if (!latencyOnly) terminal = true;
    }
    return fired;
  }
}

/** True when the faults include one that answers instead of the handler. */
export const answersItself = (faults: readonly Fault[]): boolean =>
  faults.some((fault) => fault.kind !== "latency");

// Calling the tenant's capability workers: the only way a tool reaches ServiceTitan. Each call goes
// through the worker's service binding with the caller's own API key (the worker checks it again),
// the MCP request's id (one id across the logs of every worker a tool call touched) and what is
// left of the request's time budget. An answer comes back as data or as the worker's problem; a
// worker that is missing, silent or unreadable becomes a problem of our own, so a tool never throws.
import { PROBLEM_TYPE_PREFIX, PROBLEM_TYPES, type ProblemType } from "@st-edge/edge";
import type { Caller } from "./caller.ts";

/** The capability workers a tool may call, by their service binding. */
export const CAPABILITIES = {
  "invoice-lookup": "INVOICE_LOOKUP",
  "tax-zones": "TAX_ZONES",
  "payment-terms": "PAYMENT_TERMS",
  bills: "BILLS",
  "payment-posting": "PAYMENT_POSTING",
  "invoice-changes": "INVOICE_CHANGES",
  "invoice-adjustments": "INVOICE_ADJUSTMENTS",
} as const satisfies Record<string, keyof Env>;

export type Capability = keyof typeof CAPABILITIES;

/** A worker's RFC 9457 problem as the tool layer reads it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { in: string; field: string; message: string }[];
  requestId?: string;
  traceId?: string;
  retryAfterSeconds?: number;
}

export type WorkerAnswer<T> =
  | { ok: true; data: T; status: number; headers: Headers }
  | { ok: false; problem: Problem };

export interface WorkerRequest {
  method?: "GET" | "POST" | "PATCH";
  /** Sent as JSON. */
  body?: unknown;
  idempotencyKey?: string;
}

/** A problem of this server's own (not a worker's), in the same shape; `type` is a urn:st-edge:problem: suffix. */
export function ownProblem(init: Omit<Problem, "requestId" | "traceId">): Problem {
  return {
    type: init.type.includes(":") ? init.type : `${PROBLEM_TYPE_PREFIX}${init.type}`,
    title: init.title,
    status: init.status,
    ...(init.detail === undefined ? {} : { detail: init.detail }),
    ...(init.errors === undefined ? {} : { errors: init.errors }),
    ...(init.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: init.retryAfterSeconds }),
  };
}

/** A problem of a type every worker answers, titled as they title it (@st-edge/edge's catalog). */
export const knownProblem = (type: ProblemType, init: Pick<Problem, "detail" | "errors"> = {}): Problem =>
  ownProblem({ type, ...PROBLEM_TYPES[type], ...init });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads a problem body, keeping only the members a tool error shows. */
function readProblem(body: unknown, status: number, retryAfter: string | null): Problem {
  const problem = isRecord(body) ? body : {};
  const text = (key: string) => (typeof problem[key] === "string" ? (problem[key] as string) : undefined);
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter(isRecord).map((error) => ({
        in: String(error.in ?? ""),
        field: String(error.field ?? ""),
        message: String(error.message ?? ""),
      }))
    : undefined;
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  return {
    type: text("type") ?? `${PROBLEM_TYPE_PREFIX}upstream-error`,
    title: text("title") ?? `The worker answered ${status}`,
    status,
    ...(text("detail") === undefined ? {} : { detail: text("detail") }),
    ...(errors === undefined ? {} : { errors }),
    ...(text("requestId") === undefined ? {} : { requestId: text("requestId") }),
    ...(text("traceId") === undefined ? {} : { traceId: text("traceId") }),
    ...(Number.isFinite(seconds) ? { retryAfterSeconds: seconds } : {}),
  };
}

const unreachable = (capability: Capability): Problem =>
  ownProblem({
    type: "upstream-unavailable",
    title: "The worker could not be reached",
    status: 503,
    detail: `${capability} could not be reached; retrying the same call is safe`,
    retryAfterSeconds: 2,
  });

/** The binding of a capability, or undefined where this deployment does not have that worker. */
function bindingOf(env: Env, capability: Capability): Fetcher | undefined {
  const binding: Fetcher | undefined = env[CAPABILITIES[capability]];
  return typeof binding?.fetch === "function" ? binding : undefined;
}

/**
 * Calls `path` on a capability worker as the caller.
 *
 * @example const answer = await callCapability<Invoice>(caller, "invoice-lookup", "/invoices/42");
 */
export async function callCapability<T>(
  caller: Caller,
  capability: Capability,
  path: string,
  request: WorkerRequest = {},
): Promise<WorkerAnswer<T>> {
  const binding = bindingOf(caller.env, capability);
  if (!binding) {
    return {
      ok: false,
      problem: ownProblem({
        type: "capability-not-deployed",
        title: "This deployment does not include that capability",
        status: 501,
        detail: `The ${capability} worker is not deployed for this tenant, so this tool cannot run`,
      }),
    };
  }
  const headers = new Headers({
    Authorization: `Bearer ${caller.apiKey}`,
    "X-Request-Id": caller.requestId,
    Accept: "application/json",
  });
  if (request.body !== undefined) headers.set("Content-Type", "application/json");
  if (request.idempotencyKey !== undefined) headers.set("Idempotency-Key", request.idempotencyKey);
  // The call is cut at the request's deadline whether or not the binding honours the signal: the
  // tool then answers a retryable problem in time, and the worker finishes (or not) on its own.
  const remainingMs = Math.max(1, caller.deadline.remainingMs());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), remainingMs);
  });
  let response: Response | "late" | "unreachable";
  try {
    response = await Promise.race([
      binding.fetch(`https://${capability}.internal${path}`, {
        method: request.method ?? "GET",
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(remainingMs),
      }),
      late,
    ]);
  } catch (error) {
    const aborted = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    response = aborted ? "late" : "unreachable";
  } finally {
    clearTimeout(timer);
  }
  if (response === "late") {
    return {
      ok: false,
      problem: ownProblem({
        type: "upstream-timeout",
        title: "The worker did not answer in time",
        status: 504,
        detail: `${capability} did not answer within this request's time budget; retrying the same call is safe`,
        retryAfterSeconds: 2,
      }),
    };
  }
  if (response === "unreachable") return { ok: false, problem: unreachable(capability) };
  const body: unknown = await response.json().catch(() => undefined);
  // Typed by the worker's documented answer (its OpenAPI document, generated from the same shapes).
  if (response.ok && body !== undefined)
    return { ok: true, data: body as T, status: response.status, headers: response.headers };
  if (response.ok) {
    return {
      ok: false,
      problem: ownProblem({
        type: "upstream-invalid-response",
        title: "The worker answered with data we cannot read",
        status: 502,
        detail: `${capability} answered ${response.status} without a JSON body`,
      }),
    };
  }
  return { ok: false, problem: readProblem(body, response.status, response.headers.get("Retry-After")) };
}

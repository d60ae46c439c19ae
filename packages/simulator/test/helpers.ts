// Shared test helpers: a fake clock, and a signed-in session against one tenant's accounting API
// on an in-process simulator (requests go through `simulator.fetch`, as consumers' tests do).
import { type ManualClock, manualClock, type Page } from "@st-edge/servicetitan";
import { createSimulator, DEMO_APP_KEY, type Simulator, type SimulatorOptions } from "../src/index.ts";

export const TENANT = 1000001;
export const OTHER_TENANT = 2000002;
export const ORIGIN = "https://servicetitan.simulator";

/** 2026-11-25T12:00:00Z unless told otherwise. */
export const START = Date.UTC(2026, 10, 25, 12, 0, 0);

/** Time moves only when a test (or a simulated latency) moves it. */
export type FakeClock = ManualClock;
export const fakeClock = (start = START): FakeClock => manualClock(start);

export function testSimulator(options: SimulatorOptions = {}): { sim: Simulator; clock: FakeClock } {
  const clock = fakeClock();
  return { sim: createSimulator({ clock, ...options }), clock };
}

export function tokenRequest(body: string, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}/connect/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

export async function issueToken(
  sim: Simulator,
  clientId = "demo-client",
  clientSecret = "demo-secret",
): Promise<string> {
  const response = await sim.fetch(
    tokenRequest(`grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`),
  );
  if (response.status !== 200) throw new Error(`token request failed: ${response.status}`);
  return (await response.json<{ access_token: string }>()).access_token;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A tenant's accounting API with valid credentials; paths are relative to `/accounting/v2/tenant/{tenant}`. */
export interface Session {
  token: string;
  tenant: number;
  request(method: string, path: string, options?: CallOptions): Promise<Response>;
  get(path: string, options?: CallOptions): Promise<Response>;
  post(path: string, body: unknown, options?: CallOptions): Promise<Response>;
  patch(path: string, body: unknown, options?: CallOptions): Promise<Response>;
}

export async function session(
  sim: Simulator,
  tenant = TENANT,
  clientId?: string,
  clientSecret?: string,
): Promise<Session> {
  const token = await issueToken(
    sim,
    clientId ?? (tenant === TENANT ? "demo-client" : "other-client"),
    clientSecret ?? (tenant === TENANT ? "demo-secret" : "other-secret"),
  );
  const request = (method: string, path: string, options: CallOptions = {}) =>
    sim.fetch(
      new Request(`${ORIGIN}/accounting/v2/tenant/${tenant}${path}`, {
        method,
        headers: {
          "ST-App-Key": DEMO_APP_KEY,
          Authorization: token,
          ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
          ...options.headers,
        },
        body:
          options.body === undefined
            ? undefined
            : typeof options.body === "string"
              ? options.body
              : JSON.stringify(options.body),
        signal: options.signal,
      }),
    );
  return {
    token,
    tenant,
    request,
    get: (path, options) => request("GET", path, options),
    post: (path, body, options) => request("POST", path, { ...options, body }),
    patch: (path, body, options) => request("PATCH", path, { ...options, body }),
  };
}

/** ServiceTitan's error envelope, as tests read it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  traceId: string;
  errors: Record<string, string[]>;
  data: Record<string, unknown>;
}

export type { Page };

/** Every record of a paged list, following `hasMore`. */
export async function allPages<T>(s: Session, path: string, pageSize = 500): Promise<T[]> {
  const records: T[] = [];
  for (let page = 1; page < 100; page++) {
    const separator = path.includes("?") ? "&" : "?";
    const response = await s.get(`${path}${separator}page=${page}&pageSize=${pageSize}`);
    if (response.status !== 200) throw new Error(`${path} page ${page}: ${response.status}`);
    const body = await response.json<Page<T>>();
    records.push(...body.data);
    if (!body.hasMore) return records;
  }
  throw new Error("too many pages");
}

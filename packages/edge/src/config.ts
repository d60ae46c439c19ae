// A worker's deployment settings, read from its bindings once and checked: which ServiceTitan
// environment and tenant, which credentials, which caller keys. Errors name the missing
// variables, never their values.
import { type AuthorizationScheme, parseId, type ServiceTitanHosts } from "@st-edge/servicetitan";
import type { TokenBrokerNamespace } from "@st-edge/token-cache";

/** The bindings every worker has (vars, secrets, KV, the optional simulator service binding). */
export interface EdgeBindings {
  /** "production", "integration" or "simulator". */
  ST_ENVIRONMENT?: string;
  ST_TENANT_ID?: string;
  /** Secret: ServiceTitan App Key. */
  ST_APP_KEY?: string;
  /** Secret: client id for this tenant and environment. */
  ST_CLIENT_ID?: string;
  /** Secret: client secret for this tenant and environment. */
  ST_CLIENT_SECRET?: string;
  /** "raw" (default) or "bearer": how the token goes into Authorization (UNCONFIRMED upstream). */
  ST_AUTH_SCHEME?: string;
  /** Per-call timeout towards ServiceTitan in ms (default 30000). */
  ST_TIMEOUT_MS?: string;
  /** Secret: comma-separated SHA-256 hex digests of the caller API keys accepted. */
  API_KEY_HASHES?: string;
  /** Secret, optional: base64 32-byte key; cached tokens are then encrypted in KV. */
  TOKEN_ENCRYPTION_KEY?: string;
  /** End-to-end time budget of every route in ms (default 25000: Zapier gives a call 30 s). */
  REQUEST_BUDGET_MS?: string;
  /** "on": answer `X-Server-Timing: on` requests with a Server-Timing header (benchmarks; off by default). */
  SERVER_TIMING?: string;
  TOKENS: KVNamespace;
  /** The tenant's token broker (a Durable Object namespace; in a deployment every worker binds the one in the host script). Optional: without it, tokens are refreshed through KV alone. */
  TOKEN_BROKER?: TokenBrokerNamespace;
  /** Local runs and tests only: the simulator, reached through a service binding. */
  SERVICETITAN?: Fetcher;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The simulator answers both API and token paths on one origin. */
export const SIMULATOR_HOSTS = {
  name: "simulator",
  apiBaseUrl: "https://servicetitan.simulator",
  authBaseUrl: "https://servicetitan.simulator",
} as const satisfies ServiceTitanHosts;

export interface EdgeConfig {
  environment: "production" | "integration" | typeof SIMULATOR_HOSTS;
  environmentName: string;
  tenantId: number;
  appKey: string;
  clientId: string;
  clientSecret: string;
  authorizationScheme: AuthorizationScheme;
  timeoutMs: number;
  /** Present only for the simulator. */
  upstream?: Fetcher;
}

/** Reads and checks the ServiceTitan settings; throws ConfigError naming what is missing or wrong. */
export function readConfig(env: EdgeBindings): EdgeConfig {
  const missing = (
    ["ST_ENVIRONMENT", "ST_TENANT_ID", "ST_APP_KEY", "ST_CLIENT_ID", "ST_CLIENT_SECRET"] as const
  ).filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`missing settings: ${missing.join(", ")}`);
  const name = env.ST_ENVIRONMENT ?? "";
  if (name !== "production" && name !== "integration" && name !== "simulator") {
    throw new ConfigError("ST_ENVIRONMENT must be production, integration or simulator");
  }
  if (name === "simulator" && !env.SERVICETITAN) {
    throw new ConfigError("ST_ENVIRONMENT=simulator needs the SERVICETITAN service binding");
  }
  let tenantId: number;
  try {
    tenantId = parseId(env.ST_TENANT_ID);
  } catch {
    throw new ConfigError("ST_TENANT_ID must be a positive integer");
  }
  const scheme = env.ST_AUTH_SCHEME ?? "raw";
  if (scheme !== "raw" && scheme !== "bearer") throw new ConfigError("ST_AUTH_SCHEME must be raw or bearer");
  const timeoutMs = env.ST_TIMEOUT_MS ? Number(env.ST_TIMEOUT_MS) : 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100)
    throw new ConfigError("ST_TIMEOUT_MS must be an integer ≥ 100");
  return {
    environment: name === "simulator" ? SIMULATOR_HOSTS : name,
    environmentName: name,
    tenantId,
    appKey: env.ST_APP_KEY ?? "",
    clientId: env.ST_CLIENT_ID ?? "",
    clientSecret: env.ST_CLIENT_SECRET ?? "",
    authorizationScheme: scheme,
    timeoutMs,
    upstream: name === "simulator" ? env.SERVICETITAN : undefined,
  };
}

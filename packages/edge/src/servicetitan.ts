// The ServiceTitan client for a worker's deployment, built once per isolate: the token provider
// (memory → KV → the tenant's token broker → token endpoint) must live as long as the isolate
// for the hot path to do no I/O.
import {
  type Clock,
  createServiceTitanClient,
  type Fetch,
  resolveHosts,
  type ServiceTitanClient,
  tokenUrl,
} from "@st-edge/servicetitan";
import {
  createKvTokenProvider,
  createTokenCipher,
  type TokenCacheEvent,
  WORKER_REFRESH_MARGIN_MS,
} from "@st-edge/token-cache";
import { type EdgeBindings, readConfig } from "./config.ts";

export interface TenantClient {
  client: ServiceTitanClient;
  tenantId: number;
  environment: string;
}

export interface ServiceTitanForOptions {
  clock?: Clock;
  onTokenEvent?: (event: TokenCacheEvent) => void;
}

// Keyed by the upstream fetcher (one per simulator in tests; the global fetch in production),
// then by environment, tenant and client id.
const NETWORK = {};
const clients = new WeakMap<object, Map<string, Promise<TenantClient>>>();

async function build(env: EdgeBindings, options: ServiceTitanForOptions): Promise<TenantClient> {
  const config = readConfig(env);
  const hosts = resolveHosts(config.environment);
  const upstream = config.upstream;
  const send: Fetch | undefined = upstream ? (request) => upstream.fetch(request) : undefined;
  const tokens = createKvTokenProvider({
    kv: env.TOKENS,
    environment: hosts.name,
    tenantId: config.tenantId,
    tokenUrl: tokenUrl(hosts),
    credentials: { clientId: config.clientId, clientSecret: config.clientSecret },
    fetch: send,
    clock: options.clock,
    cipher: env.TOKEN_ENCRYPTION_KEY ? await createTokenCipher(env.TOKEN_ENCRYPTION_KEY) : undefined,
    broker: env.TOKEN_BROKER,
    // Routes answer within 25 s; the margin's reasoning is in token-cache's refresh-margin.ts.
    refreshMarginMs: WORKER_REFRESH_MARGIN_MS,
    onEvent: options.onTokenEvent,
  });
  const client = createServiceTitanClient({
    environment: hosts,
    tenantId: config.tenantId,
    appKey: config.appKey,
    tokens,
    authorizationScheme: config.authorizationScheme,
    timeoutMs: config.timeoutMs,
    fetch: send,
    clock: options.clock,
  });
  return { client, tenantId: config.tenantId, environment: hosts.name };
}

/**
 * The tenant's ServiceTitan client for these bindings, shared by every request in this isolate.
 *
 * @example const { client } = await serviceTitanFor(c.env);
 */
export function serviceTitanFor(
  env: EdgeBindings,
  options: ServiceTitanForOptions = {},
): Promise<TenantClient> {
  const scope = env.SERVICETITAN ?? NETWORK;
  let byConfig = clients.get(scope);
  if (!byConfig) {
    byConfig = new Map();
    clients.set(scope, byConfig);
  }
  const key = [
    env.ST_ENVIRONMENT,
    env.ST_TENANT_ID,
    env.ST_CLIENT_ID,
    env.ST_APP_KEY,
    env.TOKEN_ENCRYPTION_KEY,
  ].join("|");
  let entry = byConfig.get(key);
  if (!entry) {
    entry = build(env, options);
    // A failed build (bad config) is not cached: the next request reports it again.
    entry.catch(() => byConfig?.delete(key));
    byConfig.set(key, entry);
  }
  return entry;
}

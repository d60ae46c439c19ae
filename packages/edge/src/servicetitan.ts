// The ServiceTitan client for a request. What lives as long as the isolate (settings, the token
// provider: memory → KV → the tenant's token broker → token endpoint, so the hot path does no
// I/O) is built once per deployment; each request gets a light client bound to its own deadline,
// so every call it makes ends within the request's budget.
import {
  type Clock,
  createServiceTitanClient,
  type Deadline,
  type Fetch,
  resolveHosts,
  type ServiceTitanClient,
  type TokenProvider,
  tokenUrl,
} from "@st-edge/servicetitan";
import {
  createKvTokenProvider,
  createTokenCipher,
  type TokenBrokerNamespace,
  type TokenCacheEvent,
  WORKER_REFRESH_MARGIN_MS,
} from "@st-edge/token-cache";
import { type EdgeBindings, type EdgeConfig, readConfig } from "./config.ts";
import { type CostKind, countCalls, NO_TIMING, type RequestTiming } from "./server-timing.ts";

export interface TenantClient {
  /** Bound to the request's deadline. */
  client: ServiceTitanClient;
  tenantId: number;
  environment: string;
  /** The deployment's token provider, e.g. to have a token in hand before a write. */
  tokens: TokenProvider;
  deadline: Deadline;
  /**
   * Lives as long as the deployment's connection in this isolate: what per-isolate caches are keyed
   * by (a request's client lives for one request).
   */
  scope: object;
}

export interface ServiceTitanForOptions {
  clock?: Clock;
  onTokenEvent?: (event: TokenCacheEvent) => void;
}

/** What one deployment's requests share in this isolate. */
interface Connection {
  config: EdgeConfig;
  hosts: ReturnType<typeof resolveHosts>;
  tokens: TokenProvider;
  send: Fetch | undefined;
  clock: Clock | undefined;
  /**
   * Requests being timed (Server-Timing asked for) while the shared token provider does I/O: its
   * KV reads and writes, broker calls and token requests are counted to each of them (exact when
   * requests run one at a time, as a benchmark's profile does).
   */
  timed: Set<RequestTiming>;
}

/** One billable call the shared token provider made, counted to every request being timed. */
const countTo = (timed: Set<RequestTiming>) => (kind: CostKind) => {
  for (const timing of timed) timing.count(kind);
};

// Keyed by the upstream fetcher (one per simulator in tests; the global fetch in production),
// then by environment, tenant and client id.
const NETWORK = {};
const connections = new WeakMap<object, Map<string, Promise<Connection>>>();

async function connect(env: EdgeBindings, options: ServiceTitanForOptions): Promise<Connection> {
  const config = readConfig(env);
  const hosts = resolveHosts(config.environment);
  const upstream = config.upstream;
  const send: Fetch | undefined = upstream ? (request) => upstream.fetch(request) : undefined;
  const timed = new Set<RequestTiming>();
  const tokens = createKvTokenProvider({
    ...tokenIo(env, send, timed),
    environment: hosts.name,
    tenantId: config.tenantId,
    tokenUrl: tokenUrl(hosts),
    credentials: { clientId: config.clientId, clientSecret: config.clientSecret },
    clock: options.clock,
    cipher: env.TOKEN_ENCRYPTION_KEY ? await createTokenCipher(env.TOKEN_ENCRYPTION_KEY) : undefined,
    // Routes answer within 25 s; the margin's reasoning is in token-cache's refresh-margin.ts.
    refreshMarginMs: WORKER_REFRESH_MARGIN_MS,
    onEvent: options.onTokenEvent,
  });
  return { config, hosts, tokens, send, clock: options.clock, timed };
}

/**
 * What the token provider does I/O through: the bindings themselves, or, where the deployment
 * allows Server-Timing, the same bindings with each call counted to the requests being timed
 * (nothing is wrapped in a deployment that does not, so it costs nothing there).
 */
function tokenIo(env: EdgeBindings, send: Fetch | undefined, timed: Set<RequestTiming>) {
  if (env.SERVER_TIMING !== "on") return { kv: env.TOKENS, fetch: send, broker: env.TOKEN_BROKER };
  const counted = countTo(timed);
  return {
    kv: countCalls(env.TOKENS, (method) =>
      counted(method === "put" || method === "delete" ? "kv-write" : "kv-read"),
    ),
    fetch: (request: Request) => {
      counted("upstream");
      return send ? send(request) : fetch(request);
    },
    broker: env.TOKEN_BROKER && brokerCounted(env.TOKEN_BROKER, () => counted("do")),
  };
}

/** The broker namespace, each call to a broker counted as one Durable Object request. */
function brokerCounted(namespace: TokenBrokerNamespace, onCall: () => void): TokenBrokerNamespace {
  return countCalls(
    namespace,
    () => {},
    (method, stub) =>
      method === "get" && typeof stub === "object" && stub ? countCalls(stub, onCall) : stub,
  );
}

function connectionFor(env: EdgeBindings, options: ServiceTitanForOptions): Promise<Connection> {
  const scope = env.SERVICETITAN ?? NETWORK;
  let byConfig = connections.get(scope);
  if (!byConfig) {
    byConfig = new Map();
    connections.set(scope, byConfig);
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
    entry = connect(env, options);
    // A failed build (bad config) is not cached: the next request reports it again.
    entry.catch(() => byConfig?.delete(key));
    byConfig.set(key, entry);
  }
  return entry;
}

/**
 * The tenant's ServiceTitan client for this request: its calls end by the request's deadline.
 *
 * @example const { client } = await serviceTitanFor(c);
 */
export async function serviceTitanFor(
  c: { env: EdgeBindings; var: { deadline: Deadline; timing?: RequestTiming } },
  options: ServiceTitanForOptions = {},
): Promise<TenantClient> {
  const connection = await connectionFor(c.env, options);
  const { config, hosts, tokens, clock } = connection;
  const timing = c.var.timing ?? NO_TIMING;
  timing.whileOpen(connection.timed);
  const send = timedFetch(connection.send, timing);
  const deadline = c.var.deadline;
  const client = createServiceTitanClient({
    environment: hosts,
    tenantId: config.tenantId,
    appKey: config.appKey,
    tokens,
    authorizationScheme: config.authorizationScheme,
    timeoutMs: config.timeoutMs,
    fetch: send,
    clock,
    deadline,
  });
  return {
    client,
    tenantId: config.tenantId,
    environment: hosts.name,
    tokens,
    deadline,
    scope: connection,
  };
}

/** ServiceTitan's resource in a URL (".../tenant/1/invoices?ids=…" → "invoices"), for span names. */
const resourceOf = (url: string) => new URL(url).pathname.split("/").filter(Boolean).slice(4).join("-");

/** Each ServiceTitan call of a timed request counted and timed (`st-GET-invoices`, …). */
function timedFetch(send: Fetch | undefined, timing: RequestTiming): Fetch | undefined {
  if (timing === NO_TIMING) return send;
  const network: Fetch = send ?? ((request) => fetch(request));
  return (request) => {
    timing.count("upstream");
    return timing.span(`st-${request.method}-${resourceOf(request.url)}`, () => network(request));
  };
}

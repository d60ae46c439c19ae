// The ServiceTitan Accounting v2 client: openapi-fetch over the generated types, bound to one
// tenant, with auth, timeout and retry layered into its fetch, and answers it cannot read
// (answers.ts) reported as ServiceTitan errors.
import createClient, { type Client } from "openapi-fetch";
import { readableAnswers } from "./answers.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Deadline } from "./deadline.ts";
import { accountingBaseUrl, resolveHosts, type ServiceTitanEnvironment } from "./environments.ts";
import { parseId } from "./ids.ts";
import { errorMiddleware, tenantMiddleware } from "./middleware.ts";
import type { ServiceTitanPaths } from "./paths.ts";
import type { TokenProvider } from "./token-provider.ts";
import { type AuthorizationScheme, withAuth } from "./transport/auth.ts";
import type { Fetch } from "./transport/fetch.ts";
import { type RetryOptions, withRetry } from "./transport/retry.ts";
import { withTimeout } from "./transport/timeout.ts";

export type ServiceTitanClient = Client<ServiceTitanPaths, "application/json">;

export interface ServiceTitanClientOptions {
  /** "production", "integration", or explicit hosts (the simulator). */
  environment: ServiceTitanEnvironment;
  /** ServiceTitan tenant id; filled into every `/tenant/{tenant}/…` path. */
  tenantId: number;
  /** ServiceTitan App Key, sent as `ST-App-Key` on every call. */
  appKey: string;
  tokens: TokenProvider;
  /** `Authorization` format; default "raw" as in ServiceTitan's example (UNCONFIRMED, see transport/auth.ts). */
  authorizationScheme?: AuthorizationScheme;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Retry policy for idempotent calls; `false` turns retries off. */
  retry?: RetryOptions | false;
  /** Where requests go; inject the simulator's fetch in tests and local runs. */
  fetch?: Fetch;
  clock?: Clock;
  /**
   * The request's time budget: attempts, retry waits and token waits all end by it. Workers build
   * one client per request with the request's deadline (cheap: the token provider is shared).
   */
  deadline?: Deadline;
}

/**
 * @example
 * const st = createServiceTitanClient({ environment: "integration", tenantId, appKey, tokens });
 * const { data } = await st.GET("/tenant/{tenant}/invoices", { params: { query: { ids: "1,2" } } });
 */
export function createServiceTitanClient(options: ServiceTitanClientOptions): ServiceTitanClient {
  const tenant = parseId(options.tenantId);
  const clock = options.clock ?? systemClock;
  const network: Fetch = options.fetch ?? ((request) => fetch(request));
  const { deadline } = options;
  const signed = withAuth(withTimeout(network, options.timeoutMs ?? 30_000, deadline), {
    tokens: options.tokens,
    appKey: options.appKey,
    scheme: options.authorizationScheme,
    deadline,
  });
  const transport =
    options.retry === false ? signed : withRetry(signed, { clock, deadline, ...options.retry });
  const client = createClient<ServiceTitanPaths, "application/json">({
    baseUrl: accountingBaseUrl(resolveHosts(options.environment)),
    fetch: transport,
  });
  client.use(
    tenantMiddleware(tenant),
    errorMiddleware(() => clock.now()),
  );
  return readableAnswers(client);
}

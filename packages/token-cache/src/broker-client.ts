// An isolate's side of the token broker (token-broker.ts): on a KV miss, ask the tenant's broker
// instead of the token endpoint, naming the token ServiceTitan last refused here. When the broker
// cannot be reached, fall back to what isolates did before it existed (the token endpoint, then
// KV), so a broker outage costs token requests, never a caller's request.
import {
  type ClientCredentials,
  type Clock,
  type Fetch,
  type IssuedToken,
  ServiceTitanAuthError,
} from "@st-edge/servicetitan";
import type { TokenCacheEvent } from "./kv-token-provider.ts";
import type { BrokerAnswer, TokenBroker } from "./token-broker.ts";

/** The `TOKEN_BROKER` binding. */
export type TokenBrokerNamespace = DurableObjectNamespace<TokenBroker>;

export interface BrokerClientOptions {
  namespace: TokenBrokerNamespace;
  /** The tenant's KV key: the broker is named by it. */
  key: Promise<string>;
  tokenUrl: string;
  credentials: ClientCredentials;
  clock: Clock;
  marginMs: number;
  refreshAtMs: number;
  upstream?: Fetch;
  /** The path without a broker: request a token and store it in KV. */
  direct: () => Promise<IssuedToken>;
  onEvent: (event: TokenCacheEvent) => void;
}

export interface BrokerClient {
  /**
   * A token from the broker, or from `direct` when the broker is unreachable. `refused`: the
   * token ServiceTitan last refused (401) here, which the broker forgets and never hands out.
   */
  issue(refused?: string): Promise<IssuedToken>;
}

/**
 * @example
 * const broker = brokerClient({ namespace: env.TOKEN_BROKER, key, tokenUrl, credentials, clock,
 *   marginMs: 30_000, refreshAtMs: 35_000, direct: fromTokenEndpoint, onEvent });
 */
export function brokerClient(options: BrokerClientOptions): BrokerClient {
  const { namespace, key, clock, onEvent } = options;

  return {
    async issue(refused) {
      let answer: BrokerAnswer;
      try {
        const name = await key;
        answer = await namespace.get(namespace.idFromName(name)).issue({
          key: name,
          tokenUrl: options.tokenUrl,
          credentials: options.credentials,
          now: clock.now(),
          marginMs: options.marginMs,
          refreshAtMs: options.refreshAtMs,
          upstream: options.upstream,
          refused,
        });
      } catch {
        // No binding at run time, the object overloaded or reset, a deploy in between: the
        // broker's errors never reach the caller, the token endpoint does.
        onEvent("broker-unreachable");
        return options.direct();
      }
      if (!answer.ok) {
        onEvent("broker-failure");
        throw new ServiceTitanAuthError(answer);
      }
      onEvent(answer.stale ? "stale-fallback" : answer.refreshed ? "broker-refresh" : "broker-hit");
      return answer.token;
    },
  };
}

// ServiceTitan's hosts. Production and integration differ for both the API and the token
// endpoint, and client credentials are issued per environment (FACTS.md §1).

export interface ServiceTitanHosts {
  /** Stable name used in cache keys, logs and metrics, e.g. "production". */
  name: string;
  /** API origin; the accounting module lives under `/accounting/v2`. */
  apiBaseUrl: string;
  /** Token endpoint origin; tokens come from `/connect/token`. */
  authBaseUrl: string;
}

export const SERVICETITAN_ENVIRONMENTS = {
  production: {
    name: "production",
    apiBaseUrl: "https://api.servicetitan.io",
    authBaseUrl: "https://auth.servicetitan.io",
  },
  integration: {
    name: "integration",
    apiBaseUrl: "https://api-integration.servicetitan.io",
    authBaseUrl: "https://auth-integration.servicetitan.io",
  },
} as const satisfies Record<string, ServiceTitanHosts>;

/** A named ServiceTitan environment or explicit hosts (the simulator, a proxy). */
export type ServiceTitanEnvironment = keyof typeof SERVICETITAN_ENVIRONMENTS | ServiceTitanHosts;

export function resolveHosts(environment: ServiceTitanEnvironment): ServiceTitanHosts {
  return typeof environment === "string" ? SERVICETITAN_ENVIRONMENTS[environment] : environment;
}

export const accountingBaseUrl = (hosts: ServiceTitanHosts): string =>
  `${hosts.apiBaseUrl.replace(/\/+$/, "")}/accounting/v2`;

export const tokenUrl = (hosts: ServiceTitanHosts): string =>
  `${hosts.authBaseUrl.replace(/\/+$/, "")}/connect/token`;

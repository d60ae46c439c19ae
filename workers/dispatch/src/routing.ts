// Where a request to the dispatcher goes: which tenant, which of its capability workers, and the
// path that worker sees. Two forms, both always on:
//   by path:     https://<dispatcher host>/<tenant>/<capability>/<rest>
//   by hostname: https://<a tenant's hostname>/<capability>/<rest>   (hostnames from the directory)
// The hostname form wins when the host is a tenant's; the path form needs no DNS per tenant.

/** A tenant's name in the directory and in its scripts' names: as `pnpm tenant` allows. */
export const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;
/** A capability: one of the workers a tenant may have. */
export const CAPABILITY_NAME = /^[a-z][a-z0-9-]{0,40}$/;

export interface Route {
  tenant: string;
  capability: string;
  /** The path (and query) the capability worker is called with. */
  forwardPath: string;
  via: "hostname" | "path";
}

/**
 * Splits a request URL into its route, given the tenant the hostname belongs to (if any).
 * Undefined when the URL names no tenant and capability.
 *
 * @example
 * routeOf(new URL("https://api.example.com/acme/invoice-lookup/invoices/7?x=1"), undefined)
 * // → { tenant: "acme", capability: "invoice-lookup", forwardPath: "/invoices/7?x=1", via: "path" }
 */
export function routeOf(url: URL, hostTenant: string | undefined): Route | undefined {
  const segments = url.pathname.split("/").slice(1);
  const [first, second] = segments;
  if (hostTenant !== undefined) {
    if (!first || !CAPABILITY_NAME.test(first)) return undefined;
    return { tenant: hostTenant, capability: first, forwardPath: rest(segments, 1, url), via: "hostname" };
  }
  if (!first || !second || !TENANT_NAME.test(first) || !CAPABILITY_NAME.test(second)) return undefined;
  return { tenant: first, capability: second, forwardPath: rest(segments, 2, url), via: "path" };
}

function rest(segments: string[], skip: number, url: URL): string {
  return `/${segments.slice(skip).join("/")}${url.search}`;
}

// The tenant directory: for each tenant, its capability workers' script names in the dispatch
// namespace, the SHA-256 digests of its callers' API keys, and its hostnames. `pnpm tenant
// provision` writes it to KV (keys `tenant:<name>` and `host:<hostname>`); the dispatcher only
// reads it, through a short in-memory cache (so a change is live within a minute plus KV's
// propagation; the capability workers check the same keys themselves, from their own secret, at once).
import * as z from "zod/mini";
import { TENANT_NAME } from "./routing.ts";

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** One tenant's entry, as provisioning writes it. Anything else in KV is ignored, not trusted. */
export const TenantEntry = z.object({
  v: z.literal(1),
  tenant: z.string().check(z.regex(TENANT_NAME)),
  /** Capability → script name in the dispatch namespace. */
  workers: z.record(z.string(), z.string().check(z.minLength(1), z.maxLength(63))),
  /** SHA-256 hex digests of the API keys this tenant's callers use (rotation: several). */
  apiKeyHashes: z.array(z.string().check(z.regex(HEX_DIGEST))),
  hostnames: z.optional(z.array(z.string())),
});
export type TenantEntry = z.infer<typeof TenantEntry>;

/** What `host:<hostname>` holds: the tenant that hostname serves. */
export const HostEntry = z.object({ v: z.literal(1), tenant: z.string().check(z.regex(TENANT_NAME)) });
export type HostEntry = z.infer<typeof HostEntry>;

export interface TenantDirectory {
  /** The tenant's entry, or undefined when there is no such tenant (or its entry is unreadable). */
  tenant(name: string): Promise<TenantEntry | undefined>;
  /** The tenant a hostname belongs to. */
  tenantOfHost(hostname: string): Promise<string | undefined>;
}

export const tenantKey = (name: string) => `tenant:${name}`;
export const hostKey = (hostname: string) => `host:${hostname.toLowerCase()}`;

/** How long an isolate trusts what it read (KV reads cost money and a few ms; changes are rare). */
export const DIRECTORY_CACHE_MS = 30_000;

/**
 * The directory in a KV namespace, cached per isolate.
 *
 * @example const directory = kvDirectory(env.TENANTS); await directory.tenant("acme-plumbing");
 */
export function kvDirectory(kv: KVNamespace, now: () => number = Date.now): TenantDirectory {
  const cache = new Map<string, { value: unknown; until: number }>();
  const read = async (key: string): Promise<unknown> => {
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value: unknown = await kv.get(key, "json").catch(() => null);
    cache.set(key, { value, until: now() + DIRECTORY_CACHE_MS });
    return value;
  };
  return {
    async tenant(name) {
      const parsed = TenantEntry.safeParse(await read(tenantKey(name)));
      return parsed.success && parsed.data.tenant === name ? parsed.data : undefined;
    },
    async tenantOfHost(hostname) {
      const parsed = HostEntry.safeParse(await read(hostKey(hostname)));
      return parsed.success ? parsed.data.tenant : undefined;
    },
  };
}

// A short-lived, single-flight cache for the tenant's tax-zone list, held in the isolate's memory.
//
// Why memory and not the Cache API: the list is small (tens of zones) and read on every request,
// so a memory hit costs no I/O at all, while `caches.default` is a subrequest-like lookup per
// request, is per data centre anyway, and does nothing on workers.dev hosts. The price is one
// upstream list call per isolate per TTL, which at ServiceTitan's 60 calls/s budget is nothing.
// Zones change rarely (only in the ServiceTitan app), so a 5-minute TTL is a fair staleness bound;
// an id missing from the cached list is looked up directly, so a brand-new zone is never a 404.

export interface ZoneCacheOptions {
  /** How long a loaded list is served (default 5 minutes). */
  ttlMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export interface ZoneCache<T> {
  /** The cached value for `key`, loading it (once, however many callers wait) when absent or stale. */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** Forgets `key`, so the next `get` loads again. */
  invalidate(key: string): void;
}

export const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * @example
 * const zones = createZoneCache<TaxZone[]>();
 * const list = await zones.get(`production:${tenantId}`, () => loadAllZones(client));
 */
export function createZoneCache<T>({
  ttlMs = DEFAULT_TTL_MS,
  now = Date.now,
}: ZoneCacheOptions = {}): ZoneCache<T> {
  const entries = new Map<string, { expiresAt: number; value: Promise<T> }>();
  return {
    get(key, load) {
      const entry = entries.get(key);
      if (entry && entry.expiresAt > now()) return entry.value;
      const value = load();
      const fresh = { expiresAt: now() + ttlMs, value };
      entries.set(key, fresh);
      // A failed load is not cached: the next request tries again instead of replaying the error.
      value.catch(() => {
        if (entries.get(key) === fresh) entries.delete(key);
      });
      return value;
    },
    invalidate(key) {
      entries.delete(key);
    },
  };
}

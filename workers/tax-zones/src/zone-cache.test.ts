import { describe, expect, it } from "vitest";
import { createZoneCache } from "./zone-cache.ts";

describe("createZoneCache", () => {
  it("loads once per key within the TTL and again after it", async () => {
    let now = 0;
    let loads = 0;
    const cache = createZoneCache<number>({ ttlMs: 1_000, now: () => now });
    const load = async () => ++loads;
    expect(await cache.get("a", load)).toBe(1);
    now = 999;
    expect(await cache.get("a", load)).toBe(1);
    expect(await cache.get("b", load)).toBe(2);
    now = 1_000;
    expect(await cache.get("a", load)).toBe(3);
  });

  it("shares one load between concurrent callers", async () => {
    let loads = 0;
    const cache = createZoneCache<number>();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        cache.get("k", async () => {
          loads++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          return 42;
        }),
      ),
    );
    expect(results).toEqual(Array(10).fill(42));
    expect(loads).toBe(1);
  });

  it("does not keep a failed load", async () => {
    const cache = createZoneCache<number>();
    await expect(cache.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.get("k", async () => 7)).toBe(7);
  });

  it("forgets a key on invalidate", async () => {
    const cache = createZoneCache<number>();
    await cache.get("k", async () => 1);
    cache.invalidate("k");
    expect(await cache.get("k", async () => 2)).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { createRandom, mixSeed } from "./random.ts";

describe("seeded randomness", () => {
  it("repeats for a seed and differs across seeds", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRandom(seed).next);
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(mixSeed(42, 1000001)).not.toBe(mixSeed(42, 2000002));
  });

  it("stays in range", () => {
    const random = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      const value = random.int(3, 5);
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThanOrEqual(5);
    }
    expect(() => random.pick([])).toThrow();
  });
});

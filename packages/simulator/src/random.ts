// Seeded randomness. Every seeded record and every probabilistic fault draws from here, so one
// seed always gives the same data and the same fault sequence (tests compare whole responses).

/** A uniform draw in [0, 1). */
export type Draw = () => number;

/** mulberry32: tiny, fast, and good enough for test data; never for anything secret. */
export function mulberry32(seed: number): Draw {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Folds several integers into one 32-bit seed, so each tenant (and each purpose) gets its own
 * stream: adding a tenant or a fault rule never shifts another tenant's data.
 */
export function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (const byte of String(part)) {
      hash ^= byte.charCodeAt(0);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hash = Math.imul(hash ^ 0xff, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Helpers over a seeded draw.
 *
 * @example
 * const random = createRandom(42);
 * random.int(1, 6); random.pick(["a", "b"]); random.chance(0.25);
 */
export interface Random {
  next: Draw;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    weighted<T>(entries: readonly (readonly [T, number])[]): T {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) return value;
      }
      const last = entries.at(-1);
      if (last === undefined) throw new Error("weighted pick from an empty list");
      return last[0];
    },
  };
}

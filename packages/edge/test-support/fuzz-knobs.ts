// The fuzz suite's knobs, read where vitest reads its config (node) and handed to the tests in
// workerd as bindings, since a Worker has no process environment of its own:
//
//   FUZZ_CASES  cases of the main property per worker (default 150; the text property runs a
//               third as many). A full run: FUZZ_CASES=2000 → ≥ 10,000 cases over the five workers.
//   FUZZ_SEED   fast-check seed (default fixed, so CI runs the same cases and a failure reproduces).
//
// turbo passes both to the test task and keys its cache on them (turbo.json).

/** Names of the knobs, as environment variables and as bindings. */
export const FUZZ_KNOBS = ["FUZZ_CASES", "FUZZ_SEED"] as const;

export type FuzzKnobs = Partial<Record<(typeof FUZZ_KNOBS)[number], string>>;

/**
 * The knobs set in this process's environment, as miniflare bindings.
 *
 * @example cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" }, miniflare: { bindings: fuzzKnobs() } })
 */
export function fuzzKnobs(): FuzzKnobs {
  // Typed by hand: this file is also compiled with the Workers types, which have no `process`.
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const knobs: FuzzKnobs = {};
  for (const name of FUZZ_KNOBS) {
    const value = environment?.[name];
    if (value !== undefined && value !== "") knobs[name] = value;
  }
  return knobs;
}

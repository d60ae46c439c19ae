/** Writes wrangler.watcher.jsonc without its queue consumers under .wrangler/vitest/ and returns the path. */
export function wranglerConfigWithoutConsumers(): string;

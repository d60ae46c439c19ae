// The wrangler config tests run with: the watcher's (it owns the Durable Object class; tests call
// the API's handlers directly) without its queue consumers (tests call the consumer themselves
// with createMessageBatch), written under .wrangler/ (git-ignored).
// Plain JavaScript because it runs in Node when vitest loads its config.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readJsonc } from "../../../scripts/lib/jsonc.mjs";

const worker = resolve(import.meta.dirname, "..");

/** Writes the test config and returns its path. */
export function wranglerConfigWithoutConsumers() {
  const { $schema: _schema, queues, main, ...config } = readJsonc(join(worker, "wrangler.watcher.jsonc"));
  const dir = join(worker, ".wrangler", "vitest");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "wrangler.json");
  // The API's static assets (its OpenAPI document), as its own wrangler.jsonc binds them.
  const { assets } = readJsonc(join(worker, "wrangler.jsonc"));
  const derived = {
    ...config,
    main: resolve(worker, main),
    queues: { producers: queues.producers },
    assets: { ...assets, directory: resolve(worker, assets.directory) },
  };
  writeFileSync(path, `${JSON.stringify(derived, null, 2)}\n`);
  return path;
}

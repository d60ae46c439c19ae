// Writes a worker's OpenAPI document from its route definitions: run from the worker's folder
// (`pnpm gen`). Reads `src/api.ts` (exports `info` and `routes`), writes
// `specs/workers/<folder>.openapi.json` at the repository root; `webhooks` (requests the worker
// sends) are documented too when api.ts exports them. Runs on Node's type stripping.
import { writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildOpenApi } from "../src/openapi.ts";

const workerDir = process.cwd();
const { info, routes, webhooks } = await import(pathToFileURL(join(workerDir, "src/api.ts")).href);
const document = buildOpenApi(info, routes, webhooks);
const out = resolve(import.meta.dirname, "../../../specs/workers", `${basename(workerDir)}.openapi.json`);
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${out} (${routes.length} routes${webhooks ? `, ${webhooks.length} webhooks` : ""})`);

// Builds the effective ServiceTitan Accounting v2 document that everything here is generated
// from: the newest vendored document, plus what only an older vendored document still describes
// (today: POST /payments and the webhook CloudEvent schemas, dropped from the May 2026 document).
// Deterministic: same inputs, byte-identical output. Inputs are checked against the sha256
// recorded in specs/servicetitan/PROVENANCE.md so a silently edited vendor file is caught.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Operations restored from an older document: [path, method, source file, scope]. */
export const RESTORED_OPERATIONS = [
  ["/tenant/{tenant}/payments", "post", "accounting-v2.2026-03-17.json", "tn.acc.payments:w"],
];
/**
 * Schemas restored from an older document that no operation refers to: ServiceTitan's webhook
 * (v2, beta) CloudEvents, which the March 2026 document describes and the May 2026 one dropped
 * (FACTS.md §2.9). The events worker receives them. [name pattern, source file]
 */
export const RESTORED_SCHEMAS = [
  [/^CloudEvent_Of_Accounting\.V2\.Webhook\./, "accounting-v2.2026-03-17.json"],
];
export const CURRENT = "accounting-v2.2026-05-21.json";

/** OpenAPI 3.0 `nullable: true` → OpenAPI 3.1 type unions, recursively. */
export function nullableTo31(schema) {
  if (Array.isArray(schema)) return schema.map(nullableTo31);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable" || key === "example") continue;
    out[key] = nullableTo31(value);
  }
  if (schema.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.oneOf)) out.oneOf = [...out.oneOf, { type: "null" }];
    else return { oneOf: [out, { type: "null" }] };
  }
  return out;
}

function refsIn(node, found = new Set()) {
  if (Array.isArray(node)) for (const item of node) refsIn(item, found);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.add(value.replace("#/components/schemas/", ""));
      else refsIn(value, found);
    }
  }
  return found;
}

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

/** Reads the sha256 column of PROVENANCE.md: `| file | ... | sha256 |`. */
function recordedHashes(specDir) {
  const hashes = new Map();
  for (const line of readFileSync(join(specDir, "PROVENANCE.md"), "utf8").split("\n")) {
    const cells = line.split("|").map((c) => c.trim().replaceAll("`", ""));
    const hash = cells.find((c) => /^[0-9a-f]{64}$/.test(c));
    if (hash && cells[1]?.endsWith(".json")) hashes.set(cells[1], hash);
  }
  return hashes;
}

export function buildEffectiveSpec(specDir) {
  const hashes = recordedHashes(specDir);
  const load = (file) => {
    const text = readFileSync(join(specDir, file), "utf8");
    const want = hashes.get(file);
    if (want !== sha256(text)) {
      throw new Error(`${file}: sha256 ${sha256(text)} does not match PROVENANCE.md (${want ?? "missing"})`);
    }
    return JSON.parse(text);
  };
  const spec = load(CURRENT);
  /** Copies `names` and the schemas they refer to that the current document lacks. */
  const copySchemas = (older, file, names) => {
    const pending = [...names];
    while (pending.length > 0) {
      const name = pending.pop();
      if (spec.components.schemas[name]) continue;
      const schema = older.components.schemas[name];
      if (!schema) throw new Error(`${file} has no schema ${name}`);
      spec.components.schemas[name] = nullableTo31(schema);
      pending.push(...refsIn(schema));
    }
  };
  for (const [path, method, file, scope] of RESTORED_OPERATIONS) {
    if (spec.paths[path]?.[method]) {
      throw new Error(
        `${method.toUpperCase()} ${path} is back in ${CURRENT}: drop it from RESTORED_OPERATIONS`,
      );
    }
    const older = load(file);
    const operation = nullableTo31(older.paths[path][method]);
    // The 3.0.1 document declares no per-operation security; give it the 3.1 document's shape.
    operation.security = [{ apiKeyHeader: [], oauth: [scope] }];
    operation["x-st-edge-restored-from"] = file;
    for (const response of Object.values(operation.responses)) {
      for (const media of Object.values(response.content ?? {})) delete media.example;
    }
    delete operation.requestBody?.content?.["application/json"]?.example;
    spec.paths[path] = { ...spec.paths[path], [method]: operation };
    // Copy the schemas the operation needs that the current document no longer has.
    copySchemas(older, file, refsIn(operation));
  }
  for (const [pattern, file] of RESTORED_SCHEMAS) {
    const older = load(file);
    const names = Object.keys(older.components.schemas).filter((name) => pattern.test(name));
    if (names.length === 0) throw new Error(`${file} has no schema matching ${pattern}`);
    if (names.some((name) => spec.components.schemas[name])) {
      throw new Error(`${CURRENT} has ${pattern} schemas again: drop them from RESTORED_SCHEMAS`);
    }
    copySchemas(older, file, names.sort());
  }
  return `${JSON.stringify(spec, null, 2)}\n`;
}

export function writeEffectiveSpec(specDir) {
  const out = join(specDir, "accounting-v2.effective.json");
  writeFileSync(out, buildEffectiveSpec(specDir));
  return out;
}

// Reads the workers' OpenAPI documents and the catalog into one platform-neutral model: every
// operation as a trigger, search or create with its inputs, the dynamic dropdowns that can be
// served, and the REST hook events the events worker offers (none until it exists).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DROPDOWNS,
  FIELD_LABELS,
  type FieldNotes,
  OPERATIONS,
  type OperationNotes,
  POLL_LIMIT,
  TRIGGER_MANAGED,
} from "./catalog.ts";
import type { DropdownSpec, FieldSpec, HookRoutes, OperationSpec } from "./runtime.ts";

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  $ref?: string;
  default?: unknown;
  examples?: unknown[];
  pattern?: string;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Document = {
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

export interface Model {
  workers: { name: string; title: string }[];
  operations: OperationSpec[];
  dropdowns: DropdownSpec[];
  /** The events worker's hook routes, or null while it does not exist. */
  hooks: HookRoutes | null;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** "customerId" → "Customer ID"; "pageSize" → "Page Size". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .split(" ")
    .filter(Boolean);
  return words.map((w) => (w.toLowerCase() === "id" ? "ID" : w[0]?.toUpperCase() + w.slice(1))).join(" ");
}

/** "createPayment" → "create_payment". */
const snake = (id: string) => id.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

const singular = (tag: string) =>
  humanize(tag.replace(/ies$/, "y").replace(/s$/, ""))
    .split(" ")
    .map((w) => (w === "ID" ? w : w[0]?.toUpperCase() + w.slice(1)))
    .join(" ");

function resolve(doc: Document, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return resolve(doc, doc.components?.schemas?.[name]);
  }
  return schema;
}

const types = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** The input type a schema asks for. Amounts (text or number) stay text: money is never a float. */
function fieldType(s: Schema): { type: FieldSpec["type"]; list?: boolean; choices?: string[] } {
  const branches = [...(s.oneOf ?? []), ...(s.anyOf ?? [])];
  if (branches.length > 0) {
    if (branches.some((b) => types(b).includes("boolean"))) return { type: "boolean" };
    if (
      branches.some((b) => types(b).includes("string")) &&
      branches.some((b) => types(b).includes("number"))
    ) {
      // Amounts are decimal text; page/limit style counts (digits only) are integers.
      const text = branches.find((b) => types(b).includes("string"));
      return { type: text?.pattern === "^\\d{1,6}$" ? "integer" : "string" };
    }
    return fieldType(branches[0] ?? {});
  }
  const t = types(s).filter((x) => x !== "null");
  if (t.includes("array")) {
    const item = fieldType(s.items ?? {});
    return { ...item, list: true };
  }
  if (s.enum) return { type: "string", choices: s.enum.map(String) };
  if (t.includes("integer")) return { type: "integer" };
  if (t.includes("number")) return { type: "number" };
  if (t.includes("boolean")) return { type: "boolean" };
  if (s.format === "date-time") return { type: "datetime" };
  return { type: "string" };
}

function makeField(
  key: string,
  schema: Schema,
  where: FieldSpec["in"],
  required: boolean,
  description: string | undefined,
  notes: FieldNotes | undefined,
  doc: Document,
): FieldSpec {
  const general = FIELD_LABELS[key] ?? {};
  const merged = { ...general, ...notes };
  const s = resolve(doc, schema);
  const { type, list, choices } = fieldType(s);
  const itemSchema = resolve(doc, s.items);
  const children =
    list && itemSchema.properties
      ? Object.entries(itemSchema.properties).map(([k, v]) =>
          makeField(k, v, "body", itemSchema.required?.includes(k) ?? false, v.description, undefined, doc),
        )
      : undefined;
  const generic = description ?? s.description;
  const help = merged.help ?? (generic && generic !== "A ServiceTitan id" ? generic : undefined);
  const example = s.examples?.[0] ?? s.oneOf?.find((b) => b.examples)?.examples?.[0];
  return {
    key,
    label: merged.label ?? humanize(key),
    ...(help ? { help } : {}),
    type: children ? "string" : type,
    required: merged.required ?? required,
    in: where,
    ...(list && !children ? { list: true } : {}),
    ...(choices ? { choices: choices.map((value) => ({ value, label: value })) } : {}),
    ...(merged.dropdown ? { dropdown: merged.dropdown } : {}),
    ...(merged.item ? { item: merged.item } : {}),
    ...(children ? { children } : {}),
    ...(merged.placeholder
      ? { placeholder: merged.placeholder }
      : typeof example === "string"
        ? { placeholder: example }
        : s.default !== undefined
          ? { placeholder: String(s.default) }
          : {}),
  };
}

/** A sample with every top-level member of the response schema, filled from the catalog's sample. */
function sampleOf(doc: Document, schema: Schema | undefined, given: Record<string, unknown> | undefined) {
  const s = resolve(doc, schema);
  const item = types(s).includes("array") ? resolve(doc, s.items) : s;
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(item.properties ?? {})) {
    const t = types(resolve(doc, prop)).filter((x) => x !== "null");
    out[key] = t.includes("array") ? [] : t.includes("object") ? {} : null;
  }
  return { ...out, ...given, id: given?.id ?? out.id ?? 1 };
}

function fieldsOf(
  doc: Document,
  op: Operation,
  notes: OperationNotes,
  kind: OperationSpec["kind"],
  method: string,
): FieldSpec[] {
  const hide = new Set([...(notes.hide ?? []), ...(kind === "trigger" ? TRIGGER_MANAGED : [])]);
  const fields: FieldSpec[] = [];
  for (const p of op.parameters ?? []) {
    if (p.in === "header" || hide.has(p.name)) continue;
    const where = p.in === "path" ? "path" : "query";
    fields.push(
      makeField(
        p.name,
        p.schema ?? {},
        where,
        p.required ?? p.in === "path",
        p.description,
        notes.fields?.[p.name],
        doc,
      ),
    );
  }
  const body = resolve(doc, op.requestBody?.content?.["application/json"]?.schema);
  // A body that is one of several shapes (a quote: subtotal, or labor and material) offers the
  // inputs of every shape; the worker says which combination it refuses.
  const shapes = body.oneOf ? body.oneOf.map((b) => resolve(doc, b)) : [body];
  const required = shapes.length === 1 ? (body.required ?? []) : [];
  for (const shape of shapes) {
    for (const [key, schema] of Object.entries(shape.properties ?? {})) {
      if (hide.has(key) || fields.some((f) => f.key === key)) continue;
      fields.push(
        makeField(key, schema, "body", required.includes(key), schema.description, notes.fields?.[key], doc),
      );
    }
  }
  for (const local of notes.local ?? []) {
    fields.push({
      key: local.key,
      label: local.label,
      help: local.help,
      type: "string",
      required: false,
      in: "query",
      local: local.match,
    });
  }
  // An update offers to clear what null clears; a create has nothing to clear.
  const clearable = kind === "create" && method === "PATCH" ? clearableFields(doc, body, fields) : [];
  if (clearable.length > 0) {
    fields.push({
      key: CLEAR_FIELD,
      label: "Fields to Clear",
      help: "Empties these in ServiceTitan (sent as null). Leave their own inputs blank: a blank input is not sent, so it changes nothing.",
      type: "string",
      required: false,
      in: "body",
      list: true,
      choices: clearable.map((field) => ({ value: field.key, label: field.label })),
      local: "clear",
    });
  }
  return fields;
}

/** The input that names the members an update sends as null (Zapier and n8n cannot send a null). */
const CLEAR_FIELD = "fieldsToClear";

/** The body's top-level members that null clears (their schema allows null), as inputs. */
function clearableFields(doc: Document, body: Schema, fields: FieldSpec[]): FieldSpec[] {
  const nullable = (schema: Schema | undefined) => {
    const s = resolve(doc, schema);
    return [s, ...(s.anyOf ?? []), ...(s.oneOf ?? [])].some((b) => types(b).includes("null"));
  };
  return fields.filter(
    (field) => field.in === "body" && !field.children && nullable(body.properties?.[field.key]),
  );
}

/**
 * Builds the model from every `*.openapi.json` in `specsDir`.
 *
 * @example const model = buildModel("specs/workers"); model.operations.map((o) => o.key)
 */
export function buildModel(specsDir: string): Model {
  const files = readdirSync(specsDir)
    .filter((f) => f.endsWith(".openapi.json"))
    .sort();
  const workers: Model["workers"] = [];
  const operations: OperationSpec[] = [];
  const used = new Set<string>();
  let hooks: Model["hooks"] = null;
  for (const file of files) {
    const worker = file.replace(/\.openapi\.json$/, "");
    const doc = JSON.parse(readFileSync(join(specsDir, file), "utf8")) as Document;
    workers.push({ name: worker, title: doc.info.title });
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        // The events worker's subscription routes are how instant triggers subscribe, not actions.
        if (path === "/hooks" && method === "post") {
          const body = resolve(doc, op.requestBody?.content?.["application/json"]?.schema);
          const events = (resolve(doc, body.properties?.event).enum ?? []).map(String);
          const listPath = item.get ? "/hooks" : null;
          hooks = { worker, subscribePath: "/hooks", unsubscribePath: "/hooks/{id}", listPath, events };
        }
        if (path === "/hooks" || path.startsWith("/hooks/")) continue;
        used.add(op.operationId);
        const notes = OPERATIONS[op.operationId] ?? {};
        if (notes.omit) continue;
        const upper = method.toUpperCase();
        const kind =
          notes.kind ?? (upper !== "GET" ? "create" : path.endsWith("/poll") ? "trigger" : "search");
        const response = op.responses?.["200"] ?? op.responses?.["201"];
        const responseSchema = response?.content?.["application/json"]?.schema;
        const noun = notes.noun ?? singular(op.tags?.[0] ?? worker);
        const base = {
          worker,
          operationId: op.operationId,
          method: upper,
          path,
          resource: notes.resource ?? noun,
          description: notes.description ?? op.summary ?? op.operationId,
          fields: fieldsOf(doc, op, notes, kind, upper),
          idempotent: (op.parameters ?? []).some(
            (p) => p.in === "header" && p.name.toLowerCase() === "idempotency-key",
          ),
          ...(notes.resultList ? { resultList: notes.resultList } : {}),
          sample: sampleOf(doc, responseSchema, notes.sample),
        };
        if (kind === "trigger") {
          const variants = notes.triggers ?? [
            {
              key: snake(op.operationId),
              noun,
              label: op.summary ?? humanize(op.operationId),
              description: op.description ?? op.summary ?? op.operationId,
              events: [],
            },
          ];
          for (const t of variants) {
            operations.push({
              ...base,
              key: t.key,
              kind,
              noun: t.noun,
              label: t.label,
              description: t.description,
              fixed: { ...t.fixed, limit: POLL_LIMIT },
              events: t.events,
              ...(t.transform ? { transform: t.transform, recordIdField: t.recordIdField ?? "id" } : {}),
            });
          }
          continue;
        }
        if (base.idempotent) {
          const reference = notes.reference ?? {
            label: "Your Reference (Idempotency Key)",
            help: "Optional. A unique reference for this request; the same reference is never applied twice.",
          };
          base.fields.push({
            key: "idempotencyKey",
            ...reference,
            type: "string",
            required: false,
            in: "query",
            local: "reference",
          });
        }
        operations.push({
          ...base,
          key: notes.key ?? snake(op.operationId),
          kind,
          noun,
          label: notes.label ?? op.summary ?? humanize(op.operationId),
          fixed: {},
          events: [],
          ...(notes.hidden ? { hidden: true } : {}),
        });
      }
    }
  }
  // An omission whose route is gone is harmless (nothing is generated either way); a label is not.
  const stale = Object.keys(OPERATIONS).filter((id) => !used.has(id) && !OPERATIONS[id]?.omit);
  if (stale.length > 0)
    throw new Error(`catalog.ts describes operations no document has: ${stale.join(", ")}`);
  const keys = operations.map((o) => o.key);
  const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (twice.length > 0)
    throw new Error(`two operations share the key ${twice.join(", ")}: name one in catalog.ts`);

  // Hook events switch a trigger to instant only for the events the worker really offers.
  for (const op of operations) op.events = hooks ? op.events.filter((e) => hooks?.events.includes(e)) : [];

  // A dropdown exists only when its list operation does; otherwise its fields stay plain inputs.
  const dropdowns: DropdownSpec[] = [];
  for (const [key, d] of Object.entries(DROPDOWNS)) {
    const source = operations.find((o) => o.operationId === d.operationId);
    if (source) dropdowns.push({ key, operationKey: source.key, value: d.value, label: d.label });
  }
  for (const op of operations) {
    for (const field of op.fields) {
      if (field.dropdown && !dropdowns.some((d) => d.key === field.dropdown)) delete field.dropdown;
    }
  }
  return { workers, operations, dropdowns, hooks };
}

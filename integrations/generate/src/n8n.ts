// Emits the n8n side: the model as typed data, and the node, trigger and credential properties as
// literal INodeProperties, so n8n's own lint (n8n-node lint) checks what users will see.
import type { Model } from "./model.ts";
import type { FieldSpec, OperationSpec } from "./runtime.ts";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/** A TypeScript literal for a JSON value: identifiers unquoted, tabs as n8n's style uses. */
export function toTs(value: Json | undefined, depth = 0): string {
  const pad = "\t".repeat(depth + 1);
  const end = "\t".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${pad}${toTs(v, depth + 1)},`).join("\n")}\n${end}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${toTs(v, depth + 1)},`).join("\n")}\n${end}}`;
  }
  return JSON.stringify(value ?? null);
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// n8n's lint (eslint-plugin-n8n-nodes-base) holds the words to its style: descriptions are
// sentences with a capital and a final period, "ID" in capitals, booleans start with "Whether",
// display names in title case, operation actions in sentence case, options sorted by name.
const sentence = (text: string) => {
  const t = text
    .trim()
    .replace(/\bids\b/g, "IDs")
    .replace(/\bid\b/g, "ID");
  const capital = (t.charAt(0).toUpperCase() + t.slice(1)).replace(/\.$/, "");
  // One sentence takes no final period; several take one (counted as the lint counts them).
  return capital.replace("e.g.", "").split(". ").length > 1 ? `${capital}.` : capital;
};
const SMALL = new Set([
  "a",
  "an",
  "and",
  "as",
  "at",
  "by",
  "for",
  "in",
  "of",
  "on",
  "or",
  "the",
  "to",
  "with",
]);
export const titleCase = (text: string) =>
  text
    .split(" ")
    .map((word, i, words) => {
      if (/^[A-Z0-9]{2,}s?$/.test(word) || word === "ServiceTitan") return word;
      if (i > 0 && i < words.length - 1 && SMALL.has(word.toLowerCase())) return word.toLowerCase();
      return word.charAt(0).toUpperCase() + word.slice(1);
    })
    .join(" ");
const sentenceCase = (text: string) =>
  text
    .split(" ")
    .map((word, i) => (i === 0 || /^[A-Z0-9]{2,}s?$/.test(word) ? word : word.toLowerCase()))
    .join(" ");
const humanizeValue = (value: string) => titleCase(value.replace(/([a-z0-9])([A-Z])/g, "$1 $2"));
const byName = <T extends { name: string }>(list: T[]) =>
  [...list].sort((a, b) => a.name.localeCompare(b.name));
const byDisplayName = <T extends { displayName?: Json }>(list: T[]) =>
  [...list].sort((a, b) => String(a.displayName).localeCompare(String(b.displayName)));

function defaultOf(field: FieldSpec): Json {
  if (field.children) return {};
  if (field.list) return field.choices ? [] : "";
  if (field.type === "boolean") return false;
  if (field.type === "integer" || field.type === "number") return 0;
  return "";
}

/** One field as an n8n property (without displayOptions). */
function property(field: FieldSpec, dropdowns: Set<string>): Record<string, Json | undefined> {
  const help = field.help ? sentence(field.help) : undefined;
  const base = {
    displayName: titleCase(field.label),
    name: field.key,
    required: field.required || undefined,
    description:
      field.type === "boolean" && !field.choices
        ? `Whether ${(help ?? `to set ${field.label.toLowerCase()}.`).replace(/^Yes to /, "to ")}`
        : help,
    placeholder: field.placeholder,
  };
  if (base.description?.toLowerCase() === base.displayName.toLowerCase()) base.description = undefined;
  if (field.key === "limit") {
    // n8n's convention for a result limit (and its lint's).
    return {
      ...base,
      description: "Max number of results to return",
      type: "number",
      typeOptions: { minValue: 1 },
      placeholder: undefined,
      default: 50,
    };
  }
  if (field.children) {
    return {
      ...base,
      type: "fixedCollection",
      typeOptions: { multipleValues: true },
      placeholder: "Add Split",
      default: {},
      options: [
        {
          displayName: "Split",
          name: "split",
          values: field.children.map((child) => ({ ...property(child, dropdowns), required: undefined })),
        },
      ],
    };
  }
  if (field.dropdown && dropdowns.has(field.dropdown)) {
    return {
      ...base,
      displayName: `${titleCase(field.label)} Name or ID`,
      type: "options",
      typeOptions: { loadOptionsMethod: camel(field.dropdown) },
      description:
        'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
      placeholder: undefined,
      default: "",
    };
  }
  if (field.choices) {
    const options = byName(field.choices.map((c) => ({ name: humanizeValue(c.label), value: c.value })));
    return field.list
      ? { ...base, type: "multiOptions", options, default: [] }
      : { ...base, type: "options", options, default: options[0]?.value ?? "" };
  }
  const type =
    field.type === "boolean"
      ? "boolean"
      : field.type === "datetime"
        ? "dateTime"
        : (field.type === "integer" || field.type === "number") && !field.list
          ? "number"
          : "string";
  return { ...base, type, default: defaultOf(field) };
}

const show = (resource: string, operation: string) => ({
  show: { resource: [resource], operation: [operation] },
});
const resourceValue = (noun: string) => camel(noun.toLowerCase().replace(/ /g, "_"));

/** The regular node's properties: resource, operation per resource, then each operation's inputs. */
function nodeProperties(ops: OperationSpec[], dropdowns: Set<string>): Json[] {
  const resources = byName(
    [...new Set(ops.map((o) => o.resource))].map((r) => ({ name: r, value: resourceValue(r) })),
  );
  const out: Json[] = [
    {
      displayName: "Resource",
      name: "resource",
      type: "options",
      noDataExpression: true,
      options: resources,
      default: resources[0]?.value ?? "",
    },
  ];
  for (const resource of resources) {
    const mine = ops.filter((o) => resourceValue(o.resource) === resource.value);
    const options = byName(
      mine.map((o) => ({
        name: o.label,
        value: camel(o.key),
        description: sentence(o.description),
        action: sentenceCase(o.label),
      })),
    );
    out.push({
      displayName: "Operation",
      name: "operation",
      type: "options",
      noDataExpression: true,
      displayOptions: { show: { resource: [resource.value] } },
      options,
      default: options[0]?.value ?? "",
    });
    for (const op of mine) out.push(...operationInputs(op, resource.value, dropdowns));
  }
  return out;
}

function operationInputs(op: OperationSpec, resource: string, dropdowns: Set<string>): Json[] {
  const where = show(resource, camel(op.key));
  const required = op.fields.filter((f) => f.required);
  const optional = op.fields.filter((f) => !f.required);
  const out: Json[] = required.map((f) => ({ ...property(f, dropdowns), displayOptions: where }));
  const lines = optional.filter((f) => f.children);
  out.push(...lines.map((f) => ({ ...property(f, dropdowns), displayOptions: where })));
  const rest = optional.filter((f) => !f.children);
  if (rest.length > 0) {
    out.push({
      displayName: op.kind === "search" ? "Filters" : "Additional Fields",
      name: op.kind === "search" ? "filters" : "additionalFields",
      type: "collection",
      placeholder: op.kind === "search" ? "Add Filter" : "Add Field",
      default: {},
      displayOptions: where,
      options: byDisplayName(rest.map((f) => property(f, dropdowns))),
    });
  }
  return out;
}

/** The polling trigger: which change to watch, and that trigger's own filters. */
function triggerProperties(triggers: OperationSpec[], dropdowns: Set<string>): Json[] {
  const events = byName(
    triggers.map((t) => ({ name: t.label, value: camel(t.key), description: sentence(t.description) })),
  );
  const out: Json[] = [
    {
      displayName: "Event",
      name: "event",
      type: "options",
      noDataExpression: true,
      options: events,
      default: events[0]?.value ?? "",
    },
  ];
  for (const t of triggers) {
    const rest = t.fields.filter((f) => !f.local);
    if (rest.length === 0) continue;
    out.push({
      displayName: "Filters",
      name: "filters",
      type: "collection",
      placeholder: "Add Filter",
      default: {},
      displayOptions: { show: { event: [camel(t.key)] } },
      options: byDisplayName(rest.map((f) => property({ ...f, required: false }, dropdowns))),
    });
  }
  return out;
}

/** The REST hook trigger: the events the events worker offers (none until it exists). */
function hookProperties(triggers: OperationSpec[]): Json[] {
  const instant = triggers.filter((t) => t.events.length > 0);
  if (instant.length === 0) {
    return [
      {
        displayName:
          "This deployment has no events worker yet, so nothing can be delivered instantly. Use the ServiceTitan Edge Trigger (polling) node instead.",
        name: "notice",
        type: "notice",
        default: "",
      },
    ];
  }
  const events = byName(
    instant.map((t) => ({ name: t.label, value: camel(t.key), description: sentence(t.description) })),
  );
  return [
    {
      displayName: "Event",
      name: "event",
      type: "options",
      noDataExpression: true,
      options: events,
      default: events[0]?.value ?? "",
    },
  ];
}

/** Generated files of integrations/n8n. */
export function n8nFiles(model: Model, header: string): Record<string, string> {
  const dropdowns = new Set(model.dropdowns.map((d) => d.key));
  const actions = model.operations.filter((o) => o.kind !== "trigger" && !o.hidden);
  const triggers = model.operations.filter((o) => o.kind === "trigger");
  const ops = model.operations.map((o) => ({
    ...o,
    value: camel(o.key),
    resourceValue: resourceValue(o.resource),
  }));
  const text = `${header}import type { INodeProperties } from 'n8n-workflow';
import type { DropdownSpec, HookRoutes, OperationSpec } from './runtime';

export type NodeOperation = OperationSpec & { value: string; resourceValue: string };

export const WORKERS: { name: string; title: string }[] = ${toTs(model.workers as unknown as Json)};

export const OPERATIONS: NodeOperation[] = ${toTs(ops as unknown as Json)};

/** Dropdowns by loadOptions method name. */
export const DROPDOWNS: Record<string, DropdownSpec> = ${toTs(Object.fromEntries(model.dropdowns.map((d) => [camel(d.key), d])) as unknown as Json)};

export const HOOKS: HookRoutes | null = ${toTs(model.hooks as unknown as Json)};

export const nodeProperties: INodeProperties[] = ${toTs(nodeProperties(actions, dropdowns))};

export const triggerProperties: INodeProperties[] = ${toTs(triggerProperties(triggers, dropdowns))};

export const hookTriggerProperties: INodeProperties[] = ${toTs(hookProperties(triggers))};

/** One optional URL per worker, for tenants that expose each worker on its own address. */
export const workerUrlProperties: INodeProperties[] = ${toTs(
    model.workers.map((w) => ({
      displayName: `${titleCase(w.title)} URL`,
      name: `url_${w.name.replace(/-/g, "_")}`,
      type: "string",
      default: "",
      placeholder: `https://acme-${w.name}.acme.workers.dev`,
      description: `Only when ${w.name} has its own address; otherwise the Deployment URL is used`,
    })),
  )};
`;
  return { "integrations/n8n/nodes/ServiceTitanEdge/generated/model.ts": text };
}

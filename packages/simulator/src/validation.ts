// Request validation driven by the spec: query parameters are parsed by their declared schema
// (integers, booleans, date-times, enums, repeated arrays, dictionaries) and JSON bodies are
// checked against the operation's request schema. Anything malformed becomes ServiceTitan's 400
// with errors by field. A spec parameter the simulator does not honour (query-parameters.ts) is
// refused with a 400 naming it, so no caller ever gets an answer a dropped filter widened.
import type { Decimal, operations } from "@st-edge/servicetitan";
import { type FieldErrors, validationProblem } from "./errors.ts";
import { money } from "./money.ts";
import { HONOURED_QUERY, type ListOperation } from "./query-parameters.ts";
import { resolveSchema, type SchemaObject, specOperation } from "./spec.ts";
import { parseDateTime } from "./time.ts";

/** ServiceTitan's `ids` filters take at most 50 ids (FACTS.md §2.7). */
export const MAX_IDS = 50;

type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
/** A query parameter name the spec declares for this operation (typos fail to compile). */
export type QueryName<Op extends keyof operations> = Extract<keyof QueryOf<Op>, string>;

type Parsed = string | number | boolean | Decimal | number[] | string[] | Map<string, string>;

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const invalid = (value: string, name: string) => `The value '${value}' is not valid for ${name}.`;

function parseInteger(text: string, format: string | undefined): number | undefined {
  if (!/^[+-]?\d{1,19}$/.test(text.trim())) return undefined;
  const value = Number(text);
  const [min, max] = INT_RANGE[format ?? "int64"] ?? INT_RANGE.int64 ?? [0, 0];
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

/** ASP.NET binds enums case-insensitively; we answer with the spec's spelling. */
function parseEnum(text: string, values: readonly (string | number)[]): string | undefined {
  const wanted = text.trim().toLowerCase();
  const match = values.find((value) => String(value).toLowerCase() === wanted);
  return match === undefined ? undefined : String(match);
}

function parseScalar(text: string, schema: SchemaObject): Parsed | undefined {
  if (schema.enum) return parseEnum(text, schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "integer":
      return parseInteger(text, schema.format);
    case "number":
      return /^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? money(text.trim()) : undefined;
    case "boolean": {
      const lowered = text.trim().toLowerCase();
      return lowered === "true" ? true : lowered === "false" ? false : undefined;
    }
    case "string":
      if (schema.format === "date-time") return parseDateTime(text);
      return text;
    default:
      return text;
  }
}

/** Comma-separated id lists are declared as plain strings; they are int64s all the same. */
const isIdList = (name: string, schema: SchemaObject): boolean =>
  schema.type === "string" && /(^ids|Ids)$/.test(name);

/**
 * One operation's query, parsed and checked against the spec. Date-times come back as epoch
 * milliseconds, decimals as Decimal, enums in the spec's spelling, repeated parameters as arrays.
 *
 * @example
 * const query = parseQuery("Invoices_GetList", new URL(request.url));
 * query.int("customerId"); query.list("statuses"); query.instant("modifiedOnOrAfter");
 */
export class Query<Op extends keyof operations> {
  readonly #values: Map<string, Parsed>;
  readonly #raw: Map<string, string[]>;

  constructor(values: Map<string, Parsed>, raw: Map<string, string[]>) {
    this.#values = values;
    this.#raw = raw;
  }

  /**
   * Every value given for a plain-string parameter, whether repeated (`a=1&a=2`) or
   * comma-separated (`a=1,2`): for parameters whose list format the spec leaves open.
   */
  strings(name: QueryName<Op>): string[] | undefined {
    const values = this.#raw.get(name.toLowerCase());
    if (!values) return undefined;
    const parts = values
      .flatMap((value) => value.split(","))
      .map((part) => part.trim())
      .filter(Boolean);
    return parts.length > 0 ? parts : undefined;
  }

  has(name: QueryName<Op>): boolean {
    return this.#values.has(name);
  }

  string(name: QueryName<Op>): string | undefined {
    const value = this.#values.get(name);
    return typeof value === "string" ? value : undefined;
  }

  int(name: QueryName<Op>): number | undefined {
    const value = this.#values.get(name);
    return typeof value === "number" ? value : undefined;
  }

  /** Date-time parameters, as epoch milliseconds. */
  instant(name: QueryName<Op>): number | undefined {
    return this.int(name);
  }

  bool(name: QueryName<Op>): boolean | undefined {
    const value = this.#values.get(name);
    return typeof value === "boolean" ? value : undefined;
  }

  decimal(name: QueryName<Op>): Decimal | undefined {
    const value = this.#values.get(name);
    return typeof value === "object" && !Array.isArray(value) && !(value instanceof Map) ? value : undefined;
  }

  /** A dictionary parameter (`customField.Fields[PO Number]=PO-1`): names as sent, with their values. */
  dictionary(name: QueryName<Op>): Map<string, string> | undefined {
    const value = this.#values.get(name);
    return value instanceof Map ? value : undefined;
  }

  /** Repeated parameters (`statuses=A&statuses=B`) and comma-separated id lists. */
  list(name: QueryName<Op>): string[] | undefined {
    const value = this.#values.get(name);
    return Array.isArray(value) ? value.map(String) : undefined;
  }

  ids(name: QueryName<Op>): number[] | undefined {
    const value = this.#values.get(name);
    return Array.isArray(value) ? value.map(Number) : undefined;
  }
}

/**
 * Reads a dictionary parameter the way ASP.NET binds one, from `name[key]=value` pairs (names
 * as sent; the bracket form is the only one simulated). Anything else under the name is an error.
 */
function readDictionary(
  name: string,
  schema: SchemaObject,
  url: URL,
  errors: FieldErrors,
): Map<string, string> | undefined {
  const prefix = name.toLowerCase();
  const pairs = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase();
    if (lower !== prefix && !lower.startsWith(`${prefix}[`) && !lower.startsWith(`${prefix}.`)) continue;
    const match = /^[^[]*\[([^\]]+)\]$/.exec(key);
    if (!match?.[1] || match[1].trim() === "") {
      errors[name] = [`Send ${name} as ${name}[Field name]=value; '${key}' is not understood.`];
      return undefined;
    }
    if ([...pairs.keys()].some((field) => field.toLowerCase() === match[1]?.toLowerCase())) {
      errors[name] = [`${name}[${match[1]}] is given more than once; a field takes one value.`];
      return undefined;
    }
    pairs.set(match[1], value);
  }
  const limit = schema.maxProperties;
  if (limit !== undefined && pairs.size > limit) {
    errors[name] = [`At most ${limit} fields are allowed; got ${pairs.size}.`];
    return undefined;
  }
  return pairs.size > 0 ? pairs : undefined;
}

/**
 * Parses the query of `operationId` as ASP.NET would bind it: names match case-insensitively,
 * unknown parameters are ignored, empty values count as absent, and every value that does not
 * fit its declared schema is reported at once (400, errors by parameter name). A parameter the
 * spec declares but the simulator does not honour is refused in the same 400.
 */
export function parseQuery<Op extends ListOperation>(operationId: Op, url: URL): Query<Op> {
  const { operation } = specOperation(operationId);
  const honoured = new Set<string>(HONOURED_QUERY[operationId]);
  const incoming = new Map<string, string[]>();
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase();
    incoming.set(lower, [...(incoming.get(lower) ?? []), value]);
  }
  const values = new Map<string, Parsed>();
  const errors: FieldErrors = {};
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in !== "query" || !parameter.schema) continue;
    const schema = resolveSchema(parameter.schema);
    const name = parameter.name;
    if (schema.type === "object") {
      const dictionary = readDictionary(name, schema, url, errors);
      if (dictionary && !honoured.has(name)) errors[name] = [notHonoured(name)];
      else if (dictionary) values.set(name, dictionary);
      continue;
    }
    const raw = (incoming.get(name.toLowerCase()) ?? []).filter((value) => value.trim() !== "");
    if (raw.length === 0) continue;
    if (!honoured.has(name)) {
      errors[name] = [notHonoured(name)];
    } else if (isIdList(name, schema)) {
      const parts = raw
        .flatMap((value) => value.split(","))
        .map((part) => part.trim())
        .filter(Boolean);
      const bad = parts.filter((part) => parseInteger(part, "int64") === undefined || Number(part) <= 0);
      if (bad.length > 0) errors[name] = bad.map((part) => invalid(part, name));
      else if (name === "ids" && parts.length > MAX_IDS)
        errors[name] = [`At most ${MAX_IDS} ids are allowed; got ${parts.length}.`];
      else values.set(name, parts.map(Number));
    } else if (schema.type === "array" && schema.items) {
      const itemSchema = resolveSchema(schema.items);
      const parsed = raw.map((value) => [value, parseScalar(value, itemSchema)] as const);
      const bad = parsed.filter(([, value]) => value === undefined).map(([text]) => invalid(text, name));
      if (bad.length > 0) errors[name] = bad;
      else
        values.set(
          name,
          parsed.map(([, value]) => String(value)),
        );
    } else {
      const text = raw[0] ?? "";
      const value = parseScalar(text, schema);
      if (value === undefined) errors[name] = [invalid(text, name)];
      else values.set(name, value);
    }
  }
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return new Query<Op>(values, incoming);
}

const notHonoured = (name: string) =>
  `The simulator does not support ${name} on this operation; it refuses it rather than ignore it.`;

/** A path id that breaks the spec's int64 is a 400 naming the parameter, as ASP.NET binds it. */
export function pathId(name: string, value: string): number {
  const id = parseInteger(value, "int64");
  if (id === undefined) throw validationProblem({ [name]: [invalid(value, name)] });
  return id;
}

const jsonType = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : typeof value === "number" && Number.isInteger(value)
        ? "integer"
        : typeof value;

const typeMatches = (type: string, value: unknown): boolean => {
  const actual = jsonType(value);
  return type === actual || (type === "number" && actual === "integer");
};

const push = (errors: FieldErrors, field: string, message: string) => {
  const key = field === "" ? "body" : field;
  errors[key] = [...(errors[key] ?? []), message];
};

function check(declared: SchemaObject, value: unknown, field: string, errors: FieldErrors): void {
  const nullable =
    declared.oneOf?.some((variant) => variant.type === "null") ||
    (Array.isArray(declared.type) && declared.type.includes("null"));
  if (value === null) {
    if (!nullable) push(errors, field, `The ${field || "body"} field is required.`);
    return;
  }
  const schema = resolveSchema(declared.oneOf?.find((variant) => variant.type !== "null") ?? declared);
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter(
    (t) => t !== "null",
  );
  if (types.length > 0 && !types.some((type) => typeMatches(type, value))) {
    push(errors, field, `The JSON value could not be converted to ${types.join(" or ")}.`);
    return;
  }
  if (
    schema.enum &&
    !schema.enum.includes(typeof value === "string" || typeof value === "number" ? value : "")
  ) {
    push(errors, field, `The value '${String(value)}' is not one of ${schema.enum.join(", ")}.`);
    return;
  }
  if (typeof value === "number" && schema.type === "integer" && !Number.isSafeInteger(value)) {
    push(errors, field, "The JSON value is outside the range of an int64 id.");
  }
  if (typeof value === "string" && schema.format === "date-time" && parseDateTime(value) === undefined) {
    push(errors, field, `The value '${value}' is not a valid date-time.`);
  }
  // `format: date` (InvoiceUpdateRequest.dueDate) takes a calendar date and nothing else.
  if (
    typeof value === "string" &&
    schema.format === "date" &&
    (!/^\d{4}-\d{2}-\d{2}$/.test(value) || parseDateTime(value) === undefined)
  ) {
    push(errors, field, `The value '${value}' is not a valid date (YYYY-MM-DD).`);
  }
  if (typeof value === "string" && schema.maxLength !== undefined && value.length > schema.maxLength) {
    push(errors, field, `The field ${field} must be a string with a maximum length of ${schema.maxLength}.`);
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((item, index) => {
      check(items, item, `${field}[${index}]`, errors);
    });
  }
  if (typeof value === "object" && !Array.isArray(value) && schema.properties) {
    const record = new Map(Object.entries(value));
    for (const name of schema.required ?? []) {
      if (record.get(name) === undefined)
        push(errors, field ? `${field}.${name}` : name, `The ${name} field is required.`);
    }
    for (const [name, property] of Object.entries(schema.properties)) {
      const child = record.get(name);
      // Unknown properties are ignored, as System.Text.Json does by default.
      if (child !== undefined) check(property, child, field ? `${field}.${name}` : name, errors);
    }
  }
}

/** The JSON body an operation takes, as the generated types have it. */
export type RequestBodyOf<Op extends keyof operations> =
  NonNullable<operations[Op]["requestBody"]> extends { content: { "application/json": infer Body } }
    ? Body
    : never;

/**
 * Parses a JSON request body and checks it against the operation's request schema (an object
 * or, for the mark-as-exported batch, an array); throws the 400 envelope otherwise.
 */
export async function readBody<Op extends keyof operations>(
  request: Request,
  operationId: Op,
): Promise<RequestBodyOf<Op>> {
  const { operation } = specOperation(operationId);
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${operationId} takes no JSON body`);
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw validationProblem({
      body: [
        text.trim() === "" ? "A non-empty request body is required." : "The request body is not valid JSON.",
      ],
    });
  }
  const errors: FieldErrors = {};
  check(schema, body, "", errors);
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  // The checks above follow the schema the generated type was made from.
  return body as RequestBodyOf<Op>;
}

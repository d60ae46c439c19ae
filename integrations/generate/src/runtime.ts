// The platform-neutral half of both integrations: where each worker lives, how an operation's
// inputs become a request, the Idempotency-Key, how an answer becomes results, and how a problem
// becomes an error a Zapier or n8n user can act on. `pnpm gen` copies this file into
// integrations/zapier (types stripped) and integrations/n8n, so the two platforms cannot drift.
// It has no imports: each platform hands in what it needs (a SHA-256, a clock, randomness).

/** One input of an operation, in the generator's words (see integrations/generate/src/model.ts). */
export interface FieldSpec {
  key: string;
  label: string;
  help?: string;
  type: "string" | "text" | "integer" | "number" | "boolean" | "datetime";
  required: boolean;
  in: "path" | "query" | "body";
  list?: boolean;
  choices?: { value: string; label: string }[];
  /** A dynamic dropdown: the key of a DropdownSpec. */
  dropdown?: string;
  /** A trigger filter's member in a poll item (dot path): instant triggers match deliveries on it. */
  item?: string;
  /** Line items: an array of objects in the body (payment splits). */
  children?: FieldSpec[];
  placeholder?: string;
  /**
   * Not sent as an input: a search's own matching (equals, contains, amount), the caller's
   * Idempotency-Key of a create (reference), or the body members an update sends as null, which
   * Zapier and n8n cannot send themselves (clear: the choices are those members).
   */
  local?: "equals" | "contains" | "amount" | "reference" | "clear";
}

export interface OperationSpec {
  key: string;
  kind: "trigger" | "search" | "create";
  worker: string;
  operationId: string;
  method: string;
  path: string;
  resource: string;
  noun: string;
  label: string;
  description: string;
  fields: FieldSpec[];
  /** Query parameters the operation always sends (a poll's mode, a sample-sized limit). */
  fixed: Record<string, string>;
  /** The worker requires an Idempotency-Key: the integration makes one (or uses the caller's). */
  idempotent: boolean;
  /** Where the records are in a 200 answer: the answer itself, or one of its members. */
  resultList?: string;
  /** `firstVersion`: one item per record (id = the record's own id), for "new …" triggers. */
  transform?: "firstVersion";
  /** Member holding the record's own id in poll items (firstVersion). */
  recordIdField?: string;
  /** REST hook events that deliver this trigger's items instantly (when the events worker exists). */
  events: string[];
  /** Hidden: only feeds a dropdown. */
  hidden?: boolean;
  sample: Record<string, unknown>;
}

/** The events worker's REST hook routes (Zapier's subscribe / unsubscribe shape). */
export interface HookRoutes {
  worker: string;
  subscribePath: string;
  unsubscribePath: string;
  /** `GET` of every subscription, when the worker has it (n8n checks its hooks still exist). */
  listPath: string | null;
  events: string[];
}

export interface DropdownSpec {
  key: string;
  operationKey: string;
  value: string;
  label: string;
}

/** What a user configures: one URL for every worker (or a `{worker}` pattern), and per-worker overrides. */
export interface DeploymentUrls {
  baseUrl?: string;
  overrides?: Record<string, string | undefined>;
}

/**
 * The base URL of one worker. `baseUrl` is either one host in front of every worker, or a pattern
 * with `{worker}` (as `pnpm tenant deploy` names workers: `<prefix>-<capability>`); an override wins.
 *
 * @example workerUrl({ baseUrl: "https://acme-{worker}.acme.workers.dev" }, "tax-zones")
 *   // "https://acme-tax-zones.acme.workers.dev"
 */
export function workerUrl(urls: DeploymentUrls, worker: string): string {
  const chosen = urls.overrides?.[worker]?.trim() || urls.baseUrl?.trim() || "";
  const url = chosen.split("{worker}").join(worker).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/\s]+/i.test(url)) {
    throw new InputError(
      `No deployment URL for ${worker}: set "Deployment URL" (or the ${worker} URL) in the connection to an http(s) address.`,
    );
  }
  return url;
}

/** Every distinct worker URL of a connection, for the connection test. */
export function distinctWorkerUrls(urls: DeploymentUrls, workers: string[]): string[] {
  return [...new Set(workers.map((worker) => workerUrl(urls, worker)))];
}

/** A refusal the integration makes itself, before calling anything. */
export class InputError extends Error {
  override readonly name = "InputError";
}

export interface PreparedRequest {
  method: string;
  /** Path with its parameters filled in, e.g. /invoices/11000001. */
  path: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
}

const isBlank = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (typeof value === "string" && value.trim() === "") ||
  (Array.isArray(value) && value.every(isBlank));

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.filter((v) => !isBlank(v));
  if (typeof value === "string")
    return value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
  return [value];
}

/** Converts one input to what the worker's schema expects; text stays text (money is never a float). */
function coerce(field: FieldSpec, value: unknown): unknown {
  if (field.type === "integer" && typeof value === "string" && /^-?\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  if (field.type === "boolean" && typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (text === "true" || text === "yes") return true;
    if (text === "false" || text === "no") return false;
  }
  if (field.type === "string" && typeof value === "number") return String(value);
  return typeof value === "string" ? value.trim() : value;
}

function fieldValue(field: FieldSpec, raw: unknown): unknown {
  if (field.children) {
    const rows = (Array.isArray(raw) ? raw : []).map((row) => {
      const out: Record<string, unknown> = {};
      for (const child of field.children ?? []) {
        const value = (row as Record<string, unknown> | null)?.[child.key];
        if (!isBlank(value)) out[child.key] = coerce(child, value);
      }
      return out;
    });
    return rows.filter((row) => Object.keys(row).length > 0);
  }
  if (field.list) return listOf(raw).map((item) => coerce(field, item));
  return coerce(field, raw);
}

/**
 * The request an operation makes for the given inputs. Unmapped inputs (empty text, null) are left
 * out, so the worker sees "absent", never a blank value; `local` inputs are not sent, except that
 * the members a `clear` input names are sent as null (one also given a value is refused).
 *
 * @example prepareRequest(findInvoices, { number: "100042", customerId: "" })
 *   // { method: "GET", path: "/invoices", query: { number: "100042" } }
 */
export function prepareRequest(op: OperationSpec, input: Record<string, unknown>): PreparedRequest {
  let path = op.path;
  const query: Record<string, string> = { ...op.fixed };
  const body: Record<string, unknown> = {};
  for (const field of op.fields) {
    if (field.local) continue;
    const raw = input[field.key];
    if (isBlank(raw)) {
      if (field.required) throw new InputError(`${field.label} is required.`);
      continue;
    }
    const value = fieldValue(field, raw);
    if (isBlank(value)) continue;
    if (field.in === "path") path = path.replace(`{${field.key}}`, encodeURIComponent(String(value)));
    else if (field.in === "query") query[field.key] = Array.isArray(value) ? value.join(",") : String(value);
    else body[field.key] = value;
  }
  for (const clear of op.fields.filter((field) => field.local === "clear")) {
    const chosen = input[clear.key];
    for (const key of isBlank(chosen) ? [] : listOf(chosen).map(String)) {
      const member = clear.choices?.find((choice) => choice.value === key);
      if (!member) throw new InputError(`${clear.label}: ${key} is not a field this action can clear.`);
      if (key in body)
        throw new InputError(`${member.label} is both given a value and chosen in ${clear.label}: do one.`);
      body[key] = null;
    }
  }
  const hasBody = !["GET", "DELETE"].includes(op.method);
  return { method: op.method, path, query, ...(hasBody ? { body } : {}) };
}

/** JSON with object keys sorted at every depth: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const HEADER_SAFE = /^[\x20-\x7e]{1,255}$/;

/**
 * The Idempotency-Key of a create. The caller's own reference (an order or receipt number) wins,
 * as is when it is printable ASCII, else as its hash. Without one, the key is derived from what
 * identifies this step (platform, Zap or workflow, step, item) and the exact request body: a
 * replay, an autoreplay or a throttled retry of the step sends the same inputs and so the same key.
 *
 * @example idempotencyKey({ reference: "order-1042", scope: [], body: {} }, sha256Hex) // "order-1042"
 */
export function idempotencyKey(
  { reference, scope, body }: { reference?: unknown; scope: (string | number)[]; body: unknown },
  sha256Hex: (text: string) => string,
): string {
  const own =
    typeof reference === "number" ? String(reference) : typeof reference === "string" ? reference.trim() : "";
  if (own !== "") return HEADER_SAFE.test(own) ? own : `ref-${sha256Hex(own).slice(0, 48)}`;
  return `auto-${sha256Hex(canonicalJson({ scope, body })).slice(0, 48)}`;
}

/** Records of a 200 answer, as the array a search or trigger returns. */
export function resultsOf(op: OperationSpec, body: unknown): Record<string, unknown>[] {
  const list = op.resultList ? (body as Record<string, unknown> | null)?.[op.resultList] : body;
  if (Array.isArray(list)) return list as Record<string, unknown>[];
  return body !== null && typeof body === "object" ? [body as Record<string, unknown>] : [];
}

/**
 * `firstVersion`: poll items are versions (`id` = "<record>-<modifiedOn>"); a "new …" trigger wants
 * one item per record, created within `windowHours`, with the record's id as `id`.
 */
export function firstVersions(
  items: Record<string, unknown>[],
  { recordIdField, now, windowHours = 24 }: { recordIdField: string; now: number; windowHours?: number },
): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const item of items) {
    const recordId = String(item[recordIdField] ?? "");
    const created = Date.parse(String(item.createdOn ?? ""));
    if (recordId === "" || seen.has(recordId)) continue;
    if (!Number.isFinite(created) || now - created > windowHours * 3_600_000) continue;
    seen.add(recordId);
    out.push({ ...item, id: recordId, versionId: item.id });
  }
  return out;
}

/** The value at a dot path of a record ("vendor.id"). */
function memberAt(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split(".")) {
    value =
      value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/**
 * Whether a delivered item passes an instant trigger's filters (those with an `item` member): a
 * hook delivers every change of its kind, the poll route filters on the server. Unset filters pass;
 * a list filter passes when the member is one of its values. Compared as text, case-insensitively.
 *
 * @example matchesFilters(newBill, { vendor: { id: 19000001 } }, { vendorId: "19000001" }) // true
 */
export function matchesFilters(
  op: OperationSpec,
  item: Record<string, unknown>,
  input: Record<string, unknown>,
): boolean {
  const text = (value: unknown) => String(value).trim().toLowerCase();
  return op.fields.every((field) => {
    if (!field.item || isBlank(input[field.key])) return true;
    const actual = memberAt(item, field.item);
    if (actual === undefined || actual === null) return false;
    const wanted = field.list ? listOf(input[field.key]) : [input[field.key]];
    return wanted.some((value) => text(value) === text(actual));
  });
}

/** Client-side matching for a search's `local` inputs (e.g. a payment's check number). */
export function matchLocal(
  op: OperationSpec,
  records: Record<string, unknown>[],
  input: Record<string, unknown>,
): Record<string, unknown>[] {
  const tests = op.fields.filter((f) => f.local && f.local !== "reference" && !isBlank(input[f.key]));
  return records.filter((record) =>
    tests.every((field) => {
      const wanted = String(input[field.key]).trim();
      const actual = record[field.key];
      if (actual === undefined || actual === null) return false;
      if (field.local === "contains") return String(actual).toLowerCase().includes(wanted.toLowerCase());
      if (field.local === "amount") return sameAmount(String(actual), wanted);
      return String(actual).trim().toLowerCase() === wanted.toLowerCase();
    }),
  );
}

/** Two decimal texts name the same amount ("25" = "25.00"); compared as text, never as floats. */
export function sameAmount(a: string, b: string): boolean {
  const norm = (text: string): string | undefined => {
    const m = text.trim().match(/^(-?)(\d+)(?:\.(\d+))?$/);
    if (!m) return undefined;
    const whole = (m[2] ?? "").replace(/^0+(?=\d)/, "");
    const fraction = (m[3] ?? "").replace(/0+$/, "");
    return `${whole === "0" && fraction === "" ? "" : m[1]}${whole}.${fraction}`;
  };
  const x = norm(a);
  return x !== undefined && x === norm(b);
}

/** The parts of an RFC 9457 problem this service answers with. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { in?: string; field?: string; message?: string }[];
  requestId?: string;
  traceId?: string;
}

export type Failure =
  | { action: "throttle"; message: string; delaySeconds: number }
  | { action: "retry"; message: string }
  | { action: "halt"; message: string }
  | { action: "reauth"; message: string }
  | { action: "notFound"; message: string };

/** "Title: detail. Fields: splits.0.amount: must be positive. (request id …)" */
export function problemMessage(problem: Problem): string {
  const head = [problem.title, problem.detail]
    .map((part) => part?.trim().replace(/\.$/, "") ?? "")
    .filter((part) => part !== "")
    .join(": ");
  const fields = (problem.errors ?? [])
    .map((e) => [e.field || e.in, e.message].filter(Boolean).join(": "))
    .filter((text) => text !== "");
  const parts = [head || `Request failed with status ${problem.status ?? "unknown"}`];
  if (fields.length > 0) parts.push(`Fields: ${fields.join("; ")}`);
  if (problem.requestId) parts.push(`(request id ${problem.requestId})`);
  return parts.join(". ");
}

/** Seconds from a Retry-After header (seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

/**
 * What a non-2xx answer means for the automation. 429, and 503/409 with Retry-After: wait and run
 * the same step again (same inputs, so the same Idempotency-Key), with jitter so callers do not
 * return at one instant. 401: the connection's key. 404: not found. Other 4xx (and 501): halt with
 * the problem's words. Other 5xx: an error the user (or autoreplay) can replay.
 */
export function classifyFailure({
  status,
  problem,
  retryAfter,
  url,
  random,
}: {
  status: number;
  /** The parsed body when it is a problem (or JSON), else undefined. */
  problem: Problem | undefined;
  retryAfter: number | undefined;
  url: string;
  random: () => number;
}): Failure {
  const ours = problem?.type?.startsWith("urn:st-edge:problem:") ?? false;
  if (!ours) {
    const where = url.split("?")[0];
    const message = `Unexpected answer ${status} from ${where}: this is not a ServiceTitan edge worker. Check the connection's deployment URL.`;
    return status === 429 || status >= 500 ? { action: "retry", message } : { action: "halt", message };
  }
  const message = problemMessage({ ...problem, status });
  const jittered = (seconds: number) => Math.max(1, Math.ceil(seconds * (1 + 0.2 * random())));
  if (status === 429) return { action: "throttle", message, delaySeconds: jittered(retryAfter ?? 10) };
  if ((status === 503 || status === 409) && retryAfter !== undefined) {
    return { action: "throttle", message, delaySeconds: jittered(retryAfter) };
  }
  if (status === 401) return { action: "reauth", message };
  if (status === 404) return { action: "notFound", message };
  if (status < 500 || status === 501) return { action: "halt", message };
  return { action: "retry", message };
}

/**
 * Checks an events-worker delivery's `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` with the deployment's hook secret; refuses one older than `toleranceSeconds`.
 * The comparison runs over every character, so its time does not depend on where they differ.
 */
export function verifySignature(
  {
    header,
    body,
    secret,
    now,
    toleranceSeconds = 300,
  }: { header: string | undefined; body: string; secret: string; now: number; toleranceSeconds?: number },
  hmacSha256Hex: (key: string, text: string) => string,
): boolean {
  const parts = Object.fromEntries(
    String(header ?? "")
      .split(",")
      .map((part) => part.trim().split("=", 2) as [string, string]),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = hmacSha256Hex(secret, `${parts.t}.${body}`);
  const given = String(parts.v1 ?? "");
  let diff = expected.length ^ given.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) || 0);
  return diff === 0;
}

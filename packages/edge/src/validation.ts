// Input validation at the edge with zod (the small `zod/mini` build keeps worker bundles in the
// tens of kilobytes). Every failure is a 400 problem listing each field and what is wrong with it.
import type * as z from "zod/mini";
import { duplicateKey } from "./json-keys.ts";
import { type FieldError, ProblemError } from "./problem.ts";
import { textProblem } from "./text.ts";

export type InputPart = FieldError["in"];

const MESSAGES: Partial<Record<string, (issue: z.core.$ZodIssue) => string>> = {
  invalid_type: (issue) => ("expected" in issue ? `must be ${String(issue.expected)}` : "has the wrong type"),
  too_big: (issue) => ("maximum" in issue ? `must be at most ${String(issue.maximum)}` : "is too big"),
  too_small: (issue) => ("minimum" in issue ? `must be at least ${String(issue.minimum)}` : "is too small"),
  invalid_value: (issue) =>
    "values" in issue && Array.isArray(issue.values)
      ? `must be one of ${issue.values.join(", ")}`
      : "is not allowed",
  unrecognized_keys: (issue) =>
    "keys" in issue ? `unknown field(s): ${issue.keys.join(", ")}` : "has unknown fields",
  invalid_format: (issue) =>
    "format" in issue ? `must be a valid ${String(issue.format)}` : "has the wrong format",
};

/** One FieldError per zod issue, with a message a person can act on. */
export function fieldErrors(error: z.core.$ZodError, part: InputPart): FieldError[] {
  return error.issues.map((issue) => {
    const custom = issue.message && issue.message !== "Invalid input" ? issue.message : undefined;
    return {
      in: part,
      field: issue.path.map(String).join("."),
      message: custom ?? MESSAGES[issue.code]?.(issue) ?? "is not valid",
    };
  });
}

/** Default request body limit: payment bodies are small; anything larger is a mistake or abuse. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Reads a request body's bytes: 413 past `maxBytes`, counted while streaming, so a missing or
 * lying Content-Length does not help. For bodies that must be read as sent (a signed webhook).
 */
export async function readBodyBytes(
  request: Request,
  maxBytes = DEFAULT_BODY_LIMIT_BYTES,
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  const tooLarge = () =>
    new ProblemError({ type: "payload-too-large", detail: `The body must be at most ${maxBytes} bytes` });
  const reader = request.body?.getReader();
  // Declared too large: still read to the end (discardRest), as for one found too large below.
  if (declared > maxBytes) {
    if (reader) await discardRest(reader);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        await discardRest(reader);
        throw tooLarge();
      }
      chunks.push(chunk.value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a JSON request body: 415 unless `Content-Type` is JSON, 413 past `maxBytes` (see
 * readBodyBytes), 400 when it is not JSON, repeats a key in an object, or holds text that is not
 * allowed (text.ts) in a value or a key.
 */
export async function readJsonBody(request: Request, maxBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<unknown> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ProblemError({ type: "unsupported-media-type", detail: "Send the body as application/json" });
  }
  const bytes = await readBodyBytes(request, maxBytes);
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw new ProblemError({
      type: "validation-failed",
      detail: "The body is not valid JSON",
      errors: [{ in: "body", field: "", message: "must be valid JSON" }],
    });
  }
  const repeated = duplicateKey(text);
  if (repeated !== undefined) {
    throw new ProblemError({
      type: "validation-failed",
      detail: "The body repeats a key: send each field once",
      errors: [{ in: "body", field: repeated, message: "is given more than once" }],
    });
  }
  const bad = badText(json);
  if (bad !== undefined) {
    throw new ProblemError({
      type: "validation-failed",
      detail: "The body holds text that is not allowed",
      errors: [{ in: "body", ...bad }],
    });
  }
  return json;
}

/**
 * Reads what is left of an upload and drops it. Cancelling a half-read request body instead made
 * `wrangler dev` answer some chunked uploads with its own text/plain 500 and a stack trace: its
 * proxy in front of the worker was still forwarding the upload when the stream broke; and
 * answering before the upload ended (a declared length too large) closed the socket under a
 * client still sending, which saw EPIPE instead of the 413 where the worker has its own socket
 * (the one-runtime local stack). Draining
 * keeps memory flat (each chunk is dropped as read), costs little CPU, and is bounded by the
 * platform's own request size limit (100 MB on the Free and Pro plans).
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    // dropped
  }
}

/**
 * The first string in a parsed JSON body that text.ts refuses, by its dotted path (the object's,
 * for a key), if there is one. A JSON escape can carry any of them ("\u0000", "\ud800"), so
 * checking the bytes would not do. Iterative, so deep nesting costs no stack.
 */
export function badText(json: unknown): { field: string; message: string } | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value: json, path: [] }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === "string") {
      const message = textProblem(value);
      if (message) return { field: path.join("."), message };
    } else if (Array.isArray(value)) {
      value.forEach((element, index) => {
        stack.push({ value: element, path: [...path, String(index)] });
      });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, element] of Object.entries(value)) {
        const message = textProblem(key);
        if (message)
          return { field: path.join("."), message: `has a field name that is not allowed: ${message}` };
        stack.push({ value: element, path: [...path, key] });
      }
    }
  }
  return undefined;
}

/**
 * Hono's query object: single values as strings, repeated parameters as arrays; only the
 * parameters in `names`, when given.
 */
export function queryObject(
  params: URLSearchParams,
  names?: ReadonlySet<string>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    if (names !== undefined && !names.has(key)) continue;
    const existing = out[key];
    out[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

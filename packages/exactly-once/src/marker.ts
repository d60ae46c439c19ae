// The marker that lets us find what we created when ServiceTitan's answer was lost.
//
// Every create carries it at the end of a text field that ServiceTitan stores and its reads
// return (a payment's `memo`; each kind of create says which field it uses), so reconciliation
// can search for it, and an accountant can trace a record back to the automation run that made
// it. It is short because ServiceTitan's text limits are UNCONFIRMED: 22 characters.
import { sha256Hex } from "./hash.ts";

export const MARKER_LENGTH = "[ste:0123456789abcdef]".length;

const MARKER = /\[ste:[0-9a-f]{16}\]/;

/**
 * The marker for an Idempotency-Key in a tenant: 64 bits of SHA-256, enough that two keys never
 * share one in practice, and the same value logs show as the key's hash. `kind` keeps the keys of
 * different kinds of create apart (payments, the first kind, have none, as before).
 *
 * @example await markerFor(1000001, "order-42") // "[ste:…16 hex…]"
 */
export async function markerFor(tenantId: number, key: string, kind?: string): Promise<string> {
  const scoped = kind === undefined ? `${tenantId}:${key}` : `${kind}:${tenantId}:${key}`;
  return `[ste:${(await sha256Hex(scoped)).slice(0, 16)}]`;
}

/** The text sent to ServiceTitan: the caller's text intact, then the marker. */
export function withMarker(text: string | null, marker: string): string {
  return text ? `${text} ${marker}` : marker;
}

/** Splits a stored text into the caller's part and our marker (null when there is none). */
export function splitMarker(text: string | null | undefined): { text: string | null; marker: string | null } {
  if (!text) return { text: text ?? null, marker: null };
  const found = MARKER.exec(text);
  if (!found) return { text, marker: null };
  const rest = (text.slice(0, found.index) + text.slice(found.index + found[0].length)).trim();
  return { text: rest === "" ? null : rest, marker: found[0] };
}

/** True when the stored text carries this marker (anywhere: tolerate trimming or edits around it). */
export function hasMarker(text: string | null | undefined, marker: string): boolean {
  return typeof text === "string" && text.includes(marker);
}

/** True when `text` holds anything shaped like a marker: callers' own text must not (it could make reconciliation of another key "find" their record). */
export function looksLikeMarker(text: string): boolean {
  return /\[ste:/i.test(text);
}

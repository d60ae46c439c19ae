// The marker that lets us find a payment we created when ServiceTitan's answer was lost.
//
// It goes at the end of the payment's `memo`: `memo` is stored and returned by GET /payments (so
// reconciliation can search for it) and shown to accountants (so a payment can be traced back to
// the automation run that posted it). `exportId` is not returned by GET /payments, and custom
// fields would need per-tenant setup. The marker is short because memo length limits are
// UNCONFIRMED: 22 characters, leaving 232 of an assumed 255 for the caller's memo.
import { MARKER_LENGTH } from "@st-edge/views/payment";
import { sha256Hex } from "./hash.ts";

// The reading side (the marker's pattern, splitting a memo) is shared with every payment view.
export { MARKER_LENGTH, splitMemo } from "@st-edge/views/payment";

/** Assumed ServiceTitan memo limit (UNCONFIRMED; kept conservative). */
export const MAX_MEMO = 255;
/** The caller's share of the memo: the marker and one space go after it. */
export const MAX_CALLER_MEMO = MAX_MEMO - MARKER_LENGTH - 1;

/**
 * The marker for an Idempotency-Key in a tenant: 64 bits of SHA-256, enough that two keys never
 * share one in practice, and the same value this worker logs as the key's hash.
 *
 * @example await markerFor(1000001, "order-42") // "[ste:…16 hex…]"
 */
export async function markerFor(tenantId: number, key: string): Promise<string> {
  return `[ste:${(await sha256Hex(`${tenantId}:${key}`)).slice(0, 16)}]`;
}

/** The memo sent to ServiceTitan: the caller's memo intact, then the marker. */
export function withMarker(memo: string | null, marker: string): string {
  return memo ? `${memo} ${marker}` : marker;
}

/** True when ServiceTitan's memo carries this marker (anywhere: tolerate trimming or edits around it). */
export function hasMarker(memo: string | null | undefined, marker: string): boolean {
  return typeof memo === "string" && memo.includes(marker);
}

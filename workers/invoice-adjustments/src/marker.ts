// Where an adjustment invoice carries its tracing marker: at the end of `royaltyMemo`. The create
// accepts it and every read returns it (InvoiceResponse.royalty.memo), byte for byte, so a create
// whose answer was lost is found again among the original's adjustments
// (`GET /invoices?adjustmentToId=`). Of the fields that round-trip, the others were worse homes:
// `summary` is printed on the customer's invoice, `number` too (and must be unique), and
// `exportId` belongs to the export loop (marking the invoice exported overwrites it). The marker's
// kind ("adjustment") keeps adjustment keys from ever sharing a payment key's marker.
//
// Lengths are counted in UTF-16 code units, as .NET counts them; the 255 limit is UNCONFIRMED and
// kept conservative (as for payment memos).
import { lengthProblem, placeholderProblem } from "@st-edge/edge";
import { looksLikeMarker, MARKER_LENGTH, markerFor } from "@st-edge/exactly-once/marker";

/** Assumed ServiceTitan limit of royaltyMemo, in UTF-16 code units (UNCONFIRMED). */
export const MAX_ROYALTY_MEMO = 255;
/** The caller's share: the marker and one space go after it. */
export const MAX_CALLER_ROYALTY_MEMO = MAX_ROYALTY_MEMO - MARKER_LENGTH - 1;

/** The marker kind of adjustment invoices. */
export const ADJUSTMENT_MARKER_KIND = "adjustment";

/** @example await adjustmentMarker(1000001, "write-off-42") // "[ste:…]" */
export const adjustmentMarker = (tenantId: number, key: string) =>
  markerFor(tenantId, key, ADJUSTMENT_MARKER_KIND);

/** Why a caller's royaltyMemo cannot be used: too long, a placeholder, or shaped like our marker. */
export function royaltyMemoProblem(text: string): string | undefined {
  return (
    lengthProblem(text, MAX_CALLER_ROYALTY_MEMO) ??
    placeholderProblem(text) ??
    (looksLikeMarker(text) ? 'must not contain "[ste:" (reserved for tracing)' : undefined)
  );
}

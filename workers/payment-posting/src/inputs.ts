// The payment-specific value rule: a memo must be a value (not a placeholder) and must not look
// like our tracing marker. The general rules (amounts, dates, lengths, placeholders) are shared
// by every worker: @st-edge/edge inputs.ts.
import { placeholderProblem } from "@st-edge/edge";
import { looksLikeMarker } from "@st-edge/exactly-once/marker";

/** Why a caller's memo cannot be used: a placeholder, or text that looks like our tracing marker. */
export function memoProblem(text: string): string | undefined {
  // A marker in a caller's memo could make reconciliation of another key "find" this payment.
  return (
    placeholderProblem(text) ??
    (looksLikeMarker(text) ? 'must not contain "[ste:" (reserved for tracing)' : undefined)
  );
}

// Problem types only this worker answers with. They are part of the API: automations branch on
// the `type` URN, so each one is stable and documented in the README.
import type { ProblemInit } from "@st-edge/edge";

const urn = (name: string) => `urn:st-edge:problem:${name}` as const;

/** The same Idempotency-Key was used before with a different request body. Nothing was posted. */
export const KEY_REUSED = urn("idempotency-key-reused");
/** Another request with this Idempotency-Key is still being processed. Retry after Retry-After. */
export const KEY_IN_USE = urn("idempotency-key-in-use");
/** ServiceTitan answered the create call with 404/405: this tenant cannot create payments through the API. */
export const CREATION_UNSUPPORTED = urn("payment-creation-unsupported");
/** The create call's outcome is unknown and could not be settled yet. Retry with the same key. */
export const OUTCOME_UNKNOWN = urn("payment-outcome-unknown");
/** The Durable Object holding the key could not be reached before posting. Nothing was posted. */
export const STORE_UNAVAILABLE = urn("idempotency-store-unavailable");
export const INVOICE_NOT_FOUND = urn("invoice-not-found");
export const INVOICE_INACTIVE = urn("invoice-inactive");
export const OVERPAYMENT = urn("overpayment");
export const PAYMENT_TYPE_UNKNOWN = urn("payment-type-unknown");
export const PAYMENT_NOT_FOUND = urn("payment-not-found");

/** Status and title of each, so every answer with a given type looks the same. */
export const PAYMENT_PROBLEMS: Record<string, { status: number; title: string }> = {
  [KEY_REUSED]: { status: 422, title: "Idempotency-Key already used for a different request" },
  [KEY_IN_USE]: { status: 409, title: "A request with this Idempotency-Key is in progress" },
  [CREATION_UNSUPPORTED]: { status: 501, title: "ServiceTitan does not accept payment creation" },
  [OUTCOME_UNKNOWN]: {
    status: 503,
    title: "The payment's outcome is not known yet; retry with the same key",
  },
  [STORE_UNAVAILABLE]: {
    status: 503,
    title: "The idempotency store is unavailable; retry with the same key",
  },
  [INVOICE_NOT_FOUND]: { status: 404, title: "Invoice not found in this tenant" },
  [INVOICE_INACTIVE]: { status: 422, title: "Invoice is inactive" },
  [OVERPAYMENT]: { status: 422, title: "Amount exceeds the invoice balance" },
  [PAYMENT_TYPE_UNKNOWN]: { status: 422, title: "Unknown payment type" },
  [PAYMENT_NOT_FOUND]: { status: 404, title: "Payment not found in this tenant" },
};

/**
 * A ProblemInit of one of this worker's types, with its fixed status and title.
 *
 * @example throw new ProblemError(paymentProblem(OVERPAYMENT, "Invoice 7 has 10.00 left"));
 */
export function paymentProblem(type: string, detail: string, extra: Partial<ProblemInit> = {}): ProblemInit {
  const known = PAYMENT_PROBLEMS[type];
  return { type: type as ProblemInit["type"], status: known?.status, title: known?.title, detail, ...extra };
}

// @st-edge/exactly-once: what makes a create in ServiceTitan happen once per Idempotency-Key, and
// a balance check and the write that follows it one decision per invoice. Used by payment posting
// and by any other kind of create (adjustment invoices).
//
// Workers that use it export the Durable Object classes from their main module and bind them:
// IdempotencyStore (one per environment + tenant + kind + key) and InvoiceGate (one per
// environment + tenant + invoice; every worker that changes balances binds the same namespace).
export {
  type CreateOnceOptions,
  type CreateOnceSettings,
  createOnce,
  type Prepared,
  REPLAYED_HEADER,
} from "./create-once.ts";
export { type InvoiceUnderGate, type ReadAhead, readAhead, readUnderGates } from "./gate/balances.ts";
export { type GateOptions, gateOf, type HeldInvoices, holdInvoices, sameInvoiceIds } from "./gate/hold.ts";
export { appliedTo, available, type InvoiceSeen, type PaymentSeen, sortOut } from "./gate/reservations.ts";
export type {
  Expectation,
  GateRecord,
  InvoiceTotalExpectation,
  PaymentExpectation,
  Reservation,
} from "./gate/state.ts";
export { QUIET_KEPT_MS } from "./gate/state.ts";
export { InvoiceGate } from "./gate/store.ts";
export { sha256Hex } from "./hash.ts";
export type { IdempotencyRecord, RecordState, StoredResponse } from "./idempotency/state.ts";
export { IdempotencyStore, RETENTION_MS } from "./idempotency/store.ts";
export { hasMarker, looksLikeMarker, MARKER_LENGTH, markerFor, splitMarker, withMarker } from "./marker.ts";
export { type ReconcileInput, type ReconcileResult, reconcile } from "./reconcile.ts";
export {
  type CreateOnceKnobs,
  holdTimes,
  integerKnob,
  RESERVATION_TTL_MS,
  readCreateOnceSettings,
} from "./settings.ts";

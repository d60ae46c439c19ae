// The invoice-adjustments worker's API: the route definition used both to validate requests and
// to generate specs/workers/invoice-adjustments.openapi.json. The invoice's own fields and a new
// item are the shapes invoice-changes takes too (its shapes.ts); the answer is the invoice as
// ServiceTitan holds it, in invoice-lookup's shape.
import { defineRoute, problemSpec, schemas } from "@st-edge/edge";
import { InvoiceView, invoiceFields, NewItemBody } from "@st-edge/worker-invoice-changes/shapes";
import * as z from "zod/mini";
import { MAX_CALLER_ROYALTY_MEMO, royaltyMemoProblem } from "./marker.ts";

export const info = {
  title: "ServiceTitan adjustment invoices",
  version: "1.0.0",
  description:
    "Creates adjustment invoices in ServiceTitan (a write-off, a charge found after the original was exported) " +
    "exactly once per Idempotency-Key: retries replay the first answer, lost answers are found again by a " +
    "tracing marker, never created twice.",
};

export const LIMITS = { adjustmentItems: 50 } as const;

export const AdjustmentBody = z.strictObject({
  ...invoiceFields,
  royaltyMemo: z.optional(
    z
      .string()
      .check(
        schemas.rule(royaltyMemoProblem),
        z.describe(
          `At most ${MAX_CALLER_ROYALTY_MEMO} characters: the tracing marker goes after it (how a lost answer is found again)`,
        ),
      ),
  ),
  items: z.optional(
    z
      .array(NewItemBody)
      .check(z.maxLength(LIMITS.adjustmentItems, `at most ${LIMITS.adjustmentItems} items`)),
  ),
});
export type AdjustmentInput = z.output<typeof AdjustmentBody>;

export const IdempotencyKeyHeaders = z.object({
  "idempotency-key": z
    .string("is required: send a key unique to this adjustment (1–255 printable ASCII characters)")
    .check(
      z.regex(/^[\x20-\x7e]{1,255}$/, "must be 1–255 printable ASCII characters"),
      z.describe("Unique per adjustment invoice; retries of the same one must reuse it"),
    ),
});

const RETRY_AFTER = { "Retry-After": { description: "Seconds to wait before retrying with the same key" } };

export const createAdjustment = defineRoute({
  method: "post",
  path: "/invoices/{id}/adjustments",
  operationId: "createAdjustment",
  summary: "Create an adjustment invoice (exactly once per Idempotency-Key)",
  description:
    "Invoices_CreateAdjustmentInvoice with adjustmentToId = {id}: a new invoice for the original's customer, " +
    "e.g. a write-off (negative unitPrice) or a charge found after the original was exported. Retrying with the " +
    "same key and body replays the first answer (Idempotent-Replayed: true); the same key with another body is " +
    "refused (422); a lost answer is found again by the tracing marker at the end of royaltyMemo, never created twice.",
  tags: ["Adjustments"],
  params: z.object({ id: schemas.Id }),
  headers: IdempotencyKeyHeaders,
  body: AdjustmentBody,
  bodyLimitBytes: 64 * 1024,
  responses: {
    201: {
      description: "The adjustment invoice as ServiceTitan holds it (or, on a replay, held)",
      schema: schemas.extendComponent(InvoiceView, {
        idempotencyKey: z.string(),
        marker: z.nullable(z.string()).check(z.describe("The tracing marker in royalty.memo")),
      }),
      headers: { "Idempotent-Replayed": { description: "`true` when this answer is a replay" } },
    },
    400: problemSpec("Invalid request, or the Idempotency-Key header is missing"),
    404: problemSpec("No such invoice (invoice-not-found)"),
    409: problemSpec("Another request with this key is in progress (idempotency-key-in-use)", RETRY_AFTER),
    422: problemSpec(
      "Key reused with another body, the invoice is inactive or an adjustment itself, or rejected",
    ),
    503: problemSpec(
      "Outcome not known yet (adjustment-outcome-unknown); retry with the same key",
      RETRY_AFTER,
    ),
  },
});

export const routes = [createAdjustment];

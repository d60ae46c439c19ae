// The payment-posting worker's API: route definitions used both to validate requests and to
// generate specs/workers/payment-posting.openapi.json. Cross-field rules (one payment type, splits
// summing to the amount, ...) live in payment-request.ts and answer with the same 400 shape.
import { defineRoute, lengthProblem, problemSpec, schemas } from "@st-edge/edge";
import { PaymentView, PollItem } from "@st-edge/views/payment";
import * as z from "zod/mini";
import { memoProblem } from "./inputs.ts";
import { MAX_CALLER_MEMO } from "./memo.ts";

export const info = {
  title: "ServiceTitan payment posting",
  version: "1.0.0",
  description:
    "Posts payments to ServiceTitan exactly once per Idempotency-Key (retries replay the first answer; " +
    "lost answers are reconciled, never re-posted blindly), and reads, updates and polls payments.",
};

const Text = schemas.Text;

/** An amount as a decimal string ("12.30") or a number (12.3): positive, at most two decimals. */
export const Money = schemas.Amount();

const PaidOn = schemas.BusinessDate();

export const PaymentStatus = z.enum(
  ["Pending", "Posted", "Exported"],
  "must be one of Pending, Posted, Exported",
);

const Flag = schemas.Flag;

const SplitInput = z.strictObject({
  invoiceId: z.optional(schemas.Id),
  invoiceNumber: z.optional(Text(50)),
  amount: Money,
});

const Splits = z
  .array(SplitInput)
  .check(
    z.minLength(1, "must list at least one invoice"),
    z.maxLength(50, "at most 50 invoices per payment"),
  );

const Memo = z.string().check(
  schemas.rule((value: string) => lengthProblem(value, MAX_CALLER_MEMO) ?? memoProblem(value)),
  z.describe(
    `At most ${MAX_CALLER_MEMO} characters (UTF-16 code units): the tracing marker goes after it, within ServiceTitan's 255`,
  ),
);

export const CreatePaymentBody = z.strictObject({
  typeId: z.optional(schemas.Id),
  paymentType: z.optional(
    Text(100).check(z.describe("Payment type name (case-insensitive), instead of typeId")),
  ),
  amount: z.optional(Money),
  paidOn: z.optional(PaidOn),
  memo: z.optional(Memo),
  checkNumber: z.optional(Text(50)),
  authCode: z.optional(Text(50)),
  status: z.optional(PaymentStatus),
  splits: z.optional(Splits),
  invoiceId: z.optional(schemas.Id),
  invoiceNumber: z.optional(Text(50)),
  allowOverpayment: z.optional(Flag),
});
export type CreatePaymentInput = z.output<typeof CreatePaymentBody>;

export const UpdatePaymentBody = z.strictObject({
  typeId: z.optional(schemas.Id),
  paymentType: z.optional(Text(100)),
  paidOn: z.optional(PaidOn),
  memo: z.optional(Memo),
  checkNumber: z.optional(Text(50)),
  authCode: z.optional(Text(50)),
  status: z.optional(PaymentStatus),
  splits: z.optional(Splits),
  allowOverpayment: z.optional(Flag),
});
export type UpdatePaymentInput = z.output<typeof UpdatePaymentBody>;

export const IdempotencyKeyHeaders = z.object({
  "idempotency-key": z
    .string("is required: send a key unique to this payment (1–255 printable ASCII characters)")
    .check(
      z.regex(/^[\x20-\x7e]{1,255}$/, "must be 1–255 printable ASCII characters"),
      z.describe("Unique per payment; retries of the same payment must reuse it"),
    ),
});

export const CreatedPayment = z.extend(PaymentView, { idempotencyKey: z.string() });

const RETRY_AFTER = { "Retry-After": { description: "Seconds to wait before retrying with the same key" } };

export const createPayment = defineRoute({
  method: "post",
  path: "/payments",
  operationId: "createPayment",
  summary: "Post a payment (exactly once per Idempotency-Key)",
  description:
    "Validates, checks the invoices and payment type, then creates the payment in ServiceTitan. " +
    "Retrying with the same key and body replays the first answer (Idempotent-Replayed: true); " +
    "the same key with a different body is refused (422).",
  tags: ["Payments"],
  headers: IdempotencyKeyHeaders,
  body: CreatePaymentBody,
  bodyLimitBytes: 16 * 1024,
  responses: {
    201: {
      description: "The payment was posted (or, on a replay, had been)",
      schema: CreatedPayment,
      headers: { "Idempotent-Replayed": { description: "`true` when this answer is a replay" } },
    },
    400: problemSpec("Invalid request (field errors listed), or the Idempotency-Key header is missing"),
    404: problemSpec("An invoice does not exist in this tenant (invoice-not-found)"),
    409: problemSpec("Another request with this key is in progress (idempotency-key-in-use)", RETRY_AFTER),
    422: problemSpec(
      "Key reused with another body, invoice inactive, overpayment, unknown payment type, or ServiceTitan rejected it",
    ),
    429: problemSpec("ServiceTitan rate limit; nothing was posted", RETRY_AFTER),
    501: problemSpec("ServiceTitan does not accept payment creation (payment-creation-unsupported)"),
    503: problemSpec(
      "Outcome not known yet, or ServiceTitan unavailable; retry with the same key",
      RETRY_AFTER,
    ),
  },
});

const CheckedSplitView = z.object({
  invoiceId: z.number(),
  invoiceNumber: z.nullable(z.string()),
  amount: z.string(),
  balance: z.nullable(z.string()).check(z.describe("The invoice's balance in ServiceTitan now")),
  available: z
    .nullable(z.string())
    .check(
      z.describe("What a payment may take now: the balance less payments this deployment is still recording"),
    ),
  balanceAfter: z.nullable(z.string()).check(z.describe("The balance once this payment is posted")),
});

export const PaymentCheck = z.object({
  ok: z.literal(true),
  typeId: z.number(),
  type: z.string(),
  amount: z.string(),
  customerId: z.nullable(z.number()),
  splits: z.array(CheckedSplitView),
});
export type PaymentCheckOutput = z.output<typeof PaymentCheck>;

export const checkPayment = defineRoute({
  method: "post",
  path: "/payments/check",
  operationId: "checkPayment",
  summary: "Check a payment without posting it",
  description:
    "Runs every check POST /payments makes (body, payment type, invoices, balances, one customer) and answers what " +
    "the payment would do, or the problem the post would answer. Nothing is written and no Idempotency-Key is " +
    "needed. The post checks again when it is sent: a payment made in between can still make it refuse.",
  tags: ["Payments"],
  body: CreatePaymentBody,
  bodyLimitBytes: 16 * 1024,
  responses: {
    200: { description: "The payment would be posted as shown", schema: PaymentCheck },
    400: problemSpec("Invalid request (field errors listed)"),
    404: problemSpec("An invoice does not exist in this tenant (invoice-not-found)"),
    409: problemSpec("Another write on an invoice is in progress (invoice-busy)", RETRY_AFTER),
    422: problemSpec(
      "Invoice inactive, overpayment, unknown payment type, or invoices of different customers",
    ),
  },
});

export const listPayments = defineRoute({
  method: "get",
  path: "/payments",
  operationId: "listPayments",
  summary: "Payments applied to an invoice",
  tags: ["Payments"],
  query: z.object({ invoiceId: schemas.Id }),
  responses: {
    200: { description: "Payments applied to the invoice", schema: z.object({ data: z.array(PaymentView) }) },
  },
});

export const pollPayments = defineRoute({
  method: "get",
  path: "/payments/poll",
  operationId: "pollPayments",
  summary: "Newest payments first, for polling triggers",
  description:
    "Each item's `id` is unique per version (`<paymentId>-<modifiedOn>`), so a trigger that de-duplicates by id " +
    "sees new and changed payments. Payments modified at the same instant as the last one returned are never cut off.",
  tags: ["Payments"],
  query: z.object({ limit: schemas.PageSize(100, 25) }),
  responses: { 200: { description: "Newest payments first", schema: z.array(PollItem) } },
});

export const getPayment = defineRoute({
  method: "get",
  path: "/payments/{id}",
  operationId: "getPayment",
  summary: "One payment",
  tags: ["Payments"],
  params: z.object({ id: schemas.Id }),
  responses: {
    200: { description: "The payment", schema: PaymentView },
    404: problemSpec("No such payment in this tenant"),
  },
});

export const updatePayment = defineRoute({
  method: "patch",
  path: "/payments/{id}",
  operationId: "updatePayment",
  summary: "Change a payment (fields not given are kept)",
  description:
    "ServiceTitan requires the type and splits on every update, so the current payment is read and the changes are " +
    "merged into it. `splits`, when given, replace all current splits.",
  tags: ["Payments"],
  params: z.object({ id: schemas.Id }),
  body: UpdatePaymentBody,
  bodyLimitBytes: 16 * 1024,
  responses: {
    200: { description: "The updated payment", schema: PaymentView },
    404: problemSpec("No such payment or invoice in this tenant"),
    422: problemSpec("Unknown payment type, inactive invoice, overpayment, or ServiceTitan rejected it"),
  },
});

export const updatePaymentStatus = defineRoute({
  method: "post",
  path: "/payments/status",
  operationId: "updatePaymentStatus",
  summary: "Set the status of up to 50 payments",
  tags: ["Payments"],
  body: z.strictObject({
    paymentIds: z
      .array(schemas.Id)
      .check(
        z.minLength(1, "must list at least one payment"),
        z.maxLength(50, "at most 50 payments per call"),
      ),
    status: PaymentStatus,
  }),
  responses: {
    200: {
      description: "ServiceTitan accepted the change",
      schema: z.object({ paymentIds: z.array(z.number()), status: z.string() }),
    },
  },
});

export const routes = [
  createPayment,
  checkPayment,
  listPayments,
  pollPayments,
  getPayment,
  updatePayment,
  updatePaymentStatus,
];

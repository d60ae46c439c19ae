// Payment writes, two steps each (two-step.ts): posting a payment (checked by payment-posting's
// POST /payments/check, posted by POST /payments exactly once per key) and setting the status of
// payments (POST /payments/status, which sets a value: repeating it changes nothing more).
// No tool offers `allowOverpayment`: an agent never pays an invoice past its balance.
import { markerFor } from "@st-edge/exactly-once/marker";
import type { PaymentViewOutput } from "@st-edge/views/payment";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { callCapability, type Problem } from "../capabilities.ts";
import { paymentSummary } from "../views.ts";
import { COMMIT } from "./define.ts";
import { Id, Money, Text } from "./read.ts";
import { type Checked, createOnce, notInTenant, postRequest, twoStepTools } from "./two-step.ts";

const PaymentStatus = z.enum(["Pending", "Posted", "Exported"]);

const SplitInput = z.strictObject({
  invoiceId: Id.optional(),
  invoiceNumber: Text(50).optional().describe("Instead of invoiceId"),
  amount: Money,
});

const PaymentInput = z.strictObject({
  invoiceId: Id.optional().describe("The invoice paid (or give splits)"),
  invoiceNumber: Text(50).optional().describe("Instead of invoiceId"),
  amount: Money.optional().describe("With invoiceId/invoiceNumber: the amount; with splits: their sum"),
  splits: z.array(SplitInput).min(1).max(50).optional().describe("One payment over several invoices"),
  paymentType: Text(100).optional().describe('Payment type name, e.g. "Check" (or typeId)'),
  typeId: Id.optional(),
  paidOn: Text(40).optional().describe("Date (2026-01-31) or RFC 3339 date-time; default when posted"),
  memo: Text(232).optional(),
  checkNumber: Text(50).optional(),
  authCode: Text(50).optional(),
  status: PaymentStatus.optional(),
});

/** What a payment token carries: the payment as checked, with ids and amounts resolved. */
const PaymentRequest = z.strictObject({
  typeId: Id,
  amount: Money,
  splits: z
    .array(z.strictObject({ invoiceId: Id, amount: Money }))
    .min(1)
    .max(50),
  paidOn: Text(40).optional(),
  memo: Text(232).optional(),
  checkNumber: Text(50).optional(),
  authCode: Text(50).optional(),
  status: PaymentStatus.optional(),
});
type PaymentRequest = z.output<typeof PaymentRequest>;

/** payment-posting's POST /payments/check answer. */
interface PaymentCheck {
  typeId: number;
  type: string;
  amount: string;
  customerId: number | null;
  splits: {
    invoiceId: number;
    invoiceNumber: string | null;
    amount: string;
    balance: string | null;
    available: string | null;
    balanceAfter: string | null;
  }[];
}

/**
 * payment-posting's overpayment refusal suggests `allowOverpayment`, which no tool here offers:
 * say what an agent can do instead.
 */
function withoutOverpaymentHint(problem: Problem): Problem {
  const hint = /;? ?\(?set allowOverpayment[^)]*\)?/g;
  return {
    ...problem,
    ...(problem.detail === undefined
      ? {}
      : { detail: `${problem.detail.replace(hint, "")} (no tool posts past a balance: lower the amount)` }),
    ...(problem.errors === undefined
      ? {}
      : { errors: problem.errors.map((error) => ({ ...error, message: error.message.replace(hint, "") })) }),
  };
}

async function checkPayment(
  args: z.output<typeof PaymentInput>,
  caller: Caller,
): Promise<Checked<PaymentRequest>> {
  const checked = await callCapability<PaymentCheck>(caller, "payment-posting", "/payments/check", {
    method: "POST",
    body: args,
  });
  if (!checked.ok) {
    const { problem } = checked;
    return {
      ok: false,
      problem: problem.type.endsWith(":overpayment") ? withoutOverpaymentHint(problem) : problem,
    };
  }
  const { typeId, type, amount, customerId, splits } = checked.data;
  const request: PaymentRequest = {
    typeId,
    amount,
    splits: splits.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount })),
    paidOn: args.paidOn,
    memo: args.memo,
    checkNumber: args.checkNumber,
    authCode: args.authCode,
    status: args.status,
  };
  const invoices = splits.map((split) => `${split.invoiceNumber ?? "(no number)"} (id ${split.invoiceId})`);
  return {
    ok: true,
    request,
    preview: {
      summary: `Post a ${type} payment of ${amount} to invoice${splits.length > 1 ? "s" : ""} ${invoices.join(", ")}`,
      paymentType: { id: typeId, name: type },
      amount,
      customerId,
      paidOn: args.paidOn ?? "when committed",
      memo: args.memo ?? null,
      checkNumber: args.checkNumber ?? null,
      authCode: args.authCode ?? null,
      status: args.status ?? "ServiceTitan's default",
      splits,
    },
  };
}

/** Whether an expired token's payment was posted: its marker on the first invoice's payments. */
async function paymentOfKey(
  request: PaymentRequest,
  caller: Caller,
  key: string,
): Promise<string | undefined> {
  const [first] = request.splits;
  if (!first) return undefined;
  const [marker, listed] = await Promise.all([
    markerFor(Number(caller.env.ST_TENANT_ID), key),
    callCapability<{ data: PaymentViewOutput[] }>(
      caller,
      "payment-posting",
      `/payments?invoiceId=${first.invoiceId}`,
    ),
  ]);
  if (!listed.ok) return undefined;
  const posted = listed.data.data.find((payment) => payment.marker === marker);
  return posted
    ? `It was committed before: payment ${posted.id} (marker ${marker}) is on invoice ${first.invoiceId}; no new payment is needed`
    : `No payment from it is on invoice ${first.invoiceId}: prepare again if the payment is still wanted`;
}

export const [preparePayment, commitPayment] = twoStepTools({
  name: "payment",
  summary: "post a payment",
  prepareDescription:
    "Checks a payment as posting it would: the payment type, that every invoice exists in this tenant and is " +
    "active, one customer, and that no split exceeds what is left on its invoice (balance less payments still " +
    "being recorded). Amounts are decimal text.",
  commitDescription: "Posts the prepared payment to ServiceTitan, exactly once.",
  // Moves money against invoice balances; a retry with the same token posts nothing more.
  annotations: COMMIT,
  input: PaymentInput,
  request: PaymentRequest,
  check: checkPayment,
  async send(request, caller, idempotencyKey) {
    const posted = await createOnce<PaymentViewOutput>(
      caller,
      "payment-posting",
      "/payments",
      request,
      idempotencyKey,
    );
    if (!posted.ok) return posted;
    const { created, replayed } = posted.data;
    return { ok: true, data: { payment: paymentSummary(created), replayed, idempotencyKey } };
  },
  audit: (request, outcome) => ({
    amount: request.amount,
    typeId: request.typeId,
    invoiceIds: request.splits.map((split) => split.invoiceId).join(","),
    splitAmounts: request.splits.map((split) => split.amount).join(","),
    paymentId: outcome.ok ? (outcome.data.payment as { id?: number } | undefined)?.id : undefined,
    replayed: outcome.ok ? outcome.data.replayed === true : undefined,
  }),
  whenExpired: paymentOfKey,
});

/** At most this many payments per status change: each one is read for the preview. */
export const MAX_STATUS_PAYMENTS = 25;

const StatusRequest = z.strictObject({
  paymentIds: z.array(Id).min(1).max(MAX_STATUS_PAYMENTS),
  status: PaymentStatus,
});
type StatusRequest = z.output<typeof StatusRequest>;

async function checkStatus(args: StatusRequest, caller: Caller): Promise<Checked<StatusRequest>> {
  const paymentIds = [...new Set(args.paymentIds)];
  const answers = await Promise.all(
    paymentIds.map((id) => callCapability<PaymentViewOutput>(caller, "payment-posting", `/payments/${id}`)),
  );
  const missing = paymentIds.filter((_, index) => {
    const answer = answers[index];
    return answer && !answer.ok && answer.problem.status === 404;
  });
  if (missing.length > 0)
    return notInTenant("payment-not-found", "payment", "paymentIds", missing, "changed");
  const failed = answers.find((answer) => !answer.ok);
  if (failed && !failed.ok) return failed;
  const payments = answers.flatMap((answer) => (answer.ok ? [paymentSummary(answer.data)] : []));
  const changing = payments.filter((payment) => payment.status !== args.status);
  return {
    ok: true,
    request: { paymentIds, status: args.status },
    preview: {
      summary: `Set ${paymentIds.length} payment${paymentIds.length > 1 ? "s" : ""} to ${args.status} (${changing.length} change)`,
      status: args.status,
      payments: payments.map(({ id, type, amount, status, customerId, splits }) => ({
        id,
        type,
        amount,
        currentStatus: status,
        customerId,
        splits,
      })),
    },
  };
}

export const [preparePaymentStatus, commitPaymentStatus] = twoStepTools({
  name: "payment_status",
  summary: "set payments' status",
  prepareDescription: `Reads up to ${MAX_STATUS_PAYMENTS} payments and shows their status now and after (Pending, Posted or Exported).`,
  commitDescription: "Sets the prepared payments' status in ServiceTitan.",
  // Overwrites the status (Exported tells accounting exports to skip them); setting it again changes nothing.
  annotations: COMMIT,
  input: StatusRequest,
  request: StatusRequest,
  check: checkStatus,
  send: postRequest("payment-posting", "/payments/status"),
  audit: (request) => ({ paymentIds: request.paymentIds.join(","), status: request.status }),
});

// Posting one payment exactly once: the payment-specific steps the shared exactly-once runner
// (@st-edge/exactly-once createOnce) calls.
//
// prepare  payment type and invoice numbers resolved; the invoices' gates taken (ascending ids);
//          invoices read under them, less what earlier writes of ours still hold; every check;
//          the create body with our marker in the memo; one reservation per invoice.
// send     POST /payments, cut off when it must stop sending.
// find     payments on the same invoices carrying the marker (reconciliation).
import type { ProblemInit } from "@st-edge/edge";
import { publishEvent } from "@st-edge/events";
import {
  createOnce,
  type HeldInvoices,
  hasMarker,
  holdInvoices,
  markerFor,
  type Prepared,
  RESERVATION_TTL_MS,
  type ReadAhead,
  type Reservation,
  readAhead,
  readUnderGates,
  sameInvoiceIds,
} from "@st-edge/exactly-once";
import {
  type Decimal,
  type DetailedPayment,
  isId,
  type PaymentCreateRequest,
  type PaymentResponse,
  type PaymentType,
  type ServiceTitanError,
  unwrap,
} from "@st-edge/servicetitan";
import { type PaymentViewOutput, viewOfDetailed, viewOfResponse } from "@st-edge/views/payment";
import type { PaymentCheckOutput } from "../api.ts";
import {
  type CheckedSplit,
  checkBalances,
  checkInvoices,
  commonCustomer,
  invoiceIdsOf,
  resolvePaymentType,
} from "../checks.ts";
import { searchPayments } from "../lookups.ts";
import { memoWithMarker } from "../memo.ts";
import { type CanonicalPayment, requestHash } from "../payment-request.ts";
import { type Ctx, gateTimes, type Posting, postingFor, transitionLog } from "./context.ts";

interface PaymentPlan {
  body: PaymentCreateRequest;
  paymentType: PaymentType;
  customerId: number | null;
  amount: CanonicalPayment["amount"];
}

/**
 * Posts `payment` under `key`: the answer to POST /payments.
 *
 * @example return postPayment(c, headers["idempotency-key"], toCanonicalPayment(body));
 */
export async function postPayment(c: Ctx, key: string, payment: CanonicalPayment): Promise<Response> {
  const posting = await postingFor(c);
  const { tenant, settings } = posting;
  const [hash, marker] = await Promise.all([requestHash(payment), markerFor(tenant.tenantId, key)]);
  const store = posting.env.IDEMPOTENCY.get(
    posting.env.IDEMPOTENCY.idFromName(`${tenant.environment}:${tenant.tenantId}:${key}`),
  );
  const ahead = readNamedInvoicesAhead(posting, payment);
  const named = namedInvoiceIds(payment);
  return createOnce<PaymentPlan, PaymentResponse, DetailedPayment>(
    {
      store,
      key,
      hash,
      marker,
      deadline: tenant.deadline,
      tokens: tenant.tokens,
      settings,
      outcomeUnknown: "payment-outcome-unknown",
      log: transitionLog(posting.requestId, { keyHash: marker.slice(5, -1) }),
      timing: posting.timing,
      holdEarly: (reservations) => holdNamedInvoices(posting, payment, reservations),
      // Every invoice named by id: the attempt and the reservations are known before any check.
      ...(named && {
        intent: {
          invoiceIds: named,
          reservations: reservationsFor(posting, splitsNamed(payment), marker),
        },
      }),
      prepare: (held) => preparePayment(posting, payment, { marker, early: held, ahead }),
      later: posting.later,
      send: (plan, signal) => sendPayment(posting, plan, signal),
      find: (invoiceIds, since) => paymentsCarrying(posting, marker, invoiceIds, since),
      created: (made, plan): PaymentViewOutput =>
        viewOfResponse(made, {
          amount: plan.amount,
          type: plan.paymentType.name,
          customerId: plan.customerId,
        }),
      found: viewOfDetailed,
      refusal: paymentRefusal,
      reservationPaymentId: (made) => made.id,
      // By reference: the create's answer has no modifiedOn, so the events worker reads the version.
      announce: (paymentId) =>
        posting.later(publishEvent(posting.env, { event: "payment.created", recordId: paymentId })),
    },
    posting.requestId,
  );
}

/** What every check of a post found, with the invoices' gates still held. */
export interface CheckedPayment {
  paymentType: PaymentType;
  splits: CheckedSplit[];
  customerId: number | null;
  held: HeldInvoices;
}

/** What a post brings to its checks: its own marker, gates it already holds, a read it already sent. */
interface CheckStart {
  /** This key's marker, whose reservation never counts against itself. */
  marker?: string;
  early?: HeldInvoices;
  ahead?: ReadAhead;
}

/**
 * Every check a post makes, with the invoices' gates held (the caller keeps them to write, or lets
 * them go): payment type and invoice numbers resolved, invoices read under the gates less what
 * earlier writes of ours still hold (a read sent ahead when the gates allow it), then existence,
 * activeness, balances and one customer.
 */
export async function checkUnderGates(
  posting: Posting,
  payment: CanonicalPayment,
  { marker, early, ahead }: CheckStart = {},
): Promise<CheckedPayment> {
  const { tenant, settings } = posting;
  const lookup = { client: tenant.client, cacheKey: posting.typesKey, ttlMs: settings.paymentTypesTtlMs };
  let held = early;
  try {
    const [paymentType, refs] = await Promise.all([
      resolvePaymentType(lookup, payment.type),
      invoiceIdsOf(tenant.client, payment.splits),
    ]);
    const invoiceIds = refs.map((split) => split.invoiceId);
    if (held && !sameInvoiceIds(held.invoiceIds, invoiceIds)) {
      await held.letGo();
      held = undefined;
    }
    held ??= await posting.timing.span("gate", () =>
      holdInvoices(posting.gates, invoiceIds, gateTimes(posting)),
    );
    const gates = held;
    const invoices = await posting.timing.span("reads", () =>
      readUnderGates(tenant.client, gates, { skewMs: settings.reconcileSkewMs, own: marker, ahead }),
    );
    const splits = checkInvoices(refs, invoices);
    checkBalances(splits, payment.allowOverpayment);
    return { paymentType, splits, customerId: commonCustomer(splits), held: gates };
  } catch (error) {
    await held?.letGo();
    throw error;
  }
}

/** The invoice ids the payment names, or undefined when a split names its invoice by number. */
function namedInvoiceIds(payment: CanonicalPayment): number[] | undefined {
  const ids = payment.splits.flatMap((split) => ("id" in split.invoice ? [split.invoice.id] : []));
  return ids.length === payment.splits.length ? [...new Set(ids)] : undefined;
}

/**
 * The invoices the payment names by id, read while its key and their gates are being claimed: the
 * checks use it if the gates vouch for it (readUnderGates), so a post on a quiet invoice waits for
 * one Durable Object round trip less. A replay or a refused key does not use it (one read spent).
 */
function readNamedInvoicesAhead(posting: Posting, payment: CanonicalPayment): ReadAhead | undefined {
  const ids = namedInvoiceIds(payment);
  return ids && readAhead(posting.tenant.client, ids);
}

/**
 * The gates of the invoices the payment names by id, taken without waiting (see createOnce's
 * holdEarly): undefined when one is busy or a split names its invoice by number (its id is
 * looked up first, under the key).
 */
function holdNamedInvoices(
  posting: Posting,
  payment: CanonicalPayment,
  reservations?: ReadonlyMap<number, Reservation>,
): Promise<HeldInvoices | undefined> {
  const ids = namedInvoiceIds(payment);
  if (!ids) return Promise.resolve(undefined);
  return posting.timing
    .span("gate", () =>
      holdInvoices(posting.gates, ids, {
        ...gateTimes(posting),
        waitMs: 0,
        ...(reservations && { reservations }),
      }),
    )
    .catch(() => undefined);
}

/** The splits of a payment whose invoices are all named by id, as reservations count them. */
function splitsNamed(payment: CanonicalPayment): { invoiceId: number; amount: Decimal }[] {
  return payment.splits.flatMap((split) =>
    "id" in split.invoice ? [{ invoiceId: split.invoice.id, amount: split.amount }] : [],
  );
}

async function preparePayment(
  posting: Posting,
  payment: CanonicalPayment,
  start: CheckStart & { marker: string },
): Promise<Prepared<PaymentPlan>> {
  const { marker } = start;
  const { paymentType, splits, customerId, held } = await checkUnderGates(posting, payment, start);
  return {
    plan: {
      body: createBody(payment, paymentType.id, splits, customerId, marker),
      paymentType,
      customerId,
      amount: payment.amount,
    },
    invoiceIds: splits.map((split) => split.invoiceId),
    gates: { held, reservations: reservationsFor(posting, splits, marker) },
  };
}

/** One reservation per invoice: the split's amount, held until reads show the payment. */
function reservationsFor(
  posting: Posting,
  splits: readonly { invoiceId: number; amount: Decimal }[],
  marker: string,
): Map<number, Reservation> {
  const now = Date.now();
  return new Map(
    splits.map((split) => {
      const amount = split.amount.toFixed(2);
      const reservation: Reservation = {
        id: marker,
        expect: { kind: "payment", marker, paymentId: null, applied: amount },
        amount,
        outcome: "unknown",
        // Every send ends by the request's deadline; past it plus the read-after-write wait, a
        // payment reads do not show did not land.
        settleBy: posting.tenant.deadline.at + posting.settings.reconcileWaitMs,
        createdAt: now,
        expiresAt: now + RESERVATION_TTL_MS,
      };
      return [split.invoiceId, reservation] as const;
    }),
  );
}

function createBody(
  payment: CanonicalPayment,
  typeId: number,
  splits: readonly CheckedSplit[],
  customerId: number | null,
  marker: string,
): PaymentCreateRequest {
  return {
    typeId,
    amount: payment.amount.toNumber(),
    ...(payment.paidOn ? { paidOn: payment.paidOn } : {}),
    memo: memoWithMarker(payment.memo, marker),
    ...(payment.checkNumber ? { checkNumber: payment.checkNumber } : {}),
    ...(payment.authCode ? { authCode: payment.authCode } : {}),
    ...(payment.status ? { status: payment.status } : {}),
    ...(customerId ? { customerId } : {}),
    splits: splits.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toNumber() })),
  };
}

async function sendPayment(
  posting: Posting,
  plan: PaymentPlan,
  signal: AbortSignal,
): Promise<PaymentResponse> {
  const created = unwrap(
    await posting.tenant.client.POST("/tenant/{tenant}/payments", { body: plan.body, signal }),
  );
  // A 2xx we cannot read says nothing reliable: settled like a lost answer.
  if (!isId(created.id)) throw new Error("ServiceTitan answered the create without a payment id");
  return created;
}

function paymentsCarrying(
  posting: Posting,
  marker: string,
  invoiceIds: readonly number[],
  since: string,
): Promise<DetailedPayment[]> {
  return searchPayments(posting.tenant.client, {
    ...(invoiceIds.length > 0 ? { appliedToInvoiceIds: invoiceIds } : {}),
    createdOnOrAfter: since,
  }).then((payments) => payments.filter((found) => hasMarker(found.memo, marker)));
}

/** ServiceTitan's definite refusal of the create, as the key's final answer. */
function paymentRefusal(error: ServiceTitanError): ProblemInit {
  const traceId = error.traceId;
  if (error.status === 404 || error.status === 405) {
    return {
      type: "payment-creation-unsupported",
      detail:
        `ServiceTitan answered ${error.status} to POST /payments: creating payments through the API is not available ` +
        "for this tenant (the endpoint is absent from ServiceTitan's May 2026 API description). Nothing was posted.",
      traceId,
    };
  }
  return {
    type: "upstream-rejected",
    detail: error.problem.title ?? `ServiceTitan refused the payment (${error.status})`,
    traceId,
    extensions: error.problem.errors ? { upstreamErrors: error.problem.errors } : undefined,
  };
}

/**
 * What POST /payments would do with `payment`, checked as it would be and written nowhere: the
 * answer to POST /payments/check. The gates are held only while the invoices are read.
 */
export async function checkPayment(c: Ctx, payment: CanonicalPayment): Promise<PaymentCheckOutput> {
  const { paymentType, splits, customerId, held } = await checkUnderGates(await postingFor(c), payment);
  await held.letGo();
  const money = (value: Decimal | null) => value?.toFixed(2) ?? null;
  return {
    ok: true,
    typeId: paymentType.id,
    type: paymentType.name,
    amount: payment.amount.toFixed(2),
    customerId,
    splits: splits.map((split) => ({
      invoiceId: split.invoiceId,
      invoiceNumber: split.invoice.referenceNumber ?? null,
      amount: split.amount.toFixed(2),
      balance: money(split.underGate.balance),
      available: money(split.underGate.available),
      balanceAfter: money(split.underGate.balance?.minus(split.amount) ?? null),
    })),
  };
}

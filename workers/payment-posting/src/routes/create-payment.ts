// POST /payments: exactly-once posting.
//
// 1. Validate and canonicalize the body; fingerprint it (SHA-256).
// 2. Claim the key in its Durable Object: replay a final answer, refuse a different body (422),
//    wait briefly for a concurrent owner then 409, or own the key under a lease.
// 3. If an earlier create's outcome is unknown, reconcile first (search for our memo marker).
// 4. Check type, invoices and balances; durably record the attempt; send the one create.
// 5. Success → store and answer 201. Definite refusal → store it (400/422/404/405) or release the
//    key (429, auth). Lost answer (timeout, 5xx, dropped connection) → reconcile: found → 201;
//    proven absent → release and 503 (retry posts again); unsettled → 503, the next retry reconciles.

import {
  type LogFields,
  log,
  ProblemError,
  type ProblemInit,
  problemResponse,
  type RouteInput,
  serviceTitanFor,
  type WorkerEnv,
} from "@st-edge/edge";
import {
  type DetailedPayment,
  isId,
  type PaymentCreateRequest,
  type PaymentResponse,
  ServiceTitanAuthError,
  ServiceTitanError,
  unwrap,
} from "@st-edge/servicetitan";
import { type PaymentViewOutput, viewOfDetailed, viewOfResponse } from "@st-edge/views/payment";
import type { Context } from "hono";
import type { createPayment } from "../api.ts";
import { checkBalances, commonCustomer, resolveInvoices, resolvePaymentType } from "../checks.ts";
import type { BeginResult, OwnerResult, StoredResponse } from "../idempotency/state.ts";
import { markerFor, withMarker } from "../marker.ts";
import { type CanonicalPayment, requestHash, toCanonicalPayment } from "../payment-request.ts";
import {
  CREATION_UNSUPPORTED,
  KEY_IN_USE,
  KEY_REUSED,
  OUTCOME_UNKNOWN,
  paymentProblem,
  STORE_UNAVAILABLE,
} from "../problems.ts";
import { reconcile } from "../reconcile.ts";
import { type PaymentBindings, readSettings } from "../settings.ts";

type Ctx = Context<WorkerEnv<PaymentBindings>>;

const REPLAYED = "Idempotent-Replayed";

/** How a failed create call ended, for the decision that follows. */
type CreateFailure =
  /** Not applied, and retrying may work (429, auth): release the key. */
  | { kind: "not-applied" }
  /** Not applied, and retrying cannot change that: store it as the key's final answer. */
  | { kind: "final"; problem: ProblemInit }
  /** May or may not have been applied. */
  | { kind: "unknown" };

function classify(error: unknown): CreateFailure {
  // The token endpoint failed: the create was never sent.
  if (error instanceof ServiceTitanAuthError) return { kind: "not-applied" };
  if (!(error instanceof ServiceTitanError) || error.outcomeUnknown) return { kind: "unknown" };
  const traceId = error.traceId;
  switch (error.status) {
    case 404:
    case 405:
      return {
        kind: "final",
        problem: paymentProblem(
          CREATION_UNSUPPORTED,
          `ServiceTitan answered ${error.status} to POST /payments: creating payments through the API is not available ` +
            "for this tenant (the endpoint is absent from ServiceTitan's May 2026 API description). Nothing was posted.",
          { traceId },
        ),
      };
    case 401:
    case 403:
    case 429:
      return { kind: "not-applied" };
    case 408:
      // "Request Timeout" may follow a partly received body; treat like any lost answer.
      return { kind: "unknown" };
    default:
      return {
        kind: "final",
        problem: {
          type: "upstream-rejected",
          detail: error.problem.title ?? `ServiceTitan refused the payment (${error.status})`,
          traceId,
          extensions: error.problem.errors ? { upstreamErrors: error.problem.errors } : undefined,
        },
      };
  }
}

/**
 * A call to the idempotency store whose failure must stop the request before anything is posted:
 * answered as a retryable 503 rather than an internal error.
 */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    log("error", {
      event: "idempotency-store-error",
      error: error instanceof Error ? error.name : "unknown",
    });
    throw new ProblemError(
      paymentProblem(
        STORE_UNAVAILABLE,
        "The idempotency store did not answer. Retry with the same Idempotency-Key: the payment will not be posted twice.",
        {
          retryAfterSeconds: 1,
        },
      ),
    );
  }
}

function json(status: number, body: string, replayed: boolean): Response {
  const headers = new Headers({
    "Content-Type": status >= 400 ? "application/problem+json" : "application/json",
  });
  if (replayed) headers.set(REPLAYED, "true");
  return new Response(body, { status, headers });
}

/** A stored answer, as sent again: the current request's id replaces the original one in problems. */
function withRequestId(stored: StoredResponse, requestId: string): string {
  return stored.status >= 400 ? JSON.stringify({ ...JSON.parse(stored.body), requestId }) : stored.body;
}

function replay(stored: StoredResponse, requestId: string): Response {
  return json(stored.status, withRequestId(stored, requestId), true);
}

/** A problem's body as stored: without the request id, which each answer fills in afresh. */
async function problemBody(problem: ProblemInit): Promise<string> {
  return problemResponse(problem).text();
}

function toCreateRequest(
  payment: CanonicalPayment,
  typeId: number,
  splits: { invoiceId: number; amount: CanonicalPayment["amount"] }[],
  customerId: number | null,
  marker: string,
): PaymentCreateRequest {
  return {
    typeId,
    amount: payment.amount.toNumber(),
    ...(payment.paidOn ? { paidOn: payment.paidOn } : {}),
    memo: withMarker(payment.memo, marker),
    ...(payment.checkNumber ? { checkNumber: payment.checkNumber } : {}),
    ...(payment.authCode ? { authCode: payment.authCode } : {}),
    ...(payment.status ? { status: payment.status } : {}),
    ...(customerId ? { customerId } : {}),
    splits: splits.map((split) => ({ invoiceId: split.invoiceId, amount: split.amount.toNumber() })),
  };
}

export async function createPaymentHandler(
  c: Ctx,
  { headers, body }: RouteInput<typeof createPayment>,
): Promise<Response> {
  const env = c.env;
  const requestId = c.var.requestId;
  const settings = readSettings(env);
  const key = headers["idempotency-key"];
  const payment = toCanonicalPayment(body);
  const { client, tenantId, environment } = await serviceTitanFor(env);
  const hash = await requestHash(payment);
  const marker = await markerFor(tenantId, key);
  const keyHash = marker.slice(5, -1);
  const stub = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`${environment}:${tenantId}:${key}`));
  const leaseMs = settings.leaseMs;

  const note = (
    transition: string,
    fields: Omit<LogFields, "event"> = {},
    level: "info" | "warn" | "error" = "info",
  ) => log(level, { event: "payment-idempotency", transition, requestId, keyHash, ...fields });

  const begun = await storeCall(
    async (): Promise<BeginResult> => stub.begin({ hash, leaseMs, waitMs: settings.waitMs }),
  );
  if (begun.kind === "mismatch") {
    note("key-reused", {}, "warn");
    throw new ProblemError(
      paymentProblem(
        KEY_REUSED,
        "This Idempotency-Key was already used with a different request body. Nothing was posted; use a new key for a new payment.",
      ),
    );
  }
  if (begun.kind === "busy") {
    note("busy");
    throw new ProblemError(
      paymentProblem(
        KEY_IN_USE,
        "Another request with this Idempotency-Key is still being processed; retry shortly.",
        {
          retryAfterSeconds: Math.min(10, Math.max(1, Math.ceil(begun.retryAfterMs / 1000))),
        },
      ),
    );
  }
  if (begun.kind === "replay") {
    note("replayed", { status: begun.response.status, paymentId: begun.paymentId ?? undefined });
    return replay(begun.response, requestId);
  }

  const { leaseId } = begun;
  note(begun.mustReconcile ? "takeover" : "acquired", { attempts: begun.record.attempts });

  const renew = async () => (await stub.renew({ leaseId, leaseMs })).ok;

  /** Stores a success (first success wins) and answers with what is stored. */
  const succeeded = async (
    view: PaymentViewOutput,
    replayed: boolean,
    traceFields: Omit<LogFields, "event"> = {},
  ) => {
    const response: StoredResponse = { status: 201, body: JSON.stringify({ ...view, idempotencyKey: key }) };
    let stored: StoredResponse = response;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const result = await stub.succeed({ hash, paymentId: view.id, response });
        stored = result.stored;
        if (result.paymentId !== view.id) {
          note(
            "duplicate-detected",
            { paymentId: view.id, storedPaymentId: result.paymentId ?? undefined },
            "error",
          );
        }
        break;
      } catch (error) {
        // The payment exists either way; an unrecorded success is found again by the next reconcile.
        note(
          "store-failed",
          { paymentId: view.id, error: error instanceof Error ? error.name : "unknown" },
          "error",
        );
      }
    }
    note("succeeded", { paymentId: view.id, ...traceFields });
    return json(stored.status, stored.body, replayed);
  };

  /** Stores a final refusal and answers with it. */
  const failed = async (problem: ProblemInit) => {
    const response: StoredResponse = { status: problem.status ?? 422, body: await problemBody(problem) };
    // Unrecorded, the refusal is simply met again: the record stays "posting", the next retry
    // reconciles (absent) and posts, and ServiceTitan refuses once more.
    const result = await stub.fail({ leaseId, response }).catch(() => ({ lost: true }) as const);
    note("failed", { problemType: String(problem.type), traceId: problem.traceId });
    const stored = "lost" in result ? response : result.stored;
    return json(stored.status, withRequestId(stored, requestId), false);
  };

  const found = (payment: DetailedPayment, others: number[]) => {
    if (others.length > 0) {
      note("duplicates-found", { paymentId: payment.id, others: others.join(",") }, "error");
    }
    return viewOfDetailed(payment);
  };

  const unknownOutcome = (detail: string) =>
    new ProblemError(paymentProblem(OUTCOME_UNKNOWN, detail, { retryAfterSeconds: 2 }));

  /** Reconciles an earlier create; returns a response when settled as found, undefined when absent. */
  const settle = async (invoiceIds: number[], firstAttemptAt: number, settledAt: number) => {
    let result: Awaited<ReturnType<typeof reconcile>>;
    try {
      result = await reconcile({
        client,
        marker,
        invoiceIds,
        firstAttemptAt,
        settledAt,
        waitMs: settings.reconcileWaitMs,
        skewMs: settings.reconcileSkewMs,
        renew,
      });
    } catch (error) {
      const traceId = error instanceof ServiceTitanError ? error.traceId : undefined;
      note("reconcile-failed", { traceId, error: error instanceof Error ? error.name : "unknown" }, "warn");
      await stub.release({ leaseId }).catch(() => undefined);
      throw unknownOutcome(
        "ServiceTitan's answer to the create was lost and the payment could not be looked up yet. Retry with the same Idempotency-Key: it will be looked up again, never posted twice.",
      );
    }
    if (result.kind === "lease-lost") {
      note("lease-lost", { checks: result.checks }, "warn");
      throw unknownOutcome("Reconciliation took too long; retry with the same Idempotency-Key.");
    }
    if (result.kind === "found") {
      note("reconciled-found", { paymentId: result.payment.id, checks: result.checks });
      return found(result.payment, result.others);
    }
    note("reconciled-absent", { checks: result.checks });
    const absent = await storeCall(async (): Promise<OwnerResult> => stub.markAbsent({ leaseId, leaseMs }));
    if (!absent.ok) {
      throw new ProblemError(
        paymentProblem(KEY_IN_USE, "Another request took over this Idempotency-Key; retry shortly.", {
          retryAfterSeconds: 1,
        }),
      );
    }
    return undefined;
  };

  const run = async (): Promise<Response> => {
    try {
      if (begun.mustReconcile) {
        const record = begun.record;
        const first = record.firstAttemptAt ?? record.createdAt;
        // A dead owner's create cannot have lasted past its timeout on our side.
        const view = await settle(
          record.invoiceIds,
          first,
          (record.lastAttemptAt ?? first) + settings.timeoutMs,
        );
        if (view) return await succeeded(view, true);
      }

      const lookup = { client, cacheKey: `${environment}:${tenantId}`, ttlMs: settings.paymentTypesTtlMs };
      const [paymentType, splits] = await Promise.all([
        resolvePaymentType(lookup, payment.type),
        resolveInvoices(client, payment.splits),
      ]);
      checkBalances(splits, payment.allowOverpayment);
      const customerId = commonCustomer(splits);
      const createBody = toCreateRequest(payment, paymentType.id, splits, customerId, marker);
      const invoiceIds = splits.map((split) => split.invoiceId);

      const gate = await storeCall(
        async (): Promise<OwnerResult> => stub.attempt({ leaseId, leaseMs, invoiceIds, marker }),
      );
      if (!gate.ok) {
        note("attempt-refused", { reason: gate.reason }, "warn");
        throw new ProblemError(
          paymentProblem(KEY_IN_USE, "Another request took over this Idempotency-Key; retry shortly.", {
            retryAfterSeconds: 1,
          }),
        );
      }
      const attemptedAt = gate.record.lastAttemptAt ?? Date.now();
      note("attempt", { attempts: gate.record.attempts });

      let created: PaymentResponse;
      try {
        created = unwrap(await client.POST("/tenant/{tenant}/payments", { body: createBody }));
        // A 2xx we cannot read says nothing reliable: settle it like a lost answer.
        if (!isId(created.id)) throw new Error("ServiceTitan answered the create without a payment id");
      } catch (error) {
        const failure = classify(error);
        const traceId = error instanceof ServiceTitanError ? error.traceId : undefined;
        const upstreamStatus = error instanceof ServiceTitanError ? error.status : undefined;
        note("create-failed", { outcome: failure.kind, upstreamStatus, traceId }, "warn");
        if (failure.kind === "final") return await failed(failure.problem);
        if (failure.kind === "not-applied") {
          await storeCall(async () => {
            await stub.markAbsent({ leaseId, leaseMs });
            await stub.release({ leaseId });
          });
          throw error;
        }
        const view = await settle(invoiceIds, gate.record.firstAttemptAt ?? attemptedAt, Date.now());
        if (view) return await succeeded(view, false, { traceId });
        await storeCall(() => stub.release({ leaseId }));
        throw new ProblemError({
          type: "upstream-unavailable",
          detail:
            "ServiceTitan did not record the payment (its answer was lost, and the payment is provably absent). Retry with the same Idempotency-Key.",
          retryAfterSeconds: 1,
          traceId,
        });
      }
      return await succeeded(
        viewOfResponse(created, { amount: payment.amount, type: paymentType.name, customerId }),
        false,
      );
    } catch (error) {
      // Whatever happened, let go of the key. A record whose create is unsettled stays "posting",
      // so the next owner reconciles; a record with no create attempted is deleted.
      await stub.release({ leaseId }).catch(() => undefined);
      throw error;
    }
  };

  // Finish and record the outcome even if the caller hangs up mid-way.
  const work = run();
  try {
    c.executionCtx.waitUntil(
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
  } catch {
    // No execution context (plain app.request in unit tests): nothing to extend.
  }
  return work;
}

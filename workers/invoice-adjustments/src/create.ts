// POST /invoices/{id}/adjustments: one adjustment invoice exactly once per Idempotency-Key: the adjustment-specific steps
// the shared exactly-once runner (@st-edge/exactly-once createOnce) calls, with the same contract
// as payment posting (replay, 422 on another body, lost answers settled by the marker).
//
// prepare  the original's gate taken (with the key's claim when it is free); the original read
//          under it, or the read sent with the claim when the gate vouches for it (it must exist,
//          be active and not be an adjustment itself); the create body with our marker at the end
//          of royaltyMemo.
//          The gate is held while the create is sent, and nothing is reserved on it: an adjustment
//          is a new invoice with its own total and balance, and changes no existing invoice's
//          balance in ServiceTitan's reads (the simulator keeps them apart; whether ServiceTitan nets
//          an adjustment into its original is UNCONFIRMED, and holding the original's gate while it
//          is created keeps a payment on the original from being decided meanwhile).
// send     POST /invoices (answers the new id), then the new invoice read back.
// find     the original's adjustments (adjustmentToId) created since, carrying the marker.
import { ProblemError, type ProblemInit, parseAmount, type RouteInput, toUtcDateTime } from "@st-edge/edge";
import {
  createOnce,
  type HeldInvoices,
  hasMarker,
  holdInvoices,
  type Prepared,
  type ReadAhead,
  readAhead,
  readUnderGates,
  sha256Hex,
  withMarker,
} from "@st-edge/exactly-once";
import {
  allPages,
  type components,
  type Invoice,
  isId,
  type ServiceTitanError,
  unwrap,
} from "@st-edge/servicetitan";
import { toInvoiceView } from "@st-edge/views/invoice";
import { announce } from "@st-edge/worker-invoice-changes/announce";
import {
  type Change,
  type Ctx,
  changeFor,
  gateTimes,
  transitionLog,
} from "@st-edge/worker-invoice-changes/context";
import { currentInvoice, invoiceInactive, invoiceNotFound } from "@st-edge/worker-invoice-changes/invoices";
import type { NewItemInput } from "@st-edge/worker-invoice-changes/shapes";
import { listInvoices } from "@st-edge/worker-invoice-lookup/upstream";
import type { AdjustmentInput, createAdjustment as createAdjustmentRoute } from "./api.ts";
import { adjustmentMarker } from "./marker.ts";
import type { AdjustmentBindings } from "./settings.ts";

type AdjustmentRequest = components["schemas"]["Accounting.V2.AdjustmentInvoiceCreateRequest"];

interface Created {
  id: number;
  invoice: Invoice;
}

/** The request in one canonical form: what the Idempotency-Key's fingerprint is taken of. */
export function canonicalAdjustment(originalId: number, input: AdjustmentInput) {
  const item = (line: NewItemInput) => ({
    ...line,
    quantity: parseAmount(line.quantity).toFixed(2),
    unitPrice: parseAmount(line.unitPrice).toFixed(2),
    ...(line.cost !== undefined ? { cost: parseAmount(line.cost).toFixed(2) } : {}),
    ...(line.isAddOn !== undefined ? { isAddOn: line.isAddOn === true || line.isAddOn === "true" } : {}),
  });
  // Keys in a fixed order, whatever order the caller sent them in.
  const fields = Object.fromEntries(
    Object.entries({ ...input, items: input.items?.map(item) })
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return { adjustmentToId: originalId, ...fields };
}

/** The body ServiceTitan gets: the fields given, items as numbers, the marker after the royalty memo. */
function createBody(originalId: number, input: AdjustmentInput, marker: string): AdjustmentRequest {
  const { items, royaltyMemo, invoicedOn, ...fields } = input;
  return {
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    adjustmentToId: originalId,
    ...(invoicedOn !== undefined ? { invoicedOn: toUtcDateTime(invoicedOn.trim()) } : {}),
    royaltyMemo: withMarker(royaltyMemo?.trim() || null, marker),
    ...(items
      ? {
          items: items.map((line) => ({
            ...(line.skuId !== undefined ? { skuId: line.skuId } : {}),
            ...(line.skuName !== undefined ? { skuName: line.skuName.trim() } : {}),
            description: line.description,
            quantity: parseAmount(line.quantity).toNumber(),
            unitPrice: parseAmount(line.unitPrice).toNumber(),
            ...(line.cost !== undefined ? { cost: parseAmount(line.cost).toNumber() } : {}),
            ...(line.technicianId !== undefined ? { technicianId: line.technicianId } : {}),
            ...(line.isAddOn !== undefined
              ? { isAddOn: line.isAddOn === true || line.isAddOn === "true" }
              : {}),
            ...(line.budgetCodeId !== undefined ? { budgetCodeId: line.budgetCodeId } : {}),
          })),
        }
      : {}),
  };
}

/** The 201 body: the adjustment invoice as read, with its marker. */
const createdView = (invoice: Invoice, marker: string) => ({ ...toInvoiceView(invoice), marker });

/**
 * Creates the adjustment of invoice `originalId` under `key`: the answer to POST /invoices/{id}/adjustments.
 *
 * @example return createAdjustment(c, params.id, headers["idempotency-key"], body);
 */
export async function createAdjustment(
  c: Ctx<AdjustmentBindings>,
  originalId: number,
  key: string,
  input: AdjustmentInput,
): Promise<Response> {
  const change = await changeFor(c);
  const { tenant } = change;
  const [hash, marker] = await Promise.all([
    sha256Hex(JSON.stringify(canonicalAdjustment(originalId, input))),
    adjustmentMarker(tenant.tenantId, key),
  ]);
  const store = c.env.IDEMPOTENCY.get(c.env.IDEMPOTENCY.idFromName(`${change.scope}:adjustment:${key}`));
  // Sent now, used under the gate if it vouches for it: the claim's round trips overlap the read.
  const ahead = readAhead(tenant.client, [originalId]);
  return createOnce<AdjustmentRequest, Created, Invoice>(
    {
      store,
      key,
      hash,
      marker,
      deadline: tenant.deadline,
      tokens: tenant.tokens,
      settings: change.settings,
      outcomeUnknown: "adjustment-outcome-unknown",
      log: transitionLog("adjustment-idempotency", change.requestId, { keyHash: marker.slice(5, -1) }),
      // Taken with the claim when free; busy, it is waited for in prepare.
      holdEarly: () =>
        holdInvoices(change.gates, [originalId], { ...gateTimes(change), waitMs: 0 }).catch(() => undefined),
      prepare: (early) => prepareAdjustment(change, originalId, input, marker, { early, ahead }),
      send: (body, signal) => sendAdjustment(change, body, signal),
      find: (invoiceIds, since) => adjustmentsCarrying(change, marker, invoiceIds, since),
      created: (made) => createdView(made.invoice, marker),
      found: (invoice) => createdView(invoice, marker),
      refusal: adjustmentRefusal,
    },
    change.requestId,
  );
}

async function prepareAdjustment(
  change: Change,
  originalId: number,
  input: AdjustmentInput,
  marker: string,
  { early, ahead }: { early?: HeldInvoices; ahead: ReadAhead },
): Promise<Prepared<AdjustmentRequest>> {
  const held = early ?? (await holdInvoices(change.gates, [originalId], gateTimes(change)));
  try {
    const original = (
      await readUnderGates(change.tenant.client, held, { skewMs: change.settings.reconcileSkewMs, ahead })
    ).get(originalId)?.invoice;
    if (!original) throw invoiceNotFound(originalId);
    if (!original.active) throw invoiceInactive(originalId);
    if (original.adjustmentToId != null)
      throw new ProblemError({
        type: "unprocessable",
        detail: `Invoice ${originalId} is itself an adjustment of invoice ${original.adjustmentToId}; adjust that one.`,
      });
    return {
      plan: createBody(originalId, input, marker),
      invoiceIds: [originalId],
      gates: { held, reservations: new Map() },
    };
  } catch (error) {
    await held.finish({});
    throw error;
  }
}

async function sendAdjustment(
  change: Change,
  body: AdjustmentRequest,
  signal: AbortSignal,
): Promise<Created> {
  const id: unknown = unwrap(await change.tenant.client.POST("/tenant/{tenant}/invoices", { body, signal }));
  // A 2xx we cannot read says nothing reliable: settled like a lost answer.
  if (typeof id !== "number" || !isId(id))
    throw new Error("ServiceTitan answered the create without an invoice id");
  // Created, but not read back (read lag, a failed or throttled read): settled like a lost answer,
  // by the marker. The read's own error must not speak for the create (a 429 would say "not applied").
  const invoice = await currentInvoice(change.tenant.client, id).catch(() => undefined);
  if (!invoice) throw new Error(`adjustment invoice ${id} was created but could not be read back`);
  return { id, invoice };
}

async function adjustmentsCarrying(
  change: Change,
  marker: string,
  invoiceIds: readonly number[],
  since: string,
): Promise<Invoice[]> {
  const found: Invoice[] = [];
  for (const adjustmentToId of invoiceIds) {
    for await (const invoice of allPages((page) =>
      listInvoices(change.tenant.client, {
        adjustmentToId,
        createdOnOrAfter: since,
        activeState: "All",
        page,
        pageSize: 200,
      }),
    )) {
      if (hasMarker(invoice.royalty?.memo, marker)) found.push(invoice);
    }
  }
  return found;
}

/** ServiceTitan's definite refusal of the create, as the key's final answer. */
function adjustmentRefusal(error: ServiceTitanError): ProblemInit {
  return {
    type: "upstream-rejected",
    detail: error.problem.title ?? `ServiceTitan refused the adjustment invoice (${error.status})`,
    traceId: error.traceId,
    extensions: error.problem.errors ? { upstreamErrors: error.problem.errors } : undefined,
  };
}

/**
 * The HTTP side: the work finishes, and its outcome is recorded, even if the caller hangs up
 * mid-way; a new adjustment (not a replay) is announced as invoice.created.
 */
export function createAdjustmentHandler(
  c: Ctx<AdjustmentBindings>,
  { params, headers, body }: RouteInput<typeof createAdjustmentRoute>,
): Promise<Response> {
  const work = createAdjustment(c, params.id, headers["idempotency-key"], body);
  const announced = work.then(async (response) => {
    if (response.status !== 201 || response.headers.get("Idempotent-Replayed") === "true") return;
    announce(c, "invoice.created", await response.clone().json());
  });
  try {
    c.executionCtx.waitUntil(announced.catch(() => undefined));
  } catch {
    // No execution context (plain app.request in unit tests): nothing to extend.
  }
  return work;
}

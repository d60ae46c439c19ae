// Reading an invoice back, and what ServiceTitan's refusals of an invoice write mean for the
// caller. Which invoice states refuse which changes is UNCONFIRMED (the simulator makes it a
// setting): a refusal is read as a lock when ServiceTitan says why in its `data.reason` (as the
// simulator does) or its title names the state (posted, exported, paid, locked, closed), so the
// caller gets a 422 of its own type instead of a bare "rejected".
import { ProblemError } from "@st-edge/edge";
import {
  fetchOneById,
  type Invoice,
  ServiceTitanAuthError,
  type ServiceTitanClient,
  ServiceTitanError,
} from "@st-edge/servicetitan";
import { listInvoices } from "@st-edge/worker-invoice-lookup/upstream";

/** The invoice, active or not, or a 404 invoice-not-found problem. */
export async function currentInvoice(client: ServiceTitanClient, id: number): Promise<Invoice> {
  const invoice = await fetchOneById(
    id,
    async (ids) => (await listInvoices(client, { ids, activeState: "All", pageSize: 50 })).data,
  );
  if (!invoice) throw invoiceNotFound(id);
  return invoice;
}

export const invoiceNotFound = (id: number) =>
  new ProblemError({ type: "invoice-not-found", detail: `No invoice ${id} in this tenant` });

export const invoiceInactive = (id: number) =>
  new ProblemError({ type: "invoice-inactive", detail: `Invoice ${id} is inactive; it cannot be changed` });

const LOCK_WORDS = /\b(posted|exported|paid|locked|closed)\b/i;

/** What kind of change ServiceTitan refused: the invoice's items and amounts, or its other fields. */
export type ChangeKind = "items" | "fields";

/**
 * ServiceTitan's definite refusal of an invoice write as the problem the caller sees: a lock is
 * `invoice-items-locked` / `invoice-locked`, an inactive invoice `invoice-inactive`, anything else
 * the shared mapping (upstream-rejected with ServiceTitan's field errors). Other errors pass.
 */
export function refusalOf(error: unknown, invoiceId: number, kind: ChangeKind): unknown {
  if (!(error instanceof ServiceTitanError) || error.outcomeUnknown) return error;
  if (![400, 409, 422].includes(error.status)) return error;
  const reason = String(error.problem.data?.reason ?? "");
  const title = error.problem.title ?? "";
  const traceId = error.traceId;
  if (reason === "Inactive" || /\binactive\b/i.test(title)) {
    return new ProblemError({
      type: "invoice-inactive",
      detail: title || `Invoice ${invoiceId} is inactive`,
      traceId,
    });
  }
  if (["Posted", "Exported", "Paid"].includes(reason) || LOCK_WORDS.test(title)) {
    const items = kind === "items";
    return new ProblemError({
      type: items ? "invoice-items-locked" : "invoice-locked",
      detail:
        `${title || `ServiceTitan refused to change invoice ${invoiceId} in its current state`}` +
        (items ? " Correct it with an adjustment invoice (POST /invoices/{id}/adjustments)." : ""),
      traceId,
      extensions: { invoiceId, reason: reason || null },
    });
  }
  return error;
}

/**
 * True when a failed write may have been applied: its answer was lost (timeout, dropped
 * connection, 5xx, an answer we cannot read). Not when ServiceTitan answered a refusal, or the
 * token endpoint failed (the write was never sent).
 */
export function mayHaveLanded(error: unknown): boolean {
  if (error instanceof ServiceTitanError) return error.outcomeUnknown;
  return !(error instanceof ServiceTitanAuthError || error instanceof ProblemError);
}

/**
 * A write whose answer was lost, as the problem the caller sees. Non-keyed writes cannot be settled
 * by a marker, so the caller is told to read the invoice.
 */
export function unknownOutcome(error: unknown, invoiceId: number): unknown {
  if (!mayHaveLanded(error)) return error;
  return new ProblemError({
    type: "invoice-change-outcome-unknown",
    detail:
      `ServiceTitan's answer to the change of invoice ${invoiceId} was lost: it may or may not have been applied. ` +
      "Read the invoice before retrying an item add; a change or deletion by item id is safe to repeat.",
    retryAfterSeconds: 2,
    traceId: error instanceof ServiceTitanError ? error.traceId : undefined,
  });
}

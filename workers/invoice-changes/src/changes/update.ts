// PATCH /invoices/{id}: only the fields the caller sent go to Invoices_UpdateInvoice. A new tax
// zone changes the tax (so the total and the balance): that change goes through the invoice's gate
// like an item change; every other field changes no money and is sent directly.
import { type FieldError, ProblemError, toUtcDateTime } from "@st-edge/edge";
import type { components, Invoice } from "@st-edge/servicetitan";
import type { UpdateInvoiceInput } from "../api.ts";
import type { Change } from "../context.ts";
import { currentInvoice, refusalOf, unknownOutcome } from "../invoices.ts";
import { mostTakenOff } from "./decrease.ts";
import { changeUnderGate } from "./gated.ts";

type InvoiceUpdateRequest = components["schemas"]["Accounting.V2.InvoiceUpdateRequest"];

const trimmed = (text: string | null | undefined) => (typeof text === "string" ? text.trim() : text);
const dateTime = (text: string | null | undefined) =>
  typeof text === "string" ? toUtcDateTime(text.trim()) : text;

/** The request ServiceTitan gets: exactly the fields given (null where the caller cleared one). */
export function updateRequest(input: UpdateInvoiceInput): InvoiceUpdateRequest {
  const body: InvoiceUpdateRequest = {};
  const set = <K extends keyof InvoiceUpdateRequest>(key: K, value: InvoiceUpdateRequest[K] | undefined) => {
    if (value !== undefined) body[key] = value;
  };
  set("number", trimmed(input.number));
  set("typeId", input.typeId);
  set("invoicedOn", dateTime(input.invoicedOn));
  set("dueDate", trimmed(input.dueDate));
  set("summary", input.summary);
  set("taxZoneId", input.taxZoneId);
  set("reviewStatus", input.reviewStatus);
  set("assignedToId", input.assignedToId);
  set("exportId", trimmed(input.exportId));
  set("budgetCodeId", input.budgetCodeId);
  set("royaltyStatus", input.royaltyStatus);
  set("royaltyDate", dateTime(input.royaltyDate));
  set("royaltySentOn", dateTime(input.royaltySentOn));
  set("royaltyMemo", input.royaltyMemo);
  return body;
}

/**
 * Applies `input` to invoice `id` and answers the invoice as ServiceTitan then holds it.
 *
 * @example return c.json(toInvoiceView(await updateInvoice(change, params.id, body)));
 */
export async function updateInvoice(change: Change, id: number, input: UpdateInvoiceInput): Promise<Invoice> {
  const body = updateRequest(input);
  if (Object.keys(body).length === 0) {
    const errors: FieldError[] = [{ in: "body", field: "", message: "give at least one field to change" }];
    throw new ProblemError({ type: "validation-failed", detail: "The request body is not valid", errors });
  }
  const send = async () => {
    await change.tenant.client.PATCH("/tenant/{tenant}/invoices/{id}", { params: { path: { id } }, body });
  };
  if (body.taxZoneId !== undefined) {
    // ServiceTitan reads a new tax zone as a change of amounts (the simulator's item lock covers it).
    const { after } = await changeUnderGate(change, id, "items", (current) => ({
      takesOffAtMost: mostTakenOff(current.invoice, { kind: "tax-zone" }),
      send,
    }));
    return after;
  }
  // An unknown invoice is a 404 of ours, not ServiceTitan's bare one.
  await currentInvoice(change.tenant.client, id);
  try {
    await send();
  } catch (error) {
    throw unknownOutcome(refusalOf(error, id, "fields"), id);
  }
  return currentInvoice(change.tenant.client, id);
}

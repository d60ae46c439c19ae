// Adding, changing and deleting one item of an invoice (Invoices_UpdateInvoiceItems takes a single
// InvoiceItemUpdateRequest, as the spec says; Invoices_DeleteInvoiceItem). Each goes through the
// invoice's gate (gated.ts) with the most it can take off the total (decrease.ts), and answers the
// invoice as ServiceTitan holds it afterwards with the item it concerned.
import { type FieldError, ProblemError, parseAmount } from "@st-edge/edge";
import type { components, Invoice, InvoiceItem } from "@st-edge/servicetitan";
import { Decimal } from "@st-edge/servicetitan";
import type { ChangeItemInput, NewItemInput } from "../api.ts";
import type { Change } from "../context.ts";
import { lineAmount, mostTakenOff } from "./decrease.ts";
import { type ChangeResult, changeUnderGate } from "./gated.ts";

type ItemRequest = components["schemas"]["Accounting.V2.InvoiceItemUpdateRequest"];

const flag = (value: boolean | "true" | "false" | undefined) =>
  value === undefined ? undefined : value === true || value === "true";

/** The optional fields of a new or changed line, as ServiceTitan takes them (only those given). */
function lineFields(input: NewItemInput | ChangeItemInput): Partial<ItemRequest> {
  return {
    ...(input.skuId !== undefined ? { skuId: input.skuId } : {}),
    ...(input.skuName !== undefined ? { skuName: input.skuName.trim() } : {}),
    ...(input.unitPrice !== undefined ? { unitPrice: parseAmount(input.unitPrice).toNumber() } : {}),
    ...(input.cost !== undefined ? { cost: parseAmount(input.cost).toNumber() } : {}),
    ...(input.technicianId !== undefined ? { technicianId: input.technicianId } : {}),
    ...(input.isAddOn !== undefined ? { isAddOn: flag(input.isAddOn) } : {}),
    ...(input.budgetCodeId !== undefined ? { budgetCodeId: input.budgetCodeId } : {}),
  };
}

const invalid = (errors: FieldError[]) =>
  new ProblemError({ type: "validation-failed", detail: "The request body is not valid", errors });

/** An item of the invoice as read under its gate, or a 404 invoice-item-not-found. */
function itemOf(invoice: Invoice, itemId: number): InvoiceItem {
  const item = (invoice.items ?? []).find((candidate) => candidate.id === itemId);
  if (!item)
    throw new ProblemError({
      type: "invoice-item-not-found",
      detail: `Invoice ${invoice.id} has no item ${itemId}`,
    });
  return item;
}

/** 200 with no body; a refusal throws (the client maps every non-2xx to a ServiceTitanError). */
async function sendItem(change: Change, invoiceId: number, body: ItemRequest): Promise<void> {
  await change.tenant.client.PATCH("/tenant/{tenant}/invoices/{invoiceId}/items", {
    params: { path: { invoiceId } },
    body,
  });
}

/** Adds one line at quantity × unitPrice; the answer's item is the one that was not there before. */
export async function addItem(
  change: Change,
  invoiceId: number,
  input: NewItemInput,
): Promise<ChangeResult & { itemId: number | null }> {
  if ((input.skuId === undefined) === (input.skuName === undefined)) {
    throw invalid([{ in: "body", field: "skuId", message: "give skuId or skuName (one of them)" }]);
  }
  const quantity = parseAmount(input.quantity);
  const after = lineAmount(quantity, parseAmount(input.unitPrice));
  const body: ItemRequest = {
    ...lineFields(input),
    description: input.description,
    quantity: quantity.toNumber(),
  };
  const result = await changeUnderGate(change, invoiceId, "items", (current) => ({
    takesOffAtMost: mostTakenOff(current.invoice, { kind: "add", after }),
    send: () => sendItem(change, invoiceId, body),
  }));
  const before = new Set((result.before.items ?? []).map((item) => item.id));
  const added = (result.after.items ?? []).filter((item) => !before.has(item.id));
  return { ...result, itemId: added.length === 1 ? (added[0]?.id ?? null) : null };
}

/**
 * Changes one line: only the fields given are sent, plus the description and quantity ServiceTitan
 * requires every time (the item's current ones when not given).
 */
export async function changeItem(
  change: Change,
  invoiceId: number,
  itemId: number,
  input: ChangeItemInput,
): Promise<ChangeResult & { itemId: number }> {
  if (Object.keys(input).length === 0)
    throw invalid([{ in: "body", field: "", message: "give at least one field to change" }]);
  if (input.skuId !== undefined && input.skuName !== undefined)
    throw invalid([{ in: "body", field: "skuName", message: "give skuId or skuName, not both" }]);
  const resku = input.skuId !== undefined || input.skuName !== undefined;
  if (resku && input.unitPrice === undefined)
    throw invalid([
      {
        in: "body",
        field: "unitPrice",
        message: "is required with a new SKU (its price must be known before sending)",
      },
    ]);
  const result = await changeUnderGate(change, invoiceId, "items", (current) => {
    const item = itemOf(current.invoice, itemId);
    const quantity =
      input.quantity !== undefined ? parseAmount(input.quantity) : Decimal.fromServiceTitan(item.quantity);
    const price =
      input.unitPrice !== undefined ? parseAmount(input.unitPrice) : Decimal.fromServiceTitan(item.price);
    if (quantity === null || price === null)
      throw invalid([
        {
          in: "body",
          field: "unitPrice",
          message: "is required: ServiceTitan did not say the item's price or quantity",
        },
      ]);
    const body: ItemRequest = {
      ...lineFields(input),
      id: itemId,
      description: input.description ?? item.description ?? "",
      quantity: quantity.toNumber(),
    };
    return {
      takesOffAtMost: mostTakenOff(current.invoice, {
        kind: "change",
        item,
        after: lineAmount(quantity, price),
        resku,
      }),
      send: () => sendItem(change, invoiceId, body),
    };
  });
  return { ...result, itemId };
}

/** Deletes one line. */
export async function deleteItem(
  change: Change,
  invoiceId: number,
  itemId: number,
): Promise<ChangeResult & { itemId: number }> {
  const result = await changeUnderGate(change, invoiceId, "items", (current) => {
    const item = itemOf(current.invoice, itemId);
    return {
      takesOffAtMost: mostTakenOff(current.invoice, { kind: "delete", item }),
      send: async () => {
        await change.tenant.client.DELETE("/tenant/{tenant}/invoices/{invoiceId}/items/{itemId}", {
          params: { path: { invoiceId, itemId } },
        });
      },
    };
  });
  return { ...result, itemId };
}

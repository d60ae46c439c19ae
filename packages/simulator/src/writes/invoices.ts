// Invoice writes: Invoices_UpdateInvoice, Invoices_UpdateInvoiceItems, Invoices_DeleteInvoiceItem,
// Invoices_CreateAdjustmentInvoice, Invoices_MarkAsExported and Invoices_UpdateCustomFields. Each
// checks everything first (existence, the invoice locks, every field), then commits the changed
// invoice through WriteContext.commitInvoice, which derives the balance. Item changes reprice
// the line and recompute subtotal, tax and total from the items (invoice-lines.ts).
import type { components, Invoice, InvoiceItem, TaxZone } from "@st-edge/servicetitan";
import { type FieldErrors, HttpProblem, notFound, validationProblem } from "../errors.ts";
import { invoiceItem, invoiceMoney, lineAmounts, salesTaxCode } from "../invoice-lines.ts";
import { cents, money } from "../money.ts";
import type { InvoiceLock } from "../options.ts";
import type { CustomField } from "../records.ts";
import { formatDate, formatInstant, formatTimestamp, parseDateTime } from "../time.ts";
import { API_USER, amountOf, at, fail, quantityOf, type WriteContext } from "./context.ts";

type S = components["schemas"];
type InvoiceUpdateRequest = S["Accounting.V2.InvoiceUpdateRequest"];
type AdjustmentRequest = S["Accounting.V2.AdjustmentInvoiceCreateRequest"];
type ItemRequest = S["Accounting.V2.InvoiceItemUpdateRequest"];
type MarkRequest = S["Accounting.V2.MarkInvoiceAsExportedUpdateRequest"];
type MarkResponse = S["Accounting.V2.MarkInvoiceAsExportedUpdateResponse"];

/** The fields an update and an adjustment share (the adjustment adds adjustmentToId, the update dueDate and payments). */
type InvoiceFields = Omit<InvoiceUpdateRequest, "dueDate" | "payments">;

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** Fully paid: nothing left to pay, and something was paid. */
function isPaid(ctx: WriteContext, invoice: Invoice): boolean {
  const paid = ctx
    .payments()
    .some((payment) => payment.active && payment.splits.some((split) => split.invoiceId === invoice.id));
  return paid && !money(invoice.balance ?? "0").isPositive();
}

function holds(ctx: WriteContext, invoice: Invoice, lock: InvoiceLock): boolean {
  return lock === "Paid" ? isPaid(ctx, invoice) : invoice.syncStatus === lock;
}

const LOCK_WORDS: Record<InvoiceLock, string> = {
  Posted: "posted",
  Exported: "exported",
  Paid: "fully paid",
};

/**
 * Refuses a change to an inactive invoice, or to one in a state the simulator's invoice locks
 * name, as ServiceTitan would: a 400 whose title says why (the lock rule itself is UNCONFIRMED).
 */
function checkChangeable(ctx: WriteContext, invoice: Invoice, change: "items" | "fields"): void {
  if (!invoice.active)
    throw new HttpProblem(400, `Invoice ${invoice.id} is inactive and cannot be changed.`, {
      data: { invoiceId: invoice.id, reason: "Inactive" },
    });
  const lock = ctx.locks[change].find((candidate) => holds(ctx, invoice, candidate));
  if (lock === undefined) return;
  const what = change === "items" ? "its items and amounts cannot be changed" : "it cannot be updated";
  throw new HttpProblem(400, `Invoice ${invoice.id} is ${LOCK_WORDS[lock]}; ${what}.`, {
    data: { invoiceId: invoice.id, reason: lock },
  });
}

function existingInvoice(ctx: WriteContext, id: number): Invoice {
  const invoice = ctx.invoice(id);
  if (!invoice) throw notFound(`Invoice ${id}`);
  return invoice;
}

function taxZoneOf(ctx: WriteContext, id: number | null | undefined): TaxZone | undefined {
  return id === null || id === undefined ? undefined : ctx.data.taxZones.find((zone) => zone.id === id);
}

/** Subtotal, tax, total and discount from the items, in the invoice's tax zone. */
function repriced(ctx: WriteContext, invoice: Invoice, items: InvoiceItem[]): Invoice {
  return { ...invoice, items, ...invoiceMoney(taxZoneOf(ctx, invoice.taxZoneId), items) };
}

/**
 * Applies one InvoiceItemUpdateRequest to `items`: with an `id`, that item changes (only the
 * fields given, description and quantity always); without one (absent or null), a new item of
 * the SKU named by skuId or skuName is added (UNCONFIRMED: the spec does not say what a missing
 * id means). Errors go under `prefix`.
 */
function applyItem(
  ctx: WriteContext,
  invoice: Invoice,
  items: InvoiceItem[],
  request: ItemRequest,
  prefix: string,
  errors: FieldErrors,
): InvoiceItem[] {
  const before = Object.keys(errors).length;
  const quantity = quantityOf(request.quantity, at(prefix, "quantity"), errors);
  const price = given(request.unitPrice)
    ? amountOf(request.unitPrice, at(prefix, "unitPrice"), errors, { allowZero: true })
    : undefined;
  const cost = given(request.cost)
    ? amountOf(request.cost, at(prefix, "cost"), errors, { allowZero: true })
    : undefined;
  if (given(request.technicianId) && !ctx.data.employees.some((e) => e.id === request.technicianId))
    fail(errors, at(prefix, "technicianId"), `Technician ${request.technicianId} was not found.`);
  const sku = ctx.data.skus.find((candidate) =>
    given(request.skuId) ? candidate.id === request.skuId : candidate.code === request.skuName,
  );
  if ((given(request.skuId) || given(request.skuName)) && !sku)
    fail(
      errors,
      at(prefix, given(request.skuId) ? "skuId" : "skuName"),
      "No SKU of this tenant's price book matches.",
    );
  if (sku && given(request.skuId) && given(request.skuName) && sku.code !== request.skuName)
    fail(errors, at(prefix, "skuName"), `SKU ${request.skuId} is ${sku.code}, not ${request.skuName}.`);
  const index = given(request.id) ? items.findIndex((item) => item.id === request.id) : -1;
  if (given(request.id) && index < 0)
    fail(errors, at(prefix, "id"), `Invoice item ${request.id} was not found on invoice ${invoice.id}.`);
  if (!given(request.id) && !given(request.skuId) && !given(request.skuName))
    fail(errors, prefix || "skuId", "A new item needs the skuId or skuName of a price-book SKU.");
  if (Object.keys(errors).length > before || quantity === undefined) return items;

  const stamp = formatTimestamp(ctx.now);
  const current = items[index];
  if (!current) {
    if (!sku) return items;
    const added = invoiceItem(sku, {
      id: ctx.nextId("invoiceItem"),
      quantity,
      price: price ?? money(sku.price),
      cost: cost ?? money(sku.cost),
      order: items.reduce((max, item) => Math.max(max, item.order), 0) + 1,
      createdOn: stamp,
      businessUnit: invoice.businessUnit ?? null,
      technicianId: request.technicianId ?? null,
      createdById: null,
      installedEquipmentId: null,
    });
    return [...items, withRequestFields(added, request, request.description)];
  }
  // A new SKU re-derives what the item copies from it (type, tax, accounts) and its default price.
  const base = sku
    ? {
        ...invoiceItem(sku, {
          id: current.id,
          quantity,
          price: price ?? money(sku.price),
          cost: cost ?? money(sku.cost),
          order: current.order,
          createdOn: current.createdOn,
          businessUnit: current.businessUnit ?? null,
          technicianId: current.technicianId ?? null,
          createdById: current.createdById ?? null,
          installedEquipmentId: current.installedEquipmentId ?? null,
        }),
        serviceDate: current.serviceDate,
      }
    : current;
  const unitPrice = price ?? money(base.price ?? "0");
  const unitCost = cost ?? money(base.cost ?? "0");
  const changed: InvoiceItem = {
    ...withRequestFields(base, request, request.description),
    quantity: quantity.toString(),
    price: cents(unitPrice),
    cost: cents(unitCost),
    ...lineAmounts(quantity, unitPrice, unitCost),
    modifiedOn: stamp,
  };
  return items.map((item, position) => (position === index ? changed : item));
}

/** The optional item fields InvoiceItemResponse carries (signatures, installedOn and the like have no place in any read). */
function withRequestFields(item: InvoiceItem, request: ItemRequest, description: string): InvoiceItem {
  return {
    ...item,
    description,
    ...(given(request.technicianId) ? { technicianId: request.technicianId } : {}),
    ...(given(request.isAddOn) ? { addOn: request.isAddOn } : {}),
    ...(request.budgetCodeId !== undefined ? { budgetCodeId: request.budgetCodeId } : {}),
    ...(given(request.inventoryLocationId) ? { inventoryLocationId: request.inventoryLocationId } : {}),
    ...(given(request.inventoryWarehouseName) ? { inventoryLocation: request.inventoryWarehouseName } : {}),
    ...(given(request.itemGroupName) || given(request.itemGroupRootId)
      ? { itemGroup: { rootId: request.itemGroupRootId ?? 0, name: request.itemGroupName ?? null } }
      : {}),
  };
}

/** An invoice number no other invoice of the tenant has (ServiceTitan's uniqueness rule is UNCONFIRMED). */
function checkNumber(ctx: WriteContext, number: string, self: number | null, errors: FieldErrors): void {
  if (number.trim() === "") fail(errors, "number", "The invoice number must not be empty.");
  const holder = ctx.invoiceByNumber(number);
  if (holder && holder.id !== self)
    fail(errors, "number", `Invoice number ${number} is already used by invoice ${holder.id}.`);
}

/**
 * The fields an update and an adjustment share. Null on a field that can be empty clears it
 * (summary, exportId, assignedToId, budgetCodeId, the royalty fields); on the others it counts
 * as absent. Returns the invoice with them applied, items repriced when items, the tax zone,
 * subtotal or tax were given (an explicit subtotal or tax wins over the items' sum).
 */
function applyFields(
  ctx: WriteContext,
  invoice: Invoice,
  body: InvoiceFields,
  errors: FieldErrors,
  { newInvoice }: { newInvoice: boolean },
): Invoice {
  let next: Invoice = { ...invoice };
  if (given(body.number)) {
    checkNumber(ctx, body.number, newInvoice ? null : invoice.id, errors);
    next.referenceNumber = body.number;
  }
  if (given(body.typeId)) {
    const type = ctx.data.invoiceTypes.find((candidate) => candidate.id === body.typeId);
    if (!type) fail(errors, "typeId", `Invoice type ${body.typeId} was not found.`);
    else next.invoiceType = type;
  }
  if (given(body.invoicedOn)) {
    const instant = parseDateTime(body.invoicedOn);
    if (instant !== undefined) next.invoiceDate = formatInstant(instant);
  }
  if (given(body.taxZoneId)) {
    const zone = taxZoneOf(ctx, body.taxZoneId);
    if (!zone) fail(errors, "taxZoneId", `Tax zone ${body.taxZoneId} was not found.`);
    else if (!zone.active) fail(errors, "taxZoneId", `Tax zone ${body.taxZoneId} is inactive.`);
    else next = { ...next, taxZoneId: zone.id, salesTaxCode: salesTaxCode(zone) };
  }
  if (body.summary !== undefined) next.summary = body.summary;
  if (body.exportId !== undefined) next.exportId = body.exportId;
  if (given(body.reviewStatus)) next.reviewStatus = body.reviewStatus;
  if (body.assignedToId === null) next.assignedTo = null;
  else if (body.assignedToId !== undefined) {
    const employee = ctx.data.employees.find((candidate) => candidate.id === body.assignedToId);
    if (!employee) fail(errors, "assignedToId", `Employee ${body.assignedToId} was not found.`);
    else next.assignedTo = employee;
  }
  if (body.budgetCodeId !== undefined) next.budgetCodeId = body.budgetCodeId;
  const royalty = next.royalty ?? { status: null, date: null, sentOn: null, memo: null };
  const royaltyDate = (text: string | null) => {
    const instant = text === null ? undefined : parseDateTime(text);
    return instant === undefined ? null : formatInstant(instant);
  };
  next.royalty = {
    status: body.royaltyStatus === undefined ? royalty.status : body.royaltyStatus,
    date: body.royaltyDate === undefined ? royalty.date : royaltyDate(body.royaltyDate),
    sentOn: body.royaltySentOn === undefined ? royalty.sentOn : royaltyDate(body.royaltySentOn),
    memo: body.royaltyMemo === undefined ? royalty.memo : body.royaltyMemo,
  };
  let items = next.items ?? [];
  (body.items ?? []).forEach((request, index) => {
    items = applyItem(ctx, next, items, request, `items[${index}]`, errors);
  });
  if (given(body.items) || given(body.taxZoneId) || newInvoice) next = repriced(ctx, next, items);
  const subtotal = given(body.subtotal)
    ? amountOf(body.subtotal, "subtotal", errors, { allowZero: true })
    : undefined;
  const tax = given(body.tax) ? amountOf(body.tax, "tax", errors, { allowZero: true }) : undefined;
  if (subtotal !== undefined || tax !== undefined) {
    const sub = subtotal ?? money(next.subTotal ?? "0");
    const salesTax = tax ?? money(next.salesTax ?? "0");
    next = { ...next, subTotal: cents(sub), salesTax: cents(salesTax), total: cents(sub.plus(salesTax)) };
  }
  return next;
}

/** Whether a request changes an invoice's money (and so falls under the item lock). */
const changesMoney = (body: InvoiceFields): boolean =>
  given(body.items) || given(body.subtotal) || given(body.tax) || given(body.taxZoneId);

/** Invoices_UpdateInvoice: only the fields present change. 404 for an unknown invoice. */
export function updateInvoice(ctx: WriteContext, id: number, body: InvoiceUpdateRequest): Invoice {
  const invoice = existingInvoice(ctx, id);
  checkChangeable(ctx, invoice, "fields");
  if (changesMoney(body)) checkChangeable(ctx, invoice, "items");
  const errors: FieldErrors = {};
  const next = applyFields(ctx, invoice, body, errors, { newInvoice: false });
  if (given(body.dueDate)) {
    // The spec declares `format: date`; validation.ts has refused anything but YYYY-MM-DD.
    const instant = parseDateTime(body.dueDate);
    if (instant !== undefined) next.dueDate = formatDate(instant);
  }
  (body.payments ?? []).forEach((settlement, index) => {
    const payment = ctx.payment(settlement.id);
    if (!payment?.active || !payment.splits.some((split) => split.invoiceId === id))
      fail(errors, `payments[${index}].id`, `Payment ${settlement.id} is not applied to invoice ${id}.`);
  });
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return ctx.commitInvoice(next);
}

/** Invoices_UpdateInvoiceItems: one item (the spec's body is a single InvoiceItemUpdateRequest), changed or added. */
export function updateInvoiceItem(ctx: WriteContext, invoiceId: number, body: ItemRequest): Invoice {
  const invoice = existingInvoice(ctx, invoiceId);
  checkChangeable(ctx, invoice, "items");
  const errors: FieldErrors = {};
  const items = applyItem(ctx, invoice, invoice.items ?? [], body, "", errors);
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return ctx.commitInvoice(repriced(ctx, invoice, items));
}

/** Invoices_DeleteInvoiceItem: 404 when the invoice, or the item on it, does not exist. */
export function deleteInvoiceItem(ctx: WriteContext, invoiceId: number, itemId: number): Invoice {
  const invoice = existingInvoice(ctx, invoiceId);
  const item = (invoice.items ?? []).find((candidate) => candidate.id === itemId);
  if (!item) throw notFound(`Invoice item ${itemId} of invoice ${invoiceId}`);
  checkChangeable(ctx, invoice, "items");
  ctx.retireItem(invoiceId, { ...item, modifiedOn: formatTimestamp(ctx.now) });
  return ctx.commitInvoice(
    repriced(
      ctx,
      invoice,
      (invoice.items ?? []).filter((candidate) => candidate.id !== itemId),
    ),
  );
}

/** The next free "<original>-<n>" number, as the seed numbers adjustments. */
function adjustmentNumber(ctx: WriteContext, original: Invoice): string {
  for (let n = 1; ; n++) {
    const candidate = `${original.referenceNumber ?? original.id}-${n}`;
    if (!ctx.invoiceByNumber(candidate)) return candidate;
  }
}

/**
 * Invoices_CreateAdjustmentInvoice: a new invoice for the original's customer, location and job,
 * with every field the request carried, answered with its id. Adjusting an adjustment, an
 * inactive or an unknown invoice is a 400 on adjustmentToId.
 */
export function createAdjustmentInvoice(ctx: WriteContext, body: AdjustmentRequest): Invoice {
  const errors: FieldErrors = {};
  const original = ctx.invoice(body.adjustmentToId);
  if (!original) fail(errors, "adjustmentToId", `Invoice ${body.adjustmentToId} was not found.`);
  else if (!original.active) fail(errors, "adjustmentToId", `Invoice ${original.id} is inactive.`);
  else if (given(original.adjustmentToId))
    fail(
      errors,
      "adjustmentToId",
      `Invoice ${original.id} is itself an adjustment of invoice ${original.adjustmentToId}; adjust that one.`,
    );
  (body.items ?? []).forEach((item, index) => {
    if (given(item.id))
      fail(errors, `items[${index}].id`, "A new invoice's items cannot name an existing item.");
  });
  if (!original || Object.keys(errors).length > 0) throw validationProblem(errors);

  const stamp = formatTimestamp(ctx.now);
  const today = formatDate(ctx.now);
  const draft: Invoice = {
    id: ctx.nextId("invoice"),
    syncStatus: "Pending",
    budgetCodeId: null,
    referenceNumber: adjustmentNumber(ctx, original),
    invoiceDate: today,
    // Due on the day it is invoiced (UNCONFIRMED: the create request has no due date).
    dueDate: today,
    subTotal: "0.00",
    salesTax: "0.00",
    salesTaxCode: original.salesTaxCode ?? null,
    taxZoneId: original.taxZoneId ?? null,
    total: "0.00",
    balance: "0.00",
    invoiceType: original.invoiceType ?? null,
    customer: original.customer ?? null,
    customerAddress: original.customerAddress ?? null,
    location: original.location ?? null,
    locationAddress: original.locationAddress ?? null,
    businessUnit: original.businessUnit ?? null,
    termName: original.termName ?? null,
    createdBy: API_USER,
    batch: null,
    depositedOn: null,
    createdOn: stamp,
    modifiedOn: stamp,
    adjustmentToId: original.id,
    job: original.job ?? null,
    projectId: original.projectId ?? null,
    royalty: { status: null, date: null, sentOn: null, memo: null },
    employeeInfo: null,
    commissionEligibilityDate: null,
    sentStatus: "NotSent",
    reviewStatus: "NeedsReview",
    assignedTo: null,
    summary: null,
    items: [],
    customFields: [],
    active: true,
    discountTotal: "0.00",
    importId: null,
    exportId: null,
    materialSkuId: null,
    membershipId: original.membershipId ?? null,
    paidOn: null,
    invoiceConfiguration: original.invoiceConfiguration,
  };
  const invoice = applyFields(ctx, draft, body, errors, { newInvoice: true });
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return ctx.commitInvoice(invoice);
}

/**
 * Invoices_MarkAsExported: one result per entry, in order, never one failure for the batch. A
 * mark sets syncStatus Exported and exportId to the externalId (when given); marking an
 * exported invoice again succeeds (UNCONFIRMED). Unknown and inactive invoices fail alone.
 */
export function markInvoicesExported(ctx: WriteContext, body: MarkRequest[]): MarkResponse[] {
  return body.map(({ invoiceId, externalId, externalMessage }) => {
    const invoice = ctx.invoice(invoiceId);
    if (!invoice) return { invoiceId, success: false, errorMessage: `Invoice ${invoiceId} was not found.` };
    if (!invoice.active)
      return { invoiceId, success: false, errorMessage: `Invoice ${invoiceId} is inactive.` };
    ctx.commitInvoice({
      ...invoice,
      syncStatus: "Exported",
      exportId: externalId ?? invoice.exportId ?? null,
    });
    ctx.noteExportMessage(invoiceId, externalMessage ?? null);
    return { invoiceId, success: true, errorMessage: null };
  });
}

/**
 * Invoices_UpdateCustomFields: sets the named fields on each invoice (others keep their values);
 * a null or empty value removes the field (UNCONFIRMED). Names match the tenant's custom field
 * types case-insensitively; Dropdown values must be one of the options, Numeric ones numbers.
 * All operations are checked before any is applied.
 */
export function updateInvoiceCustomFields(
  ctx: WriteContext,
  body: S["Accounting.V2.CustomFieldUpdateRequest"],
): undefined {
  const errors: FieldErrors = {};
  const changes = body.operations.map((operation, index) => {
    const prefix = `operations[${index}]`;
    const invoice = ctx.invoice(operation.objectId);
    if (!invoice) fail(errors, `${prefix}.objectId`, `Invoice ${operation.objectId} was not found.`);
    else if (!invoice.active)
      fail(errors, `${prefix}.objectId`, `Invoice ${operation.objectId} is inactive.`);
    const fields = operation.customFields.map((pair, position): CustomField => {
      const field = `${prefix}.customFields[${position}]`;
      const type = ctx.data.invoiceCustomFieldTypes.find(
        (candidate) => candidate.name.toLowerCase() === pair.name.toLowerCase(),
      );
      const value = pair.value ?? null;
      if (!type) fail(errors, `${field}.name`, `No invoice custom field is named '${pair.name}'.`);
      else if (value !== null && value !== "") {
        if (type.dataType === "Dropdown" && !(type.dataTypeOptions ?? []).includes(value))
          fail(
            errors,
            `${field}.value`,
            `'${value}' is not one of ${(type.dataTypeOptions ?? []).join(", ")}.`,
          );
        if (type.dataType === "Numeric" && !/^-?\d+(\.\d+)?$/.test(value))
          fail(errors, `${field}.value`, `'${value}' is not a number.`);
      }
      return { name: type?.name ?? pair.name, value };
    });
    return { invoiceId: operation.objectId, fields };
  });
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  for (const { invoiceId, fields } of changes) {
    const invoice = existingInvoice(ctx, invoiceId);
    let next = [...(invoice.customFields ?? [])];
    for (const field of fields) {
      const cleared = field.value === null || field.value === "";
      const known = next.some((existing) => existing.name === field.name);
      if (cleared) next = next.filter((existing) => existing.name !== field.name);
      else if (known) next = next.map((existing) => (existing.name === field.name ? field : existing));
      else next.push(field);
    }
    ctx.commitInvoice({ ...invoice, customFields: next });
  }
}

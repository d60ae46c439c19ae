// Invoice writes of the invoice-changes worker, two steps each (two-step.ts). Export marks: the
// prepare reads the invoices through invoice-lookup (so an agent sees which invoices, customers
// and totals it is about to mark, and their exportId now), the commit calls POST
// /invoices/mark-exported, which ServiceTitan answers per invoice; marking again is harmless.
// Field updates: the prepare shows each field's value now beside the new one (read through
// invoice-lookup), the commit sends only those fields (PATCH /invoices/{id}). Item changes are not
// offered: they move the balance under the invoice's gate, and invoice-changes has no check-only
// route a prepare could run them with.
import type { InvoiceView } from "@st-edge/views/invoice";
import { REVIEW_STATUSES } from "@st-edge/views/review-statuses";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { callCapability, knownProblem, type WorkerAnswer } from "../capabilities.ts";
import { invoiceSummary } from "../views.ts";
import { COMMIT } from "./define.ts";
import { inOrderOf, MAX_MARKS, markAudit, markList, markSummary } from "./export-marks.ts";
import { BusinessDate, Id, Text } from "./read.ts";
import { type Checked, notInTenant, postRequest, twoStepTools } from "./two-step.ts";

/** One invoice, active or not, as invoice-lookup answers it. */
export const readInvoice = (caller: Caller, invoiceId: number) =>
  callCapability<InvoiceView>(caller, "invoice-lookup", `/invoices/${invoiceId}`);

/** An invoice a write may change: it exists in this tenant and is active (as invoice-changes requires). */
export async function activeInvoice(caller: Caller, invoiceId: number): Promise<WorkerAnswer<InvoiceView>> {
  const answer = await readInvoice(caller, invoiceId);
  if (!answer.ok || answer.data.active) return answer;
  return {
    ok: false,
    problem: knownProblem("invoice-inactive", {
      detail: `Invoice ${invoiceId} is inactive; nothing was changed`,
      errors: [{ in: "body", field: "invoiceId", message: "is inactive" }],
    }),
  };
}

const InvoiceMark = z.strictObject({
  invoiceId: Id,
  externalId: Text(100)
    .optional()
    .describe("The id in your accounting system; becomes the invoice's exportId"),
  externalMessage: Text(1_000).optional().describe("A note ServiceTitan stores with the mark"),
});

const InvoiceMarkRequest = z.strictObject({
  invoices: markList(InvoiceMark, (mark) => mark.invoiceId, "an invoice"),
});
type InvoiceMarkRequest = z.output<typeof InvoiceMarkRequest>;

const idsOf = (request: InvoiceMarkRequest) => request.invoices.map((mark) => mark.invoiceId);

async function checkInvoiceMarks(
  args: InvoiceMarkRequest,
  caller: Caller,
): Promise<Checked<InvoiceMarkRequest>> {
  const ids = idsOf(args);
  const answer = await callCapability<{ invoices: InvoiceView[] }>(
    caller,
    "invoice-lookup",
    `/invoices/batch?ids=${ids.join(",")}`,
  );
  if (!answer.ok) return answer;
  const { found, missing } = inOrderOf(ids, answer.data.invoices);
  if (missing.length > 0) return notInTenant("invoice-not-found", "invoice", "invoices", missing, "marked");
  const invoices = found.map((invoice, index) => ({
    ...invoiceSummary(invoice),
    exportId: invoice.exportId,
    externalId: args.invoices[index]?.externalId ?? null,
    externalMessage: args.invoices[index]?.externalMessage ?? null,
  }));
  const already = invoices.filter((invoice) => invoice.status === "Exported");
  return {
    ok: true,
    request: { invoices: args.invoices },
    preview: { summary: markSummary("invoice", invoices.length, already.length), invoices },
  };
}

export const [prepareInvoiceExportMark, commitInvoiceExportMark] = twoStepTools({
  name: "invoice_export_mark",
  summary: "mark invoices exported",
  prepareDescription:
    `Reads up to ${MAX_MARKS} invoices by id and shows what marking them exported would cover, with each ` +
    "invoice's exportId now and the externalId it would get.",
  commitDescription:
    "Tells ServiceTitan your accounting system now holds these invoices (one result per invoice; a refused " +
    "invoice fails alone). Later edits of them show in find_invoices_changed_after_export.",
  // Overwrites the invoices' sync status and exportId; marking again is harmless.
  annotations: COMMIT,
  input: InvoiceMarkRequest,
  request: InvoiceMarkRequest,
  check: checkInvoiceMarks,
  send: postRequest("invoice-changes", "/invoices/mark-exported"),
  audit: markAudit("invoiceIds", idsOf),
});

/**
 * The fields an update may set: those that move no money (a new tax zone changes the tax, so the
 * balance, and goes through the invoice's gate, which only a check-only route could run for a
 * preview). `null` clears a field that can be empty.
 */
const InvoiceChanges = {
  number: Text(50).optional().describe("The invoice number"),
  invoicedOn: BusinessDate.optional(),
  dueDate: z.iso.date().optional().describe("A date such as 2026-01-31"),
  summary: Text(10_000).nullable().optional().describe("HTML, printed on the invoice; null clears it"),
  reviewStatus: z.enum(REVIEW_STATUSES).optional(),
  assignedToId: Id.nullable().optional().describe("The employee the invoice is assigned to; null clears it"),
  exportId: Text(100).nullable().optional().describe("The external system's id; null clears it"),
  budgetCodeId: Id.nullable().optional().describe("null clears it"),
};
type Field = keyof typeof InvoiceChanges;

/** Each field's value as the invoice holds it now. */
const CURRENT = {
  number: (invoice) => invoice.referenceNumber,
  invoicedOn: (invoice) => invoice.invoiceDate,
  dueDate: (invoice) => invoice.dueDate,
  summary: (invoice) => invoice.summary,
  reviewStatus: (invoice) => invoice.reviewStatus,
  assignedToId: (invoice) => invoice.assignedTo?.id ?? null,
  exportId: (invoice) => invoice.exportId,
  budgetCodeId: (invoice) => invoice.budgetCodeId,
} satisfies Record<Field, (invoice: InvoiceView) => string | number | null>;

const FIELDS = Object.keys(InvoiceChanges) as Field[];

const UpdateRequest = z
  .strictObject({ invoiceId: Id, ...InvoiceChanges })
  .refine(
    (request) => FIELDS.some((field) => request[field] !== undefined),
    "give at least one field to change",
  );
type UpdateRequest = z.output<typeof UpdateRequest>;

const fieldsOf = (request: UpdateRequest) => FIELDS.filter((field) => request[field] !== undefined);
const valuesOf = (invoice: InvoiceView) =>
  Object.fromEntries(FIELDS.map((field) => [field, CURRENT[field](invoice)]));

async function checkUpdate(args: UpdateRequest, caller: Caller): Promise<Checked<UpdateRequest>> {
  const current = await activeInvoice(caller, args.invoiceId);
  if (!current.ok) return current;
  const changes = fieldsOf(args).map((field) => ({
    field,
    now: CURRENT[field](current.data),
    after: args[field] ?? null,
  }));
  const unchanged = changes.filter((change) => change.now === change.after).length;
  return {
    ok: true,
    request: args,
    preview: {
      summary:
        `Change ${changes.map((change) => change.field).join(", ")} of invoice ` +
        `${current.data.referenceNumber ?? "(no number)"} (id ${args.invoiceId}); ${unchanged} already as asked`,
      invoice: invoiceSummary(current.data),
      changes,
    },
  };
}

export const [prepareInvoiceUpdate, commitInvoiceUpdate] = twoStepTools({
  name: "invoice_update",
  summary: "change an invoice's fields",
  prepareDescription:
    "Reads the invoice (it exists in this tenant and is active) and shows each field's value now beside the new " +
    "one: number, invoicedOn, dueDate, summary, reviewStatus, assignedToId, exportId, budgetCodeId (null clears " +
    "one that can be empty). Fields that move money (items, tax zone) are not offered.",
  commitDescription: "Sends ServiceTitan only the prepared fields; the answer is the invoice afterwards.",
  // Overwrites the fields; setting them again changes nothing more.
  annotations: COMMIT,
  input: UpdateRequest,
  request: UpdateRequest,
  check: checkUpdate,
  async send({ invoiceId, ...changes }, caller) {
    const answer = await callCapability<InvoiceView>(caller, "invoice-changes", `/invoices/${invoiceId}`, {
      method: "PATCH",
      body: changes,
    });
    if (!answer.ok) return answer;
    return { ok: true, data: { invoice: { ...invoiceSummary(answer.data), ...valuesOf(answer.data) } } };
  },
  audit: (request) => ({ invoiceId: request.invoiceId, fields: fieldsOf(request).join(",") }),
});

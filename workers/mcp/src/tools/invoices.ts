// Invoice writes of the invoice-changes worker, two steps each (two-step.ts). Export marks: the
// prepare reads the invoices through invoice-lookup (so an agent sees which invoices, customers
// and totals it is about to mark, and their exportId now), the commit calls POST
// /invoices/mark-exported, which ServiceTitan answers per invoice; marking again is harmless.
import type { InvoiceView } from "@st-edge/views/invoice";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { callCapability, knownProblem, type WorkerAnswer } from "../capabilities.ts";
import { invoiceSummary } from "../views.ts";
import { COMMIT } from "./define.ts";
import { inOrderOf, MAX_MARKS, markAudit, markList, markSummary } from "./export-marks.ts";
import { Id, Text } from "./read.ts";
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

// Adjustment invoices (a write-off, a credit, a charge found after the original was exported), two
// steps (two-step.ts). The prepare reads the original through invoice-lookup (it exists in this
// tenant, is active and is not itself an adjustment, the refusals invoice-adjustments would answer)
// and shows the lines and their sum; the commit posts to invoice-adjustments with the token's
// Idempotency-Key, so however often an agent retries it, one adjustment invoice is created.
// invoice-adjustments has no check-only route: what only ServiceTitan checks (that a SKU exists in
// the price book, say) is refused at commit, as a tool error, and nothing is created.
import { hasMarker, markerFor } from "@st-edge/exactly-once/marker";
import { Decimal } from "@st-edge/servicetitan/money";
import type { InvoiceView } from "@st-edge/views/invoice";
import { ADJUSTMENT_MARKER_KIND } from "@st-edge/worker-invoice-adjustments/marker";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { callCapability, knownProblem } from "../capabilities.ts";
import { invoiceDetail, invoiceSummary } from "../views.ts";
import { COMMIT } from "./define.ts";
import { activeInvoice } from "./invoices.ts";
import { BusinessDate, FIND_CAP, Id, Money, SignedMoney, Text } from "./read.ts";
import { type Checked, createOnce, twoStepTools } from "./two-step.ts";

/** invoice-adjustments takes at most 50 items per adjustment. */
const MAX_ITEMS = 50;

const AdjustmentItem = z
  .strictObject({
    skuId: Id.optional(),
    skuName: Text(100).optional().describe("The SKU's code in the price book, instead of skuId"),
    description: Text(4_000).describe("As printed on the adjustment invoice"),
    quantity: Money.refine((quantity) => Decimal.parse(quantity).isPositive(), "must be more than 0"),
    unitPrice: SignedMoney.describe('Negative for a write-off or credit, e.g. "-25.00"'),
  })
  .refine(
    (item) => (item.skuId === undefined) !== (item.skuName === undefined),
    "give skuId or skuName, not both",
  );

const AdjustmentRequest = z.strictObject({
  invoiceId: Id.describe("The original invoice this adjusts"),
  items: z.array(AdjustmentItem).min(1).max(MAX_ITEMS),
  summary: Text(10_000).optional().describe("HTML, printed on the adjustment invoice"),
  invoicedOn: BusinessDate.optional(),
  // invoice-adjustments keeps 255 characters: the tracing marker and a space go after these.
  royaltyMemo: Text(232).optional().describe("An internal note (not printed)"),
});
type AdjustmentRequest = z.output<typeof AdjustmentRequest>;

/** Each line with its amount (quantity × unit price), and their sum before tax. */
function linesOf(items: AdjustmentRequest["items"]) {
  const lines = items.map((item) => ({
    ...item,
    amount: Decimal.parse(item.quantity).times(Decimal.parse(item.unitPrice)).toFixed(2),
  }));
  return { lines, subtotal: Decimal.sum(lines.map((line) => Decimal.parse(line.amount))).toFixed(2) };
}

async function checkAdjustment(args: AdjustmentRequest, caller: Caller): Promise<Checked<AdjustmentRequest>> {
  const original = await activeInvoice(caller, args.invoiceId);
  if (!original.ok) return original;
  const adjusted = original.data.adjustmentToId;
  if (adjusted !== null) {
    return {
      ok: false,
      problem: knownProblem("unprocessable", {
        detail: `Invoice ${args.invoiceId} is itself an adjustment to invoice ${adjusted}: adjust invoice ${adjusted}`,
        errors: [{ in: "body", field: "invoiceId", message: `is an adjustment to ${adjusted}` }],
      }),
    };
  }
  const { lines, subtotal } = linesOf(args.items);
  return {
    ok: true,
    request: args,
    preview: {
      summary: `Create an adjustment invoice of ${subtotal} before tax to invoice ${original.data.referenceNumber ?? "(no number)"} (id ${args.invoiceId})`,
      original: invoiceSummary(original.data),
      items: lines,
      subtotal,
      tax: "as ServiceTitan computes it for the new invoice",
      invoicedOn: args.invoicedOn ?? "when committed",
      summaryText: args.summary ?? null,
      royaltyMemo: args.royaltyMemo ?? null,
    },
  };
}

type CreatedAdjustment = InvoiceView & { marker: string | null };

/** Whether an expired token's adjustment was created: its key's marker among the original's adjustments. */
async function adjustmentOfKey(
  request: AdjustmentRequest,
  caller: Caller,
  key: string,
): Promise<string | undefined> {
  const [marker, listed] = await Promise.all([
    markerFor(Number(caller.env.ST_TENANT_ID), key, ADJUSTMENT_MARKER_KIND),
    callCapability<InvoiceView[]>(
      caller,
      "invoice-lookup",
      `/invoices?adjustmentToId=${request.invoiceId}&limit=${FIND_CAP}`,
    ),
  ]);
  if (!listed.ok) return undefined;
  const created = listed.data.find((invoice) => hasMarker(invoice.royalty?.memo, marker));
  return created
    ? `It was committed before: adjustment invoice ${created.id} (marker ${marker}) adjusts invoice ${request.invoiceId}; no new one is needed`
    : `No adjustment from it is on invoice ${request.invoiceId}: prepare again if it is still wanted`;
}

export const [prepareAdjustmentInvoice, commitAdjustmentInvoice] = twoStepTools({
  name: "adjustment_invoice",
  summary: "create an adjustment invoice",
  prepareDescription:
    "Checks an adjustment invoice to an original one (it exists in this tenant, is active, and is not itself an " +
    "adjustment) and shows its lines (quantity × unitPrice; negative for a write-off) and their sum before tax. " +
    "Amounts are decimal text.",
  commitDescription: "Creates the prepared adjustment invoice in ServiceTitan, exactly once.",
  // A new invoice in the books; a retry with the same token creates nothing more.
  annotations: COMMIT,
  input: AdjustmentRequest,
  request: AdjustmentRequest,
  check: checkAdjustment,
  async send({ invoiceId, ...body }, caller, idempotencyKey) {
    const created = await createOnce<CreatedAdjustment>(
      caller,
      "invoice-adjustments",
      `/invoices/${invoiceId}/adjustments`,
      body,
      idempotencyKey,
    );
    if (!created.ok) return created;
    const { created: adjustment, replayed } = created.data;
    return {
      ok: true,
      data: { adjustment: invoiceDetail(adjustment), marker: adjustment.marker, replayed, idempotencyKey },
    };
  },
  audit: (request, outcome) => ({
    originalInvoiceId: request.invoiceId,
    subtotal: linesOf(request.items).subtotal,
    adjustmentId: outcome.ok ? (outcome.data.adjustment as { id?: number } | undefined)?.id : undefined,
    replayed: outcome.ok ? outcome.data.replayed === true : undefined,
  }),
  whenExpired: adjustmentOfKey,
});

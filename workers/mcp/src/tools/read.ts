// The read tools: invoices, tax, payment terms, bills and payments, each one call (or a few) to
// the worker that owns it. Arguments carry the workers' own names (modifiedSince, paymentTermId…),
// so a field a worker refuses is named as the agent sent it. Lists are paged; money is the
// workers' exact decimal text.
import type { BillView } from "@st-edge/views/bill";
import type { AppliedPaymentView, PollItem as InvoicePollItem, InvoiceView } from "@st-edge/views/invoice";
import type { PaymentViewOutput, PollItem } from "@st-edge/views/payment";
import * as z from "zod";
import { callCapability, type WorkerAnswer } from "../capabilities.ts";
import { listPage, type Page } from "../paging.ts";
import { billSummary, invoiceDetail, invoiceSummary, paymentSummary } from "../views.ts";
import { defineTool, type Outcome, READ_ONLY } from "./define.ts";

/** A ServiceTitan id. */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** Money in a request: decimal text, at most two decimals (text, so no binary floating point). */
export const Money = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be decimal text with at most 2 decimals, e.g. "125.50"');
/** Money that may be negative (a discount, a write-off). */
export const SignedMoney = z
  .string()
  .regex(/^-?\d{1,12}(\.\d{1,2})?$/, 'must be decimal text with at most 2 decimals, e.g. "-25.00"');
/** Text a caller typed: never empty. */
export const Text = (max: number) => z.string().min(1).max(max);
const DateTime = z.iso.datetime({ offset: true });
/** A business date as the workers take it: a date (midnight UTC) or an RFC 3339 date-time. */
export const BusinessDate = z
  .union([z.iso.date(), DateTime])
  .describe("Date (2026-01-31) or RFC 3339 date-time");
const Limit = (max: number, fallback: number) =>
  z
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .describe(`Page size (default ${fallback}, at most ${max})`);
const Cursor = z.string().max(40).optional().describe("nextCursor of the previous page (same filters)");

/** `?a=1&b=x`, skipping absent values. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

const mapped = <T, U>(answer: Outcome<T>, map: (data: T) => U): Outcome<U> =>
  answer.ok ? { ok: true, data: map(answer.data) } : answer;

/** A page as a list tool answers it: the items under `name`, and the cursor of the next page. */
const pageAnswer = <U>(listed: Outcome<Page<U>>, name: string): Outcome<Record<string, unknown>> =>
  mapped(listed, ({ items, nextCursor }) => ({ [name]: items, nextCursor }));

/** The list of a `{ data: [...] }` answer. */
const unwrapData = <T>(answer: WorkerAnswer<{ data: T[] }>): WorkerAnswer<T[]> =>
  answer.ok ? { ...answer, data: answer.data.data } : answer;

/** The invoice-lookup worker answers at most this many invoices per find. */
export const FIND_CAP = 100;

export const findInvoices = defineTool({
  name: "find_invoices",
  title: "Find invoices",
  description:
    "Find invoices by number, job number, customer, original (its adjustments), status or changed since a date/time (at least one; they " +
    "combine with AND). Most recently modified first, compact (id, number, customer, job, total, balance), paged. " +
    `Only the ${FIND_CAP} most recently modified matches can be paged through: narrow the filters for more.`,
  annotations: READ_ONLY,
  input: z.strictObject({
    number: z.string().min(1).max(100).optional().describe("Invoice (reference) number"),
    jobNumber: z.string().min(1).max(100).optional().describe("Job number"),
    customerId: Id.optional().describe("Customer id"),
    adjustmentToId: Id.optional().describe("An original invoice's id: its adjustment invoices"),
    status: z
      .array(z.enum(["Pending", "Posted", "Exported"]))
      .min(1)
      .max(3)
      .optional()
      .describe("Sync status(es)"),
    modifiedSince: DateTime.optional().describe("Changed on or after this RFC 3339 date-time"),
    limit: Limit(50, 20),
    cursor: Cursor,
  }),
  async run({ limit, cursor, status, ...filters }, caller) {
    const query = queryString({ ...filters, status: status?.join(",") });
    const listed = await listPage(
      { cursor, limit, query },
      (wanted) =>
        callCapability<InvoiceView[]>(
          caller,
          "invoice-lookup",
          `/invoices${query}${query ? "&" : "?"}limit=${Math.min(FIND_CAP, wanted)}`,
        ),
      invoiceSummary,
    );
    return mapped(listed, ({ items, nextCursor, listed: count }) => ({
      invoices: items,
      nextCursor,
      // The worker's own budget cut its search short, or the cap was reached: there may be more.
      mayHaveMore:
        nextCursor === null &&
        ((listed.ok && listed.headers.get("X-Search-Complete") === "false") || count >= FIND_CAP),
    }));
  },
});

export const getInvoice = defineTool({
  name: "get_invoice",
  title: "Get an invoice with its payments",
  description:
    "One invoice by id, active or not: amounts (total, balance, amount paid), tax zone, terms, items and the " +
    "active payments applied to it (amount applied to this invoice).",
  annotations: READ_ONLY,
  input: z.strictObject({ invoiceId: Id }),
  async run({ invoiceId }, caller) {
    const answer = await callCapability<InvoiceView & { payments?: AppliedPaymentView[] }>(
      caller,
      "invoice-lookup",
      `/invoices/${invoiceId}?include=payments`,
    );
    return mapped(answer, invoiceDetail);
  },
});

/** invoice-changes' export drift answers at most this many versions. */
const DRIFT_CAP = 100;

type DriftItem = InvoicePollItem & { exportedVersion: string; exportedAs: string | null };

export const findInvoicesChangedAfterExport = defineTool({
  name: "find_invoices_changed_after_export",
  title: "Invoices changed after export",
  description:
    "Invoices marked exported (commit_invoice_export_mark) and edited since, newest edit first: the books " +
    "may be out of sync for these. Each is one version (versionId changes with every edit), with the version " +
    `and externalId it was exported as. Paged; only the ${DRIFT_CAP} newest can be paged through. Marking an ` +
    "invoice again once the books are corrected ends its drift.",
  annotations: READ_ONLY,
  input: z.strictObject({ limit: Limit(50, 20), cursor: Cursor }),
  async run({ limit, cursor }, caller) {
    const listed = await listPage(
      { cursor, limit, query: "" },
      (wanted) =>
        callCapability<DriftItem[]>(
          caller,
          "invoice-changes",
          `/invoices/export-drift?limit=${Math.min(DRIFT_CAP, wanted)}`,
        ),
      // A drift item's id is its version's; the invoice's own id is invoiceId.
      ({ id, invoiceId, exportedVersion, exportedAs, ...invoice }) => ({
        ...invoiceSummary({ ...invoice, id: invoiceId }),
        versionId: id,
        exportedVersion,
        exportedAs,
      }),
    );
    return pageAnswer(listed, "invoices");
  },
});

type TaxZone = {
  id: number;
  name: string | null;
  active: boolean;
  isTaxRateSeparated: boolean;
  rates: { taxName: string | null; taxRate: string; taxBaseType: string[] }[];
};
const zoneSummary = (zone: TaxZone) => ({
  id: zone.id,
  name: zone.name,
  active: zone.active,
  isTaxRateSeparated: zone.isTaxRateSeparated,
  rates: zone.rates.map(({ taxName, taxRate, taxBaseType }) => ({ taxName, taxRate, taxBaseType })),
});

export const listTaxZones = defineTool({
  name: "list_tax_zones",
  title: "List tax zones",
  description:
    'The tenant\'s tax zones with their rates (decimal fractions: "0.0825" is 8.25 %), by name, paged.',
  annotations: READ_ONLY,
  input: z.strictObject({
    name: z.string().min(1).max(100).optional().describe("Keeps zones whose name contains this text"),
    active: z
      .enum(["true", "false", "any"])
      .default("true")
      .describe("Active zones (default), inactive, or any"),
    limit: Limit(50, 25),
    cursor: Cursor,
  }),
  async run({ limit, cursor, ...filters }, caller) {
    const query = queryString(filters);
    const listed = await listPage(
      { cursor, limit, query },
      () => callCapability<{ data: TaxZone[] }>(caller, "tax-zones", `/tax-zones${query}`).then(unwrapData),
      zoneSummary,
    );
    return pageAnswer(listed, "taxZones");
  },
});

export const resolveTaxZone = defineTool({
  name: "resolve_tax_zone",
  title: "Resolve an invoice's tax zone",
  description: "The tax zone that applies to an invoice (from its taxZoneId), with the zone's rates.",
  annotations: READ_ONLY,
  input: z.strictObject({ invoiceId: Id }),
  async run({ invoiceId }, caller) {
    const answer = await callCapability<{ invoice: unknown; taxZone: TaxZone }>(
      caller,
      "tax-zones",
      `/tax-zones/resolve?invoiceId=${invoiceId}`,
    );
    return mapped(answer, ({ invoice, taxZone }) => ({ invoice, taxZone: zoneSummary(taxZone) }));
  },
});

export const quoteTax = defineTool({
  name: "quote_tax",
  title: "Quote tax in a zone",
  description:
    "Tax on an amount in a tax zone, per rate and in total, in exact decimals (nothing is written). Send " +
    "either subtotal, or labor and material: zones that tax labor or material alone need the split.",
  annotations: READ_ONLY,
  input: z.strictObject({
    taxZoneId: Id,
    subtotal: Money.optional(),
    labor: Money.optional(),
    material: Money.optional(),
  }),
  run: ({ taxZoneId, ...amounts }, caller) =>
    callCapability(caller, "tax-zones", `/tax-zones/${taxZoneId}/quote`, { method: "POST", body: amounts }),
});

type PaymentTerm = {
  id: number;
  name: string | null;
  active: boolean;
  isCustomerDefault: boolean;
  dueDayType: string;
  dueDay: number | null;
  paymentTermDiscountModel: {
    discountType: string | null;
    discount: string | null;
    applyBy: string | null;
    applyByValue: number | null;
  } | null;
};

export const listPaymentTerms = defineTool({
  name: "list_payment_terms",
  title: "List payment terms",
  description:
    "The tenant's payment terms (due-day rule, early-payment discount), by name. Use get_due_date for dates.",
  annotations: READ_ONLY,
  input: z.strictObject({
    name: z.string().min(1).max(100).optional().describe("Keeps terms whose name contains this text"),
    active: z.enum(["true", "false", "any"]).default("true"),
    limit: Limit(50, 25),
    cursor: Cursor,
  }),
  async run({ limit, cursor, ...filters }, caller) {
    const query = queryString(filters);
    const listed = await listPage(
      { cursor, limit, query },
      () =>
        callCapability<{ data: PaymentTerm[] }>(caller, "payment-terms", `/payment-terms${query}`).then(
          unwrapData,
        ),
      (term) => ({
        id: term.id,
        name: term.name,
        active: term.active,
        isCustomerDefault: term.isCustomerDefault,
        dueDayType: term.dueDayType,
        dueDay: term.dueDay,
        discount: term.paymentTermDiscountModel,
      }),
    );
    return pageAnswer(listed, "paymentTerms");
  },
});

export const getDueDate = defineTool({
  name: "get_due_date",
  title: "Due date under a payment term",
  description:
    "The due date (and early-payment discount deadline and amount) for an invoice date under a payment term.",
  annotations: READ_ONLY,
  input: z.strictObject({
    paymentTermId: Id,
    invoiceDate: z.iso.date().describe("The invoice date, YYYY-MM-DD"),
    amount: Money.optional().describe("The amount the discount applies to; omit for no discount amount"),
    ifDayPassed: z.enum(["nextMonth", "invoiceDate", "keep"]).optional(),
  }),
  run: ({ paymentTermId, ...params }, caller) =>
    callCapability(caller, "payment-terms", `/payment-terms/${paymentTermId}/due-date${queryString(params)}`),
});

const BillStatus = z.enum(["Unreconciled", "Discrepancy", "Reconciled", "Canceled"]);
const SyncStatus = z.enum(["Pending", "Posted", "Exported", "PostedAndExported"]);

export const listBills = defineTool({
  name: "list_bills",
  title: "List AP bills",
  description:
    "Accounts-payable bills, filtered and paged (compact: number, vendor, status, sync status, dates, amount). " +
    "A vendor filter can leave a page short while nextCursor is set: keep paging until it is null.",
  annotations: READ_ONLY,
  input: z.strictObject({
    vendorId: Id.optional(),
    vendorName: z.string().min(1).max(100).optional().describe("Vendor name contains this text"),
    status: z.array(BillStatus).min(1).max(4).optional(),
    syncStatus: z.array(SyncStatus).min(1).max(4).optional(),
    billNumber: z.string().min(1).max(100).optional(),
    jobNumber: z.string().min(1).max(100).optional(),
    billType: z.enum(["Procurement", "ApBill", "NotSet"]).optional(),
    dateFrom: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .describe("Created on or after: a date or RFC 3339 date-time"),
    dateTo: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .describe("Created on or before: a date or RFC 3339 date-time"),
    modifiedOnOrAfter: DateTime.optional(),
    limit: Limit(100, 20),
    cursor: z
      .string()
      .regex(/^\d{1,6}$/)
      .optional()
      .describe("nextCursor of the previous page (same filters)"),
  }),
  async run({ limit, cursor, status, syncStatus, ...filters }, caller) {
    const page = cursor === undefined ? 1 : Number(cursor);
    const query = queryString({
      ...filters,
      status: status?.join(","),
      syncStatus: syncStatus?.join(","),
      page,
      pageSize: limit,
    });
    const answer = await callCapability<{ hasMore: boolean; data: BillView[] }>(
      caller,
      "bills",
      `/bills${query}`,
    );
    return mapped(answer, ({ hasMore, data }) => ({
      bills: data.map(billSummary),
      nextCursor: hasMore ? String(page + 1) : null,
    }));
  },
});

/** payment-posting's polling trigger answers at most this many. */
const RECENT_CAP = 100;

export const listRecentPayments = defineTool({
  name: "list_recent_payments",
  title: "Recent payments",
  description:
    "Payments, newest change first (voided ones too, active: false), or with invoiceId the active payments " +
    `applied to that invoice. Paged; only the ${RECENT_CAP} most recent changes can be paged through.`,
  annotations: READ_ONLY,
  input: z.strictObject({
    invoiceId: Id.optional().describe("Only the active payments applied to this invoice"),
    limit: Limit(50, 20),
    cursor: Cursor,
  }),
  async run({ invoiceId, limit, cursor }, caller) {
    const listed = await listPage(
      { cursor, limit, query: queryString({ invoiceId }) },
      (wanted): Promise<WorkerAnswer<PaymentViewOutput[]>> =>
        invoiceId === undefined
          ? callCapability<PollItem[]>(
              caller,
              "payment-posting",
              `/payments/poll?limit=${Math.min(RECENT_CAP, wanted)}`,
            ).then((polled) =>
              // A poll item's id is its version's; the payment's own id is paymentId.
              polled.ok
                ? {
                    ...polled,
                    data: polled.data.map(({ paymentId, ...item }) => ({ ...item, id: paymentId })),
                  }
                : polled,
            )
          : callCapability<{ data: PaymentViewOutput[] }>(
              caller,
              "payment-posting",
              `/payments?invoiceId=${invoiceId}`,
            ).then(unwrapData),
      paymentSummary,
    );
    return pageAnswer(listed, "payments");
  },
});

export const getPayment = defineTool({
  name: "get_payment",
  title: "Get a payment",
  description:
    "One payment by id: type, amount, status, the invoices it is applied to, memo and tracing marker.",
  annotations: READ_ONLY,
  input: z.strictObject({ paymentId: Id }),
  async run({ paymentId }, caller) {
    return mapped(
      await callCapability<PaymentViewOutput>(caller, "payment-posting", `/payments/${paymentId}`),
      paymentSummary,
    );
  },
});

export const READ_TOOLS = [
  findInvoices,
  getInvoice,
  findInvoicesChangedAfterExport,
  listTaxZones,
  resolveTaxZone,
  quoteTax,
  listPaymentTerms,
  getDueDate,
  listBills,
  listRecentPayments,
  getPayment,
];

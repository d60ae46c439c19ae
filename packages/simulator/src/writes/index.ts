// Every change a tenant's data can undergo, as one list: the operation and its validated input
// (`TenantWrite`, plain JSON, which is what a journal keeps and replays) and the function that
// carries it out. TenantStore.apply is the only caller, so each write happens one way whether a
// route or a replayed journal asks for it.
import type { components, Invoice, PaymentCreateRequest, PaymentUpdateRequest } from "@st-edge/servicetitan";
import type { StoredPayment } from "../records.ts";
import { markApBillsExported, markInventoryBillsExported } from "./bills.ts";
import type { WriteContext } from "./context.ts";
import {
  createAdjustmentInvoice,
  deleteInvoiceItem,
  markInvoicesExported,
  updateInvoice,
  updateInvoiceCustomFields,
  updateInvoiceItem,
} from "./invoices.ts";
import { createPayment, updatePayment, updatePaymentStatus } from "./payments.ts";

type S = components["schemas"];

/** The input of each write, by the operationId that makes it. */
interface WriteInputs {
  Payments_Create: { body: PaymentCreateRequest };
  Payments_Update: { id: number; body: PaymentUpdateRequest };
  Payments_UpdateStatus: { body: S["Accounting.V2.PaymentStatusBatchRequest"] };
  Invoices_UpdateInvoice: { id: number; body: S["Accounting.V2.InvoiceUpdateRequest"] };
  Invoices_UpdateInvoiceItems: { invoiceId: number; body: S["Accounting.V2.InvoiceItemUpdateRequest"] };
  Invoices_DeleteInvoiceItem: { invoiceId: number; itemId: number };
  Invoices_CreateAdjustmentInvoice: { body: S["Accounting.V2.AdjustmentInvoiceCreateRequest"] };
  Invoices_MarkAsExported: { body: S["Accounting.V2.MarkInvoiceAsExportedUpdateRequest"][] };
  Invoices_UpdateCustomFields: { body: S["Accounting.V2.CustomFieldUpdateRequest"] };
  ApBills_MarkAsExported: { body: S["Accounting.V2.MarkApBillAsExportedUpdateRequest"] };
  InventoryBills_MarkAsExported: { body: S["Accounting.V2.MarkInventoryBillAsExportedUpdateRequest"] };
}

/** What each write answers with. */
interface WriteResults {
  Payments_Create: StoredPayment;
  Payments_Update: StoredPayment;
  Payments_UpdateStatus: undefined;
  Invoices_UpdateInvoice: Invoice;
  Invoices_UpdateInvoiceItems: Invoice;
  Invoices_DeleteInvoiceItem: Invoice;
  Invoices_CreateAdjustmentInvoice: Invoice;
  Invoices_MarkAsExported: S["Accounting.V2.MarkInvoiceAsExportedUpdateResponse"][];
  Invoices_UpdateCustomFields: undefined;
  ApBills_MarkAsExported: S["Accounting.V2.MarkApBillAsExportedUpdateResponse"][];
  InventoryBills_MarkAsExported: S["Accounting.V2.MarkInventoryBillAsExportedUpdateResponse"][];
}

export type WriteOperation = keyof WriteInputs;

type AnyWrite = { [P in WriteOperation]: { op: P } & WriteInputs[P] }[WriteOperation];

/** One write of operation K (any operation when K is left open). */
export type TenantWrite<K extends WriteOperation = WriteOperation> = Extract<AnyWrite, { op: K }>;

export type WriteResult<K extends WriteOperation> = WriteResults[K];

const WRITERS: { [P in WriteOperation]: (ctx: WriteContext, write: TenantWrite<P>) => WriteResults[P] } = {
  Payments_Create: (ctx, { body }) => createPayment(ctx, body),
  Payments_Update: (ctx, { id, body }) => updatePayment(ctx, id, body),
  Payments_UpdateStatus: (ctx, { body }) => updatePaymentStatus(ctx, body),
  Invoices_UpdateInvoice: (ctx, { id, body }) => updateInvoice(ctx, id, body),
  Invoices_UpdateInvoiceItems: (ctx, { invoiceId, body }) => updateInvoiceItem(ctx, invoiceId, body),
  Invoices_DeleteInvoiceItem: (ctx, { invoiceId, itemId }) => deleteInvoiceItem(ctx, invoiceId, itemId),
  Invoices_CreateAdjustmentInvoice: (ctx, { body }) => createAdjustmentInvoice(ctx, body),
  Invoices_MarkAsExported: (ctx, { body }) => markInvoicesExported(ctx, body),
  Invoices_UpdateCustomFields: (ctx, { body }) => updateInvoiceCustomFields(ctx, body),
  ApBills_MarkAsExported: (ctx, { body }) => markApBillsExported(ctx, body),
  InventoryBills_MarkAsExported: (ctx, { body }) => markInventoryBillsExported(ctx, body),
};

/** Carries out one write; throws (an HttpProblem) before changing anything when the write is refused. */
export function runWrite<K extends WriteOperation>(ctx: WriteContext, write: TenantWrite<K>): WriteResult<K> {
  const writer: (ctx: WriteContext, write: TenantWrite<K>) => WriteResults[K] = WRITERS[write.op];
  return writer(ctx, write);
}

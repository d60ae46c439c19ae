// Export feeds: GET /export/invoices, /export/payments, /export/invoice-items and
// /export/inventory-bills. They return active, inactive and deleted records alike (D4: deleted
// invoice items come back inactive) in modification order, and follow export-feed.ts for
// continuation, lag and repeats.
import type { components } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { exportBatch } from "../export-feed.ts";
import { instantOf } from "../filters.ts";
import { operation } from "../operation.ts";
import { parseQuery } from "../validation.ts";
import { inventoryBill } from "./bills.ts";

type S = components["schemas"];

/** Export_Invoices, Export_Payments, Export_InvoiceItems and Export_InventoryBills. */
export function exportRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const feedRequest = (
    feed: string,
    from: string | undefined,
    includeRecentChanges: boolean | undefined,
  ) => ({
    feed,
    from,
    includeRecentChanges: includeRecentChanges === true,
    now: state.clock.now(),
    lagMs: state.settings.exportLagSeconds * 1000,
    batchSize: state.settings.exportBatchSize,
  });

  routes.get("/export/invoices", operation(state, "Export_Invoices"), (c) => {
    const q = parseQuery("Export_Invoices", new URL(c.req.url));
    const batch = exportBatch(
      c.var.store.invoices(),
      (invoice) => ({ t: instantOf(invoice.modifiedOn ?? invoice.createdOn) ?? 0, id: invoice.id }),
      feedRequest("invoices", q.string("from"), q.bool("includeRecentChanges")),
    );
    return c.json(batch satisfies S["ExportResponse_Of_Accounting.V2.ExportInvoiceResponse"]);
  });

  routes.get("/export/payments", operation(state, "Export_Payments"), (c) => {
    const q = parseQuery("Export_Payments", new URL(c.req.url));
    const store = c.var.store;
    const batch = exportBatch(
      store.payments(),
      (payment) => ({ t: payment.modifiedOn, id: payment.id }),
      feedRequest("payments", q.string("from"), q.bool("includeRecentChanges")),
    );
    return c.json({
      ...batch,
      data: batch.data.map((payment) => store.exportPayment(payment)),
    } satisfies S["ExportResponse_Of_Accounting.V2.ExportPaymentResponse"]);
  });

  routes.get("/export/invoice-items", operation(state, "Export_InvoiceItems"), (c) => {
    const q = parseQuery("Export_InvoiceItems", new URL(c.req.url));
    const batch = exportBatch(
      c.var.store.exportInvoiceItems(),
      (item) => ({ t: instantOf(item.modifiedOn) ?? 0, id: item.id }),
      feedRequest("invoice-items", q.string("from"), q.bool("includeRecentChanges")),
    );
    return c.json(batch satisfies S["ExportResponse_Of_Accounting.V2.ExportInvoiceItemResponse"]);
  });

  routes.get("/export/inventory-bills", operation(state, "Export_InventoryBills"), (c) => {
    const q = parseQuery("Export_InventoryBills", new URL(c.req.url));
    const batch = exportBatch(
      c.var.store.apBills(),
      (bill) => ({ t: instantOf(bill.modifiedOn ?? bill.createdOn) ?? 0, id: bill.id }),
      feedRequest("inventory-bills", q.string("from"), q.bool("includeRecentChanges")),
    );
    return c.json({
      ...batch,
      // A canceled bill is the feed's inactive one (UNCONFIRMED).
      data: batch.data.map((bill) => ({ ...inventoryBill(bill), active: bill.status !== "Canceled" })),
    } satisfies S["ExportResponse_Of_Accounting.V2.ExportInventoryBillResponse"]);
  });

  return routes;
}

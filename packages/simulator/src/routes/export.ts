// Export feeds: GET /export/invoices and /export/payments. They return active, inactive and
// deleted records alike (D4) in modification order, and follow export-feed.ts for continuation,
// lag and repeats.
import type { components } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { exportBatch } from "../export-feed.ts";
import { instantOf } from "../filters.ts";
import { operation } from "../operation.ts";
import { parseQuery } from "../validation.ts";

type S = components["schemas"];

/** Export_Invoices and Export_Payments. */
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

  return routes;
}

// GET /invoices?number=&jobNumber=&customerId=&adjustmentToId=&status=&modifiedSince=&limit=: a Zapier-style
// "find" answering an array, most recently modified first.
import { log, serviceTitanFor } from "@st-edge/edge";
import { toInvoiceView } from "@st-edge/views/invoice";
import type { findInvoices } from "../api.ts";
import { type InvoiceQuery, newestInvoices } from "../upstream.ts";
import type { AppContext, Handler } from "./context.ts";

/** Tells the caller (header) and the logs when the time or call budget cut a search short. */
export function markIncomplete(c: AppContext, calls: number): void {
  c.header("X-Search-Complete", "false");
  log("warn", { event: "search-incomplete", requestId: c.var.requestId, path: c.req.path, calls });
}

export const findInvoicesHandler: Handler<typeof findInvoices> = async (c, { query }) => {
  const { client, deadline } = await serviceTitanFor(c);
  const filters: InvoiceQuery = {
    number: query.number,
    jobNumber: query.jobNumber,
    customerId: query.customerId,
    adjustmentToId: query.adjustmentToId,
    // Sent as a repeated parameter (`statuses=Posted&statuses=Exported`), as ServiceTitan asks.
    statuses: query.status,
  };
  const { records, complete, calls } = await newestInvoices(client, deadline, {
    filters,
    window: { from: query.modifiedSince === undefined ? undefined : Date.parse(query.modifiedSince) },
    limit: query.limit,
  });
  if (!complete) markIncomplete(c, calls);
  return c.json(records.map(toInvoiceView));
};

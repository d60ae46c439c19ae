// GET /invoices/batch?ids=…: up to 200 invoices, 50 ids per ServiceTitan call, a few at a time.
import { serviceTitanFor } from "@st-edge/edge";
import { toInvoiceView } from "@st-edge/views/invoice";
import type { batchInvoices } from "../api.ts";
import { invoicesByIds } from "../upstream.ts";
import type { Handler } from "./context.ts";

export const batchInvoicesHandler: Handler<typeof batchInvoices> = async (c, { query }) => {
  const { client } = await serviceTitanFor(c);
  const found = await invoicesByIds(client, query.ids);
  return c.json({
    invoices: query.ids.flatMap((id) => {
      const invoice = found.get(id);
      return invoice ? [toInvoiceView(invoice)] : [];
    }),
    notFound: query.ids.filter((id) => !found.has(id)),
  });
};

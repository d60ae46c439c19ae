// GET /invoices/{id}: one invoice through ServiceTitan's `?ids=` filter (there is no get-by-id),
// optionally with the payments applied to it.
import { ProblemError, serviceTitanFor } from "@st-edge/edge";
import { fetchOneById } from "@st-edge/servicetitan";
import { toAppliedPayment, toInvoiceView } from "@st-edge/views/invoice";
import type { getInvoice } from "../api.ts";
import { listInvoices, paymentsAppliedTo } from "../upstream.ts";
import type { Handler } from "./context.ts";

export const getInvoiceHandler: Handler<typeof getInvoice> = async (c, { params, query }) => {
  const { client } = await serviceTitanFor(c);
  const invoice = await fetchOneById(
    params.id,
    // Active or not: asked for by id, a voided invoice is answered with `active: false`, not a 404.
    async (ids) => (await listInvoices(client, { ids, activeState: "All" })).data,
  );
  if (!invoice) {
    throw new ProblemError({
      type: "not-found",
      detail: `No invoice ${params.id} in this ServiceTitan tenant`,
    });
  }
  const view = toInvoiceView(invoice);
  if (query.include !== "payments") return c.json(view);
  const payments = await paymentsAppliedTo(client, invoice.id);
  return c.json({ ...view, payments: payments.map((payment) => toAppliedPayment(payment, invoice.id)) });
};

// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
// Its own simulator: the cases that do change invoices change nobody else's.
import { env } from "cloudflare:test";
import { describeWorkerFuzz } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { invoices, NO_LOCKS } from "./support.ts";

const sim = createSimulator({ invoiceLocks: NO_LOCKS });
const [first] = (await invoices(sim)).filter((invoice) => invoice.active && (invoice.items ?? []).length > 1);
const item = first?.items?.[0];
if (!first || !item) throw new Error("the seed has no invoice with items");

// Item ids and SKU codes as callers send them (invoice ids of both tenants are added by the harness).
const samples = [String(item.id), "SVC-DIAG", "PM-PROMO", "PO Number", "Job Source"];

// Valid bodies the harness sends as they are or bent one field at a time.
const bodies = {
  updateInvoice: [
    { summary: "fuzzed", reviewStatus: "Reviewed" },
    { dueDate: "2026-12-31", exportId: null },
  ],
  addInvoiceItem: [{ skuName: "SVC-DIAG", description: "Fee", quantity: "1", unitPrice: "10.00" }],
  changeInvoiceItem: [{ quantity: 2 }, { unitPrice: "-5.00", description: "Discount" }],
  setCustomFields: [{ customFields: [{ name: "PO Number", value: "PO-1" }] }],
  markInvoicesExported: [{ invoices: [{ invoiceId: first.id, externalId: "QB-1", externalMessage: "ok" }] }],
};

describeWorkerFuzz({ name: "invoice-changes", worker, base: env, sim, routes, samples, bodies });

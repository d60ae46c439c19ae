// Every route answers within its time budget while ServiceTitan is silent (packages/edge
// test-support/budget.ts); nothing changes meanwhile.
import { describeSilentUpstream } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { testEnv } from "./support.ts";

const sim = createSimulator();
const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describeSilentUpstream({
  name: "invoice-changes",
  worker,
  sim,
  env: (overrides) => testEnv(sim, overrides),
  routes,
  requests: {
    listCustomFieldTypes: { path: "/invoices/custom-field-types" },
    exportDrift: { path: "/invoices/export-drift" },
    markInvoicesExported: {
      path: "/invoices/mark-exported",
      init: json("POST", { invoices: [{ invoiceId: 11000041 }] }),
    },
    updateInvoice: { path: "/invoices/11000041", init: json("PATCH", { summary: "changed" }) },
    addInvoiceItem: {
      path: "/invoices/11000041/items",
      init: json("POST", { skuName: "SVC-DIAG", description: "Fee", quantity: 1, unitPrice: 1 }),
    },
    changeInvoiceItem: { path: "/invoices/11000041/items/1", init: json("PATCH", { quantity: 2 }) },
    deleteInvoiceItem: { path: "/invoices/11000041/items/1", init: { method: "DELETE" } },
    setCustomFields: {
      path: "/invoices/11000041/custom-fields",
      init: json("PATCH", { customFields: [{ name: "PO Number", value: "PO-1" }] }),
    },
  },
});

// The invoice-changes worker: invoice fields, items, custom fields, and the export loop (marks and
// drift); adjustment invoices are workers/invoice-adjustments. The module also exports the Durable
// Object class wrangler.jsonc binds as EXPORT_MARKS. INVOICE_GATES is payment-posting's
// InvoiceGate, bound by script name.
import { createWorkerApp } from "@st-edge/edge";
import { registerInvoiceRoutes } from "./routes/invoices.ts";
import type { InvoiceChangeBindings } from "./settings.ts";

export { ExportMarks } from "./export/store.ts";

const app = createWorkerApp<InvoiceChangeBindings>({
  name: "invoice-changes",
  openapiAsset: "/invoice-changes.openapi.json",
});

registerInvoiceRoutes(app);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

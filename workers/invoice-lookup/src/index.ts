// The invoice-lookup worker: ServiceTitan invoices by id, find, batch and a polling trigger.
import { createWorkerApp, mount } from "@st-edge/edge";
import { batchInvoices, findInvoices, getInvoice, pollInvoices } from "./api.ts";
import { batchInvoicesHandler } from "./routes/batch-invoices.ts";
import { findInvoicesHandler } from "./routes/find-invoices.ts";
import { getInvoiceHandler } from "./routes/get-invoice.ts";
import { pollInvoicesHandler } from "./routes/poll-invoices.ts";

const app = createWorkerApp<Env>({ name: "invoice-lookup", openapiAsset: "/invoice-lookup.openapi.json" });

mount(app, findInvoices, findInvoicesHandler);
// `/invoices/{id}` takes digits only (mount), so "batch" and "poll" are never read as ids.
mount(app, batchInvoices, batchInvoicesHandler);
mount(app, pollInvoices, pollInvoicesHandler);
mount(app, getInvoice, getInvoiceHandler);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

// The invoice-lookup worker: ServiceTitan invoices by id, find, batch and a polling trigger.
import { createWorkerApp, mount } from "@st-edge/edge";
import openapi from "../../../specs/workers/invoice-lookup.openapi.json";
import { batchInvoices, findInvoices, getInvoice, pollInvoices } from "./api.ts";
import { batchInvoicesHandler } from "./routes/batch-invoices.ts";
import { findInvoicesHandler } from "./routes/find-invoices.ts";
import { getInvoiceHandler } from "./routes/get-invoice.ts";
import { pollInvoicesHandler } from "./routes/poll-invoices.ts";

const app = createWorkerApp<Env>({ name: "invoice-lookup", openapi });

mount(app, findInvoices, findInvoicesHandler);
// Literal paths before `/invoices/{id}`, which would otherwise take "batch" and "poll" as ids.
mount(app, batchInvoices, batchInvoicesHandler);
mount(app, pollInvoices, pollInvoicesHandler);
mount(app, getInvoice, getInvoiceHandler);

export default app;

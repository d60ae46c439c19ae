// Every route answers within its time budget while ServiceTitan is silent (packages/edge test-support/budget.ts).
import { env } from "cloudflare:test";
import { describeSilentUpstream, simulatorEnv } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

describeSilentUpstream({
  name: "invoice-lookup",
  worker,
  sim,
  env: (overrides) => simulatorEnv(env, sim, overrides),
  routes,
  requests: {
    findInvoices: { path: "/invoices?number=INV-1" },
    batchInvoices: { path: "/invoices/batch?ids=11000001,11000002" },
    pollInvoices: { path: "/invoices/poll" },
    getInvoice: { path: "/invoices/11000001?include=payments" },
  },
});

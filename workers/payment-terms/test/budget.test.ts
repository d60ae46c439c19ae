// Every route answers within its time budget while ServiceTitan is silent (packages/edge test-support/budget.ts).
import { env } from "cloudflare:test";
import { describeSilentUpstream, simulatorEnv } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

describeSilentUpstream({
  name: "payment-terms",
  worker,
  sim,
  env: (overrides) => simulatorEnv(env, sim, overrides),
  routes,
  requests: {
    listPaymentTerms: { path: "/payment-terms" },
    getPaymentTerm: { path: "/payment-terms/1" },
    getDueDate: { path: "/payment-terms/1/due-date?invoiceDate=2026-01-31" },
  },
});

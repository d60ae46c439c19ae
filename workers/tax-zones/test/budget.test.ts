// Every route answers within its time budget while ServiceTitan is silent (packages/edge test-support/budget.ts).
import { env } from "cloudflare:test";
import { describeSilentUpstream, simulatorEnv } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();
const json = (body: unknown): RequestInit => ({
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describeSilentUpstream({
  name: "tax-zones",
  worker,
  sim,
  env: (overrides) => simulatorEnv(env, sim, overrides),
  routes,
  requests: {
    listTaxZones: { path: "/tax-zones" },
    resolveTaxZone: { path: "/tax-zones/resolve?invoiceId=11000001" },
    getTaxZone: { path: "/tax-zones/1" },
    quoteTax: { path: "/tax-zones/1/quote", init: json({ subtotal: "100.00" }) },
  },
});

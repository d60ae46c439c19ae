// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
// The receiver's cases mostly meet its signature check (401), which is the point: nothing
// unsigned gets further.
import { env } from "cloudflare:test";
import { describeWorkerFuzz } from "@st-edge/edge/testing";
import { createSimulator, DEMO_TENANTS } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { eventsBindings, sharedBindings } from "./support.ts";

const sim = createSimulator();
const [demo] = DEMO_TENANTS;
const payment = sim.ledger(demo?.tenantId ?? 0).payments[0];
const invoice = sim.ledger(demo?.tenantId ?? 0).invoices[0];
if (!payment || !invoice) throw new Error("the seed has no payments");

const bodies = {
  createHook: [
    { event: "payment.created", targetUrl: "https://hooks.example.com/fuzz" },
    { event: "invoice.exported", targetUrl: "https://other.example.com/fuzz?zap=1" },
  ],
  publishChange: [
    { event: "payment.created", recordId: payment.id },
    { event: "invoice.updated", recordId: invoice.id },
  ],
  receiveServiceTitanWebhook: [
    {
      specversion: "1.0",
      id: "fuzz-delivery",
      type: "tn.acc.invoice-updated",
      time: new Date().toISOString(),
      source: "https://webhooks.servicetitan.io",
      userassignedid: "fuzz-occurrence",
      datacontenttype: "application/json",
      data: { invoice: { id: invoice.id }, tenantId: demo?.tenantId, tenantName: demo?.name },
    },
  ],
};

const base = { ...env, ...eventsBindings(sharedBindings()) };
describeWorkerFuzz({
  name: "events",
  worker,
  base,
  sim,
  routes,
  samples: ["hk_0123456789abcdef0123"],
  bodies,
});

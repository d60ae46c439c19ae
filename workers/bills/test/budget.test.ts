// Every route answers within its time budget while ServiceTitan is silent (packages/edge test-support/budget.ts).
import { env } from "cloudflare:test";
import { describeSilentUpstream, simulatorEnv } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

describeSilentUpstream({
  name: "bills",
  worker,
  sim,
  env: (overrides) => simulatorEnv(env, sim, overrides),
  routes,
  requests: {
    listBills: { path: "/bills" },
    pollBills: { path: "/bills/poll" },
    getBill: { path: "/bills/1" },
  },
});

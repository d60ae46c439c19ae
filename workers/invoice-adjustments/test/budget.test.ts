// Every route answers within its time budget while ServiceTitan is silent (packages/edge
// test-support/budget.ts); nothing is created meanwhile.
import { describeSilentUpstream } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { afterAll, expect } from "vitest";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { adjustmentsOf, freshKey, testEnv, writeOff } from "./support.ts";

const sim = createSimulator();

describeSilentUpstream({
  name: "invoice-adjustments",
  worker,
  sim,
  env: (overrides) => testEnv(sim, overrides),
  routes,
  requests: {
    createAdjustment: {
      path: "/invoices/11000041/adjustments",
      init: {
        headers: { "Content-Type": "application/json", "Idempotency-Key": freshKey("silent") },
        body: JSON.stringify(writeOff("1.00")),
      },
    },
  },
});

afterAll(async () => {
  // However the route ended, nothing was created while ServiceTitan was silent.
  expect((await adjustmentsOf(sim, 11000041)).some((i) => i.royalty?.memo?.includes("[ste:"))).toBe(false);
});

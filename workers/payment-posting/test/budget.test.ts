// Every route answers within its time budget while ServiceTitan is silent (packages/edge
// test-support/budget.ts); nothing is posted meanwhile.
import { describeSilentUpstream } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { afterAll, expect } from "vitest";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { freshKey, testEnv } from "./support.ts";

const sim = createSimulator();
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describeSilentUpstream({
  name: "payment-posting",
  worker,
  sim,
  env: (overrides) => testEnv(sim, overrides),
  routes,
  requests: {
    createPayment: {
      path: "/payments",
      init: json(
        { paymentType: "Cash", invoiceId: 11000041, amount: "1.00" },
        { "Idempotency-Key": freshKey("silent") },
      ),
    },
    checkPayment: {
      path: "/payments/check",
      init: json({ paymentType: "Cash", invoiceId: 11000041, amount: "1.00" }),
    },
    listPayments: { path: "/payments?invoiceId=11000041" },
    pollPayments: { path: "/payments/poll" },
    getPayment: { path: "/payments/13000001" },
    updatePayment: { path: "/payments/13000001", init: json({ memo: "changed" }) },
    updatePaymentStatus: {
      path: "/payments/status",
      init: json({ paymentIds: [13000001], status: "Posted" }),
    },
  },
});

afterAll(() => {
  // However each route ended, no payment was made while ServiceTitan was silent.
  expect(sim.ledger(1000001).payments.filter((payment) => payment.origin === "api")).toEqual([]);
});

// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
// Its own simulator: the cases that do post payments change nobody else's balances.
import { env } from "cloudflare:test";
import { describeWorkerFuzz } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { openInvoices, TENANT } from "./support.ts";

const sim = createSimulator();

const [first, second] = openInvoices(sim, "100.00");
const payment = sim.ledger(TENANT).payments.find((candidate) => candidate.active);
if (!first || !second || !payment) throw new Error("the seed has no open invoices or payments");

// Payment type names and invoice numbers as callers send them (invoice and payment ids of both
// tenants are added by the harness).
const samples = ["Cash", "check", "Credit Card", "100001", "200001", String(payment.id)];

// Valid bodies the harness sends as they are or bent one field at a time.
const bodies = {
  createPayment: [
    { paymentType: "Cash", invoiceId: first.id, amount: "10.00" },
    {
      paymentType: "check",
      splits: [{ invoiceId: second.id, amount: 5.25 }],
      memo: "fuzz",
      checkNumber: "1001",
    },
    { typeId: payment.typeId, invoiceNumber: second.referenceNumber, amount: 3, allowOverpayment: true },
  ],
  updatePayment: [{ memo: "fuzzed" }, { status: "Posted", paidOn: "2026-01-31" }],
  updatePaymentStatus: [{ paymentIds: [payment.id], status: "Posted" }],
};

describeWorkerFuzz({ name: "payment-posting", worker, base: env, sim, routes, samples, bodies });

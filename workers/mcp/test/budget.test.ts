// The time budget: with ServiceTitan silent behind the workers, a tool answers within the MCP
// request's budget with a retryable tool error, never by waiting out ServiceTitan's timeouts.
// (A commit cut off that way is settled by retrying it with the same token: payment-posting's own
// deadline tests cover the key's side of that.)
import { faultBinding } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { callTool, deployment } from "./support.ts";

const sim = createSimulator();
const BUDGET_MS = 2_000;

describe("ServiceTitan silent", () => {
  it.each([
    ["find_invoices", { status: ["Pending"] }],
    ["get_invoice", { invoiceId: 11000001 }],
    ["resolve_tax_zone", { invoiceId: 11000001 }],
    ["list_payment_terms", {}],
    ["list_bills", {}],
    ["list_recent_payments", {}],
    ["prepare_payment", { invoiceId: 11000001, amount: "1.00", paymentType: "Cash" }],
    ["prepare_invoice_export_mark", { invoices: [{ invoiceId: 11000001 }] }],
    ["find_invoices_changed_after_export", {}],
    [
      "prepare_adjustment_invoice",
      {
        invoiceId: 11000001,
        items: [{ skuName: "PM-PROMO", description: "x", quantity: "1", unitPrice: "-1.00" }],
      },
    ],
  ])("%s answers a retryable tool error within the budget", async (name, args) => {
    const { env } = await deployment(sim, { REQUEST_BUDGET_MS: String(BUDGET_MS) } as object, {
      SERVICETITAN: faultBinding(sim, "hang"),
      REQUEST_BUDGET_MS: "30000",
      ST_TIMEOUT_MS: "30000",
    });
    const started = Date.now();
    const answer = await callTool(env, name, args);
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 3_000);
    expect(answer.isError).toBe(true);
    expect(answer.body).toMatchObject({ retryable: true, status: 504 });
  });
});

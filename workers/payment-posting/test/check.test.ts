// POST /payments/check: every check of a post, answered as the post would answer, nothing written.
import { expectProblem } from "@st-edge/edge/testing";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { apiPaymentsOn, call, invoicePicker, testEnv } from "./support.ts";

const sim = createSimulator();
const nextInvoice = invoicePicker(sim);
const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describe("POST /payments/check", () => {
  it("answers what the payment would do, and posts nothing", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const response = await call(
      e,
      "/payments/check",
      json({ paymentType: "cash", invoiceId: invoice.id, amount: "10.00" }),
    );
    expect(response.status).toBe(200);
    const balance = Decimal.parse(invoice.balance);
    expect(await response.json()).toEqual({
      ok: true,
      typeId: expect.any(Number),
      type: "Cash",
      amount: "10.00",
      customerId: expect.any(Number),
      splits: [
        {
          invoiceId: invoice.id,
          invoiceNumber: invoice.referenceNumber,
          amount: "10.00",
          balance: balance.toFixed(2),
          available: balance.toFixed(2),
          balanceAfter: balance.minus(Decimal.parse("10.00")).toFixed(2),
        },
      ],
    });
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
  });

  it("refuses as the post would: overpayment, unknown type, missing invoice, bad body", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const over = Decimal.parse(invoice.balance).plus(Decimal.parse("1.00")).toFixed(2);
    await expectProblem(
      await call(e, "/payments/check", json({ paymentType: "Cash", invoiceId: invoice.id, amount: over })),
      422,
      "overpayment",
    );
    await expectProblem(
      await call(
        e,
        "/payments/check",
        json({ paymentType: "Barter", invoiceId: invoice.id, amount: "1.00" }),
      ),
      422,
      "payment-type-unknown",
    );
    await expectProblem(
      await call(e, "/payments/check", json({ paymentType: "Cash", invoiceId: 1, amount: "1.00" })),
      404,
      "invoice-not-found",
    );
    await expectProblem(
      await call(e, "/payments/check", json({ paymentType: "Cash", invoiceId: invoice.id, amount: "1.001" })),
      400,
      "validation-failed",
    );
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
  });
});

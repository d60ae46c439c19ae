// Reading and changing payments: GET one (404 as a problem), by invoice, the polling trigger
// (newest first, one item per version, ties never cut), PATCH merged over the current payment
// (marker kept), and batch status changes.
import { expectProblem } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  apiPaymentsOn,
  type CreatedBody,
  call,
  freshKey,
  invoicePicker,
  OTHER_TENANT,
  openInvoices,
  post,
  TENANT,
  takenOff,
  testEnv,
} from "./support.ts";

const sim = createSimulator();
const nextInvoice = invoicePicker(sim);

async function created(body: Record<string, unknown>): Promise<CreatedBody> {
  const response = await post(await testEnv(sim), freshKey("read"), body);
  expect(response.status).toBe(201);
  return response.json();
}

const json = (body: unknown): RequestInit => ({
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describe("GET /payments/{id} and /payments?invoiceId=", () => {
  it("shows a payment with the caller's memo and the marker apart", async () => {
    const invoice = nextInvoice();
    const payment = await created({
      paymentType: "Check",
      invoiceId: invoice.id,
      amount: "8.10",
      memo: "deposit",
    });
    const response = await call(await testEnv(sim), `/payments/${payment.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: payment.id,
      amount: "8.10",
      memo: "deposit",
      marker: payment.marker,
      type: "Check",
      active: true,
      splits: [{ invoiceId: invoice.id, amount: "8.10" }],
    });
  });

  it("answers 404 problems for missing payments and other tenants' payments", async () => {
    const e = await testEnv(sim);
    await expectProblem(await call(e, "/payments/987654321"), 404, "payment-not-found");
    const foreign = sim.ledger(OTHER_TENANT).payments[0];
    if (!foreign) throw new Error("other tenant has no payments");
    await expectProblem(await call(e, `/payments/${foreign.id}`), 404, "payment-not-found");
    await expectProblem(await call(e, "/payments/abc"), 400, "validation-failed");
  });

  it("lists the payments applied to an invoice", async () => {
    const invoice = nextInvoice();
    const payment = await created({ paymentType: "Cash", invoiceId: invoice.id, amount: "1.25" });
    const response = await call(await testEnv(sim), `/payments?invoiceId=${invoice.id}`);
    const { data } = (await response.json()) as { data: { id: number; splits: { invoiceId: number }[] }[] };
    expect(data.map((p) => p.id)).toContain(payment.id);
    for (const listed of data) expect(listed.splits.map((s) => s.invoiceId)).toContain(invoice.id);
    await expectProblem(await call(await testEnv(sim), "/payments"), 400, "validation-failed");
  });
});

describe("GET /payments/poll", () => {
  it("returns newest first, one item per version, and never cuts a tie", async () => {
    // A frozen clock gives every new payment the same modifiedOn: a five-way tie.
    const frozen = Date.now();
    const tied = createSimulator({
      clock: { now: () => frozen, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    });
    const e = await testEnv(tied);
    // Both simulators hold the demo tenant's invoices under the same ids, and this worker's invoice
    // gates are one namespace: post where the other tests never do (they pick from the start).
    const invoices = invoicePicker(
      tied,
      "50.00",
      new Set(
        openInvoices(sim)
          .slice(0, 30)
          .map((i) => i.id),
      ),
    );
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await post(e, freshKey("tie"), {
        paymentType: "Cash",
        invoiceId: invoices().id,
        amount: "1.00",
      });
      ids.push(((await response.json()) as CreatedBody).id);
    }
    const response = await call(e, "/payments/poll?limit=2");
    expect(response.status).toBe(200);
    const items = (await response.json()) as { id: string; paymentId: number; modifiedOn: string }[];
    expect(items.map((item) => item.paymentId).sort()).toEqual([...ids].sort());
    for (const item of items) expect(item.id).toBe(`${item.paymentId}-${item.modifiedOn}`);

    const wide = (await (await call(e, "/payments/poll?limit=8")).json()) as {
      modifiedOn: string;
      paymentId: number;
    }[];
    expect(wide.length).toBeGreaterThanOrEqual(8);
    const times = wide.map((item) => Date.parse(item.modifiedOn));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    await expectProblem(await call(e, "/payments/poll?limit=0"), 400, "validation-failed");
  });
});

describe("PATCH /payments/{id}", () => {
  it("merges changes over the current payment and keeps the marker in ServiceTitan's memo", async () => {
    const invoice = nextInvoice();
    const payment = await created({
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "5.00",
      memo: "first",
    });
    const e = await testEnv(sim);
    const response = await call(e, `/payments/${payment.id}`, {
      method: "PATCH",
      ...json({ memo: "corrected", checkNumber: "2002", paymentType: "check" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: payment.id,
      memo: "corrected",
      marker: payment.marker,
      checkNumber: "2002",
      type: "Check",
      splits: [{ invoiceId: invoice.id, amount: "5.00" }],
    });
    const [stored] = apiPaymentsOn(sim, invoice.id);
    expect(stored?.memo).toBe(`corrected ${payment.marker}`);
    expect(takenOff(sim, invoice.id)).toBe("5.00");
  });

  it("replaces splits, counting what the payment already applies as available", async () => {
    const invoice = nextInvoice();
    const payment = await created({ paymentType: "Cash", invoiceId: invoice.id, amount: invoice.balance });
    const e = await testEnv(sim);
    // The invoice's balance is now 0, yet moving within this payment's own amount is allowed.
    const smaller = await call(e, `/payments/${payment.id}`, {
      method: "PATCH",
      ...json({ splits: [{ invoiceId: invoice.id, amount: "1.00" }] }),
    });
    expect(smaller.status).toBe(200);
    expect(takenOff(sim, invoice.id)).toBe("1.00");
    await expectProblem(
      await call(e, `/payments/${payment.id}`, {
        method: "PATCH",
        ...json({ splits: [{ invoiceId: invoice.id, amount: "999999.00" }] }),
      }),
      422,
      "overpayment",
    );
  });

  it("refuses empty changes, unknown payments and placeholders", async () => {
    const e = await testEnv(sim);
    await expectProblem(
      await call(e, "/payments/1", { method: "PATCH", ...json({}) }),
      400,
      "validation-failed",
    );
    await expectProblem(
      await call(e, "/payments/987654321", { method: "PATCH", ...json({ memo: "x" }) }),
      404,
      "payment-not-found",
    );
    await expectProblem(
      await call(e, "/payments/1", { method: "PATCH", ...json({ memo: "{{memo}}" }) }),
      400,
      "validation-failed",
    );
  });
});

describe("POST /payments/status", () => {
  it("sets the status of several payments", async () => {
    const [a, b] = [nextInvoice(), nextInvoice()];
    const first = await created({ paymentType: "Cash", invoiceId: a.id, amount: "1.00" });
    const second = await created({ paymentType: "Cash", invoiceId: b.id, amount: "1.00" });
    const response = await call(await testEnv(sim), "/payments/status", {
      method: "POST",
      ...json({ paymentIds: [first.id, second.id, first.id], status: "Posted" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ paymentIds: [first.id, second.id], status: "Posted" });
    const statuses = sim
      .ledger(TENANT)
      .payments.filter((p) => p.id === first.id || p.id === second.id)
      .map((p) => p.status);
    expect(statuses).toEqual(["Posted", "Posted"]);
  });

  it("takes at most 50 ids and a known status", async () => {
    const e = await testEnv(sim);
    const ids = Array.from({ length: 51 }, (_, i) => i + 1);
    await expectProblem(
      await call(e, "/payments/status", { method: "POST", ...json({ paymentIds: ids, status: "Posted" }) }),
      400,
    );
    await expectProblem(
      await call(e, "/payments/status", { method: "POST", ...json({ paymentIds: [1], status: "Done" }) }),
      400,
    );
  });
});

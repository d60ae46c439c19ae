// Item changes go through the same per-invoice gate as payments, one INVOICE_GATES namespace for
// both workers (payment-posting's app runs here on the same env): a payment racing an item deletion
// never overpays, and a deletion whose outcome is unknown holds what it may take off the balance
// until it is settled, as a payment's reservation does.
import { env } from "cloudflare:test";
import { expectProblem } from "@st-edge/edge/testing";
import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  call,
  faultyEnv,
  freshKey,
  invoice,
  invoicePicker,
  money,
  NO_LOCKS,
  postPayment,
  TENANT,
  type TestEnv,
  testEnv,
  unpaid,
} from "./support.ts";

const sim = createSimulator({ invoiceLocks: NO_LOCKS });
const pick = invoicePicker(sim);

const isWrite = (request: Request) =>
  ["POST", "PATCH", "DELETE"].includes(request.method) &&
  new URL(request.url).pathname.startsWith("/accounting/");
const isItemDelete = (request: Request) =>
  request.method === "DELETE" && /\/items\/\d+$/.test(new URL(request.url).pathname);

const gates = (env as unknown as TestEnv).INVOICE_GATES;
const gate = (invoiceId: number) => gates.get(gates.idFromName(`simulator:${TENANT}:invoice:${invoiceId}`));

/** An unpaid invoice and its largest positive line. */
async function invoiceWithLine(): Promise<{ target: Invoice; itemId: number; line: Decimal }> {
  const target = await pick(unpaid);
  const item = [...(target.items ?? [])].sort((a, b) => money(b.total).compare(money(a.total)))[0];
  if (!item || !money(item.total).isPositive()) throw new Error("no positive line");
  return { target, itemId: item.id, line: money(item.total) };
}

describe("a payment racing an item deletion", () => {
  it.each([1, 2, 3])("never overpays: exactly one of the two is applied (run %i)", async () => {
    const { target, itemId, line } = await invoiceWithLine();
    const total = money(target.total);
    // Fits the invoice as it is, not once the line is gone: total − line/2.
    const amount = total.minus(line.times(Decimal.parse("0.5")).round(2, "half-up"));
    // Slow writes: without the gate both checks would pass before either write lands.
    const slow = await faultyEnv(sim, (request) => (isWrite(request) ? "latency=200" : undefined), {
      ST_TIMEOUT_MS: "5000",
    });
    const [deleted, paid] = await Promise.all([
      call(slow, `/invoices/${target.id}/items/${itemId}`, { method: "DELETE" }),
      postPayment(slow, freshKey("race"), {
        paymentType: "Cash",
        invoiceId: target.id,
        amount: amount.toFixed(2),
      }),
    ]);
    const outcomes = [deleted.status, paid.status].sort();
    expect([
      [200, 422],
      [201, 422],
    ]).toContainEqual(outcomes);
    const refused = deleted.status === 422 ? deleted : paid;
    await expectProblem(refused, 422, deleted.status === 422 ? "invoice-would-be-overpaid" : "overpayment");
    const after = await invoice(sim, target.id);
    expect(money(after.balance).isNegative()).toBe(false);
    // Whichever won, the books say so exactly.
    if (paid.status === 201) expect(money(after.balance).equals(total.minus(amount))).toBe(true);
    else expect((after.items ?? []).some((item) => item.id === itemId)).toBe(false);
    expect((await gate(target.id).inspect())?.holder ?? null).toBeNull();
  });
});

describe("a deletion whose outcome is unknown", () => {
  it("holds what it may take off until settled: a payment of the whole balance waits it out", async () => {
    const { target, itemId } = await invoiceWithLine();
    // The delete hangs (cut off, never applied) within a short request budget, so it settles soon.
    const broken = await faultyEnv(sim, (request) => (isItemDelete(request) ? "hang" : undefined), {
      REQUEST_BUDGET_MS: "1500",
    });
    const lost = await call(broken, `/invoices/${target.id}/items/${itemId}`, { method: "DELETE" });
    await expectProblem(lost, 503, "invoice-change-outcome-unknown");
    const held = await gate(target.id).inspect();
    expect(held?.reservations).toMatchObject([
      { expect: { kind: "invoice-total", before: money(target.total).toFixed(2) }, outcome: "unknown" },
    ]);

    // ServiceTitan still shows the whole balance, but it may be less: the whole balance is refused.
    const e = await testEnv(sim);
    const whole = { paymentType: "Cash", invoiceId: target.id, amount: money(target.balance).toFixed(2) };
    const early = await postPayment(e, freshKey("early"), whole);
    const problem = await expectProblem(early, 422, "overpayment");
    expect(String(problem.detail)).toContain("still being recorded");

    // Once the deletion's outcome is settled (it never landed), the balance is all there.
    const settleBy = held?.reservations[0]?.settleBy ?? 0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, settleBy - Date.now()) + 50));
    expect((await postPayment(e, freshKey("later"), whole)).status).toBe(201);
    expect(money((await invoice(sim, target.id)).balance).isZero()).toBe(true);
  });

  it("that did land: the next payment is decided on the lower balance ServiceTitan then shows", async () => {
    const { target, itemId } = await invoiceWithLine();
    const dropped = await faultyEnv(sim, (request) =>
      isItemDelete(request) ? "commit-then-drop" : undefined,
    );
    await expectProblem(
      await call(dropped, `/invoices/${target.id}/items/${itemId}`, { method: "DELETE" }),
      503,
      "invoice-change-outcome-unknown",
    );
    const after = await invoice(sim, target.id);
    expect((after.items ?? []).some((item) => item.id === itemId)).toBe(false);
    const e = await testEnv(sim);
    const old = { paymentType: "Cash", invoiceId: target.id, amount: money(target.balance).toFixed(2) };
    await expectProblem(await postPayment(e, freshKey("old"), old), 422, "overpayment");
    const rest = { ...old, amount: money(after.balance).toFixed(2) };
    expect((await postPayment(e, freshKey("rest"), rest)).status).toBe(201);
  });
});

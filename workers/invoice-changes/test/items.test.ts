// Adding, changing and deleting one item: money exact and as ServiceTitan holds it afterwards, the
// item lock as a 422 of its own, a change that could leave the invoice overpaid refused, and the
// input rules.
import { expectProblem } from "@st-edge/edge/testing";
import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  type ChangedView,
  call,
  DEFAULT_LOCKS,
  invoice,
  invoicePicker,
  money,
  NO_LOCKS,
  send,
  testEnv,
  unpaid,
} from "./support.ts";

// Which invoices ServiceTitan locks is UNCONFIRMED (a simulator setting); here none, except where
// a test asks for the default.
const sim = createSimulator({ invoiceLocks: NO_LOCKS });
const pick = invoicePicker(sim);

/** The money fields a caller reads off the answer. */
const amounts = (view: Pick<Invoice, "subTotal" | "salesTax" | "total" | "balance">) => ({
  subTotal: view.subTotal,
  salesTax: view.salesTax,
  total: view.total,
  balance: view.balance,
});

describe("add", () => {
  it("adds a fee at its price: the answer's subtotal, tax and balance are ServiceTitan's, exact", async () => {
    const e = await testEnv(sim);
    const before = await pick(unpaid);
    const response = await send(e, "POST", `/invoices/${before.id}/items`, {
      skuName: "SVC-DIAG",
      description: "After-hours diagnostic",
      quantity: "1",
      unitPrice: "89.95",
    });
    expect(response.status).toBe(200);
    const answer: ChangedView = await response.json();
    const after = await invoice(sim, before.id);
    expect(amounts(answer)).toEqual(amounts(after));
    // The line is exactly quantity × price, and the subtotal grew by exactly that.
    const added = (after.items ?? []).find((item) => item.id === answer.itemId);
    expect(added).toMatchObject({ description: "After-hours diagnostic", total: "89.95", price: "89.95" });
    expect(money(after.subTotal).minus(money(before.subTotal)).toFixed(2)).toBe("89.95");
    expect(money(after.total).equals(money(after.subTotal).plus(money(after.salesTax)))).toBe(true);
  });

  it("adds a discount (a negative price) when the payments leave room for it", async () => {
    const e = await testEnv(sim);
    const before = await pick(unpaid);
    const response = await send(e, "POST", `/invoices/${before.id}/items`, {
      skuName: "PM-PROMO",
      description: "Loyalty discount",
      quantity: 1,
      unitPrice: -10,
    });
    expect(response.status).toBe(200);
    const after = await invoice(sim, before.id);
    expect(money(before.subTotal).minus(money(after.subTotal)).toFixed(2)).toBe("10.00");
  });

  it("refuses an item without its price, with both or neither SKU field, or with a placeholder", async () => {
    const e = await testEnv(sim);
    const target = await pick(unpaid);
    const base = { skuName: "SVC-DIAG", description: "Diagnostic", quantity: "1", unitPrice: "10.00" };
    const bodies = [
      { ...base, unitPrice: undefined },
      { ...base, skuId: 1 },
      { description: "x", quantity: 1, unitPrice: 1 },
      { ...base, description: "{{2.description}}" },
      { ...base, quantity: "0" },
      { ...base, unitPrice: "1.005" },
      { ...base, color: "red" },
    ];
    for (const body of bodies) {
      await expectProblem(
        await send(e, "POST", `/invoices/${target.id}/items`, body),
        400,
        "validation-failed",
      );
    }
    expect((await invoice(sim, target.id)).modifiedOn).toBe(target.modifiedOn);
  });
});

describe("change and delete", () => {
  it("changes a quantity: the line is re-priced exactly and the totals are ServiceTitan's", async () => {
    const e = await testEnv(sim);
    const before = await pick(unpaid);
    const [item] = before.items ?? [];
    if (!item) throw new Error("no item");
    const response = await send(e, "PATCH", `/invoices/${before.id}/items/${item.id}`, { quantity: "3" });
    expect(response.status).toBe(200);
    const answer: ChangedView = await response.json();
    const after = await invoice(sim, before.id);
    expect(answer.itemId).toBe(item.id);
    expect(amounts(answer)).toEqual(amounts(after));
    const changed = (after.items ?? []).find((line) => line.id === item.id);
    expect(changed?.total).toBe(Decimal.parse("3").times(money(item.price)).round(2, "half-up").toFixed(2));
    // ServiceTitan needs the description every time: the current one was sent.
    expect(changed?.description).toBe(item.description);
  });

  it("deletes an item: gone, and the totals are ServiceTitan's", async () => {
    const e = await testEnv(sim);
    const before = await pick(unpaid);
    const [item] = before.items ?? [];
    if (!item) throw new Error("no item");
    const response = await call(e, `/invoices/${before.id}/items/${item.id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    const after = await invoice(sim, before.id);
    expect((after.items ?? []).some((line) => line.id === item.id)).toBe(false);
    expect(amounts(await response.json())).toEqual(amounts(after));
    expect(money(before.subTotal).minus(money(after.subTotal)).equals(money(item.total))).toBe(true);
    // Deleting it again: it is gone.
    await expectProblem(
      await call(e, `/invoices/${before.id}/items/${item.id}`, { method: "DELETE" }),
      404,
      "invoice-item-not-found",
    );
  });

  it("a posted or exported invoice's items are locked: 422 invoice-items-locked, nothing changes", async () => {
    sim.configure({ invoiceLocks: DEFAULT_LOCKS });
    const e = await testEnv(sim);
    for (const status of ["Posted", "Exported"]) {
      const target = await pick(
        (candidate) => candidate.syncStatus === status && candidate.balance === candidate.total,
      );
      const [item] = target.items ?? [];
      if (!item) throw new Error("no item");
      const problem = await expectProblem(
        await call(e, `/invoices/${target.id}/items/${item.id}`, { method: "DELETE" }),
        422,
        "invoice-items-locked",
      );
      expect(problem).toMatchObject({ invoiceId: target.id, reason: status });
      expect((await invoice(sim, target.id)).items).toEqual(target.items);
    }
    sim.configure({ invoiceLocks: NO_LOCKS });
  });

  it("refuses a deletion that could leave a paid invoice overpaid (422 invoice-would-be-overpaid)", async () => {
    const e = await testEnv(sim);
    const paid = await pick(
      (candidate) => money(candidate.balance).isZero() && money(candidate.total).isPositive(),
    );
    const item = (paid.items ?? []).find((line) => money(line.total).isPositive());
    if (!item) throw new Error("no positive item");
    const problem = await expectProblem(
      await call(e, `/invoices/${paid.id}/items/${item.id}`, { method: "DELETE" }),
      422,
      "invoice-would-be-overpaid",
    );
    expect(problem).toMatchObject({ invoiceId: paid.id, balanceLeft: "0.00" });
    expect((await invoice(sim, paid.id)).items).toEqual(paid.items);
  });

  it("answers 404 for an item not on the invoice", async () => {
    const e = await testEnv(sim);
    const target = await pick(unpaid);
    await expectProblem(
      await send(e, "PATCH", `/invoices/${target.id}/items/1`, { quantity: 2 }),
      404,
      "invoice-item-not-found",
    );
  });
});

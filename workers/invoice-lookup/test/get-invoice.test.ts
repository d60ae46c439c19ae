// GET /invoices/{id} against the simulator: the shape, the derived money, payments of a split
// payment, and what is not found or not valid.
import { callWorker, DEMO_TENANT, expectProblem, OTHER_TENANT } from "@st-edge/edge/testing";
import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { type AppliedPaymentView, InvoiceFields, type InvoiceView } from "@st-edge/views/invoice";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { allInvoices, sim, testEnv } from "./helpers.ts";

const get = async (path: string) => callWorker(worker, await testEnv(), path);

describe("GET /invoices/{id}", () => {
  it("answers ServiceTitan's fields untouched, with amountPaid and isPaid", async () => {
    const invoices = await allInvoices();
    const upstream = invoices.find(
      (invoice) => invoice.balance !== invoice.total && invoice.balance !== "0.00",
    );
    if (!upstream) throw new Error("the seed has no partly paid invoice");
    const response = await get(`/invoices/${upstream.id}`);
    expect(response.status).toBe(200);
    const view = await response.json<InvoiceView>();
    for (const key of Object.keys(InvoiceFields.shape) as (keyof Invoice)[]) {
      expect(view[key], key).toEqual(upstream[key] ?? null);
    }
    const total = Decimal.parse(upstream.total ?? "");
    const balance = Decimal.parse(upstream.balance ?? "");
    expect(view.amountPaid).toBe(total.minus(balance).toString());
    expect(view.isPaid).toBe(false);
    expect(view).not.toHaveProperty("payments");
  });

  it("marks a paid invoice paid", async () => {
    const paid = (await allInvoices()).find(
      (invoice) => invoice.balance === "0.00" && invoice.total !== "0.00",
    );
    if (!paid) throw new Error("the seed has no paid invoice");
    const view = await (await get(`/invoices/${paid.id}`)).json<InvoiceView>();
    expect(view).toMatchObject({ isPaid: true, amountPaid: paid.total, balance: "0.00" });
  });

  it("answers an inactive invoice with active: false rather than a 404", async () => {
    const inactive = (await allInvoices()).find((invoice) => !invoice.active);
    if (!inactive) throw new Error("the seed has no inactive invoice");
    const response = await get(`/invoices/${inactive.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: inactive.id, active: false });
  });

  it("adds the payments applied to it, each with the part applied to this invoice", async () => {
    const split = sim
      .ledger(DEMO_TENANT.tenantId)
      .payments.find((payment) => payment.active && payment.splits.length > 1);
    const part = split?.splits[1];
    if (!split || !part) throw new Error("the seed has no split payment");
    const response = await get(`/invoices/${part.invoiceId}?include=payments`);
    expect(response.status).toBe(200);
    const view = await response.json<InvoiceView & { payments: AppliedPaymentView[] }>();
    const applied = view.payments.find((payment) => payment.id === split.id);
    expect(applied).toMatchObject({ total: split.total, amountApplied: part.amount });
    expect(applied?.appliedTo?.length).toBe(split.splits.length);
    // Every active payment with a split here, and nothing else.
    const expected = sim
      .ledger(DEMO_TENANT.tenantId)
      .payments.filter(
        (payment) => payment.active && payment.splits.some((s) => s.invoiceId === part.invoiceId),
      );
    expect(view.payments.map((payment) => payment.id).sort()).toEqual(
      expected.map((payment) => payment.id).sort(),
    );
    const sum = view.payments.reduce(
      (total, payment) => total.plus(Decimal.parse(payment.amountApplied ?? "0")),
      Decimal.ZERO,
    );
    expect(sum.toFixed(2)).toBe(view.amountPaid);
  });

  it("answers an empty payment list for an invoice nobody paid", async () => {
    const unpaid = (await allInvoices()).find(
      (invoice) => invoice.active && invoice.balance === invoice.total,
    );
    if (!unpaid) throw new Error("the seed has no unpaid invoice");
    const view = await (await get(`/invoices/${unpaid.id}?include=payments`)).json<{ payments: unknown[] }>();
    expect(view.payments).toEqual([]);
  });

  it("answers 404 for an id that is not an invoice of this tenant", async () => {
    const body = await expectProblem(await get("/invoices/999999999"), 404, "not-found");
    expect(body.detail).toBe("No invoice 999999999 in this ServiceTitan tenant");
  });

  it("answers 404 for another tenant's invoice", async () => {
    const theirs = (await allInvoices(OTHER_TENANT))[0];
    if (!theirs) throw new Error("the other tenant has no invoices");
    await expectProblem(await get(`/invoices/${theirs.id}`), 404, "not-found");
  });

  it.each([
    ["beyond 2^53 - 1", "9007199254740993"],
    ["far beyond", "123456789012345678901"],
    ["negative", "-5"],
    ["zero", "0"],
    ["not a number", "abc"],
    ["a decimal", "12.5"],
  ])("refuses an id %s with a field error", async (_, id) => {
    const body = await expectProblem(await get(`/invoices/${id}`), 400, "validation-failed");
    const errors = body.errors as { in: string; field: string }[];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatchObject({ in: "path", field: "id" });
  });

  it("refuses an unknown include and unknown parameters", async () => {
    const body = await expectProblem(await get("/invoices/1?include=items&foo=1"), 400, "validation-failed");
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: "query", field: "include" }),
        expect.objectContaining({ in: "query", field: "foo", message: expect.stringContaining("foo") }),
      ]),
    );
  });
});

// Every read tool through MCP against the real capability workers and the simulator: compact,
// paged answers with ids and money as decimal text, and refusals as tool errors.
import { readServiceTitanJson } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { beforeAll, describe, expect, it } from "vitest";
import { callOk, callRefused, deployment, type McpEnv } from "./support.ts";

const sim = createSimulator();
let env: McpEnv;
let invoice: Invoice;

const DECIMAL = /^-?\d+\.\d+$/;

beforeAll(async () => {
  ({ env } = await deployment(sim));
  const { data } = await readServiceTitanJson<{ data: Invoice[] }>(sim, "/invoices?pageSize=200");
  const found = data.find(
    (candidate) => candidate.active && candidate.taxZoneId && Number(candidate.balance) > 50,
  );
  if (!found) throw new Error("no open invoice with a tax zone");
  invoice = found;
});

describe("invoices", () => {
  it("find_invoices finds by number, compact, with money as decimal text", async () => {
    const body = await callOk(env, "find_invoices", { number: invoice.referenceNumber });
    const [first] = body.invoices as Record<string, unknown>[];
    expect(first).toMatchObject({
      id: invoice.id,
      number: invoice.referenceNumber,
      customer: { id: invoice.customer?.id },
      balance: expect.stringMatching(DECIMAL),
      total: expect.stringMatching(DECIMAL),
    });
    expect(Object.keys(first ?? {})).not.toContain("items");
    expect(body.nextCursor).toBeNull();
  });

  it("find_invoices pages with a cursor bound to its filters", async () => {
    const first = await callOk(env, "find_invoices", { status: ["Pending", "Posted"], limit: 3 });
    expect(first.invoices).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await callOk(env, "find_invoices", {
      status: ["Pending", "Posted"],
      limit: 3,
      cursor: first.nextCursor,
    });
    const ids = (page: Record<string, unknown>) => (page.invoices as { id: number }[]).map((i) => i.id);
    expect(ids(second)).toHaveLength(3);
    expect(ids(second).filter((id) => ids(first).includes(id))).toEqual([]);
    const wide = await callOk(env, "find_invoices", { status: ["Pending", "Posted"], limit: 6 });
    expect(ids(wide)).toEqual([...ids(first), ...ids(second)]);
    const foreign = await callRefused(env, "find_invoices", {
      status: ["Exported"],
      cursor: first.nextCursor,
    });
    expect(foreign).toMatchObject({ type: "validation-failed", fields: [{ field: "cursor" }] });
  });

  it("find_invoices without a filter is the worker's refusal, as a tool error", async () => {
    const refusal = await callRefused(env, "find_invoices", {});
    expect(refusal).toMatchObject({
      type: "validation-failed",
      status: 400,
      error: "The request is not valid",
    });
    expect(JSON.stringify(refusal)).toMatch(/at least one filter/);
  });

  it("get_invoice answers the invoice with its items and payments", async () => {
    const body = await callOk(env, "get_invoice", { invoiceId: invoice.id });
    expect(body).toMatchObject({
      id: invoice.id,
      number: invoice.referenceNumber,
      taxZoneId: invoice.taxZoneId,
      subTotal: expect.stringMatching(DECIMAL),
      items: expect.any(Array),
      payments: expect.any(Array),
    });
  });

  it("get_invoice of an id not in this tenant is a not-found tool error", async () => {
    const refusal = await callRefused(env, "get_invoice", { invoiceId: 1 });
    expect(refusal).toMatchObject({ status: 404, retryable: false });
    expect(refusal.error).toEqual(expect.any(String));
  });
});

describe("tax", () => {
  it("resolve_tax_zone answers the invoice's zone with its rates", async () => {
    const body = await callOk(env, "resolve_tax_zone", { invoiceId: invoice.id });
    expect(body).toMatchObject({
      invoice: { id: invoice.id },
      taxZone: { id: invoice.taxZoneId, rates: expect.any(Array) },
    });
  });

  it("list_tax_zones lists zones, paged, and quote_tax quotes in one", async () => {
    const zones = await callOk(env, "list_tax_zones", { limit: 50 });
    const list = zones.taxZones as {
      id: number;
      isTaxRateSeparated: boolean;
      rates: { taxBaseType: string[] }[];
    }[];
    expect(list.length).toBeGreaterThan(0);
    const simple = list.find(
      (zone) => !zone.isTaxRateSeparated && zone.rates.every((rate) => rate.taxBaseType.includes("Subtotal")),
    );
    if (!simple) throw new Error("no zone that quotes a subtotal alone");
    const quote = await callOk(env, "quote_tax", { taxZoneId: simple.id, subtotal: "100.00" });
    expect(quote).toMatchObject({
      taxZoneId: simple.id,
      subtotal: "100.00",
      totalTax: expect.stringMatching(DECIMAL),
    });
  });

  it("quote_tax refuses an amount with three decimals before any worker is called", async () => {
    const { env: e, sent } = await deployment(sim);
    const refusal = await callRefused(e, "quote_tax", { taxZoneId: 1, subtotal: "1.001" });
    expect(JSON.stringify(refusal)).toMatch(/subtotal/);
    expect(sent).toEqual([]);
  });
});

describe("payment terms", () => {
  it("list_payment_terms and get_due_date answer a due date for an invoice date", async () => {
    const terms = await callOk(env, "list_payment_terms", {});
    const [term] = terms.paymentTerms as { id: number }[];
    if (!term) throw new Error("no payment term");
    const due = await callOk(env, "get_due_date", { paymentTermId: term.id, invoiceDate: "2026-01-31" });
    expect(due).toMatchObject({
      paymentTermId: term.id,
      invoiceDate: "2026-01-31",
      dueDate: expect.any(String),
    });
  });
});

describe("bills", () => {
  it("list_bills answers compact bills, paged by ServiceTitan's pages", async () => {
    const first = await callOk(env, "list_bills", { billType: "NotSet", limit: 2 });
    const bills = first.bills as { id: number; amount: string | null; vendor: unknown }[];
    expect(bills).toHaveLength(2);
    expect(bills[0]).toMatchObject({ id: expect.any(Number), vendor: expect.anything() });
    expect(first.nextCursor).toBe("2");
    const second = await callOk(env, "list_bills", {
      billType: "NotSet",
      limit: 2,
      cursor: first.nextCursor,
    });
    const ids = (second.bills as { id: number }[]).map((bill) => bill.id);
    expect(ids.filter((id) => bills.some((bill) => bill.id === id))).toEqual([]);
  });
});

describe("payments", () => {
  it("list_recent_payments pages the newest changes, and get_payment answers one", async () => {
    const first = await callOk(env, "list_recent_payments", { limit: 2 });
    const payments = first.payments as { id: number; amount: string }[];
    expect(payments).toHaveLength(2);
    expect(payments[0]?.amount).toMatch(DECIMAL);
    const second = await callOk(env, "list_recent_payments", { limit: 2, cursor: first.nextCursor });
    expect((second.payments as { id: number }[]).map((p) => p.id)).not.toContain(payments[0]?.id);
    const one = await callOk(env, "get_payment", { paymentId: payments[0]?.id });
    expect(one).toMatchObject({ id: payments[0]?.id, amount: payments[0]?.amount });
  });

  it("list_recent_payments with invoiceId answers the payments applied to it", async () => {
    const { data } = await readServiceTitanJson<{
      data: { id: number; appliedTo: { appliedTo: number }[] }[];
    }>(sim, "/payments?pageSize=50");
    const paid = data.find((payment) => payment.appliedTo?.length)?.appliedTo[0]?.appliedTo;
    if (!paid) throw new Error("no applied payment in the seed");
    const body = await callOk(env, "list_recent_payments", { invoiceId: paid });
    const payments = body.payments as { splits: { invoiceId: number }[] }[];
    expect(payments.length).toBeGreaterThan(0);
    for (const payment of payments) expect(payment.splits.map((split) => split.invoiceId)).toContain(paid);
  });

  it("get_payment of another tenant's or an unknown id is a not-found tool error", async () => {
    expect(await callRefused(env, "get_payment", { paymentId: 1 })).toMatchObject({
      status: 404,
      type: "payment-not-found",
    });
  });
});

import {
  Decimal,
  type DetailedPayment,
  type Invoice,
  type PaymentResponse,
  type PaymentType,
} from "@st-edge/servicetitan";
import { beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.ts";
import {
  allPages,
  type FakeClock,
  OTHER_TENANT,
  type Page,
  type Problem,
  type Session,
  session,
  TENANT,
  testSimulator,
} from "./helpers.ts";

let sim: Simulator;
let clock: FakeClock;
let s: Session;

beforeEach(async () => {
  ({ sim, clock } = testSimulator());
  s = await session(sim);
});

const invoicesById = async (...ids: number[]) =>
  (await (await s.get(`/invoices?activeState=All&ids=${ids.join(",")}`)).json<Page<Invoice>>()).data;
const invoice = async (id: number) => {
  const [found] = await invoicesById(id);
  if (!found) throw new Error(`invoice ${id} not found`);
  return found;
};
/** Active invoices with money still owed, oldest first. */
const open = async () =>
  (await allPages<Invoice>(s, "/invoices")).filter(
    (candidate) => Decimal.parse(candidate.balance ?? "0").compare(Decimal.parse("50")) > 0,
  );
const cashType = async () => {
  const type = (await allPages<PaymentType>(s, "/payment-types")).find(
    (candidate) => candidate.name === "Cash",
  );
  if (!type) throw new Error("no Cash payment type");
  return type.id;
};
const balance = (value: { balance?: string | null }) => Decimal.parse(value.balance ?? "0");

describe("GET /payments", () => {
  it("filters by appliedToInvoiceIds (comma list), ids, customerId and paidOn range", async () => {
    const payments = await allPages<DetailedPayment>(s, "/payments");
    const split = payments.find((payment) => (payment.appliedTo?.length ?? 0) > 1);
    const target = split?.appliedTo?.[1]?.appliedTo;
    if (!split || target === undefined) throw new Error("seed has split payments");
    const applied = await (await s.get(`/payments?appliedToInvoiceIds=${target},1`)).json<
      Page<DetailedPayment>
    >();
    expect(applied.data.map((payment) => payment.id)).toContain(split.id);
    expect(applied.data.every((payment) => payment.appliedTo?.some((a) => a.appliedTo === target))).toBe(
      true,
    );
    const byIds = await (await s.get(`/payments?ids=${split.id}`)).json<Page<DetailedPayment>>();
    expect(byIds.data).toEqual([split]);
    const customerId = split.customer?.id;
    const customers = await (await s.get(`/payments?customerId=${customerId}&pageSize=500`)).json<
      Page<DetailedPayment>
    >();
    expect(customers.data.every((payment) => payment.customer?.id === customerId)).toBe(true);
    const window = await allPages<DetailedPayment>(
      s,
      "/payments?paidOnAfter=2026-03-01&paidOnBefore=2026-04-01",
    );
    expect(window.length).toBeGreaterThan(0);
    expect(
      window.every((payment) => (payment.date ?? "") >= "2026-03-01" && (payment.date ?? "") < "2026-04-01"),
    ).toBe(true);
    expect(window).toEqual(
      payments.filter(
        (payment) => (payment.date ?? "") >= "2026-03-01" && (payment.date ?? "") < "2026-04-01",
      ),
    );
  });

  it("takes statuses as a comma list or repeated (the format is UNCONFIRMED), and rejects unknown ones", async () => {
    const comma = await allPages<DetailedPayment>(s, "/payments?statuses=Pending,Posted");
    const repeated = await allPages<DetailedPayment>(s, "/payments?statuses=Pending&statuses=Posted");
    expect(repeated).toEqual(comma);
    expect(new Set(comma.map((payment) => payment.syncStatus))).toEqual(new Set(["Pending", "Posted"]));
    const bad = await s.get("/payments?statuses=Bounced");
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors).toHaveProperty("statuses");
  });

  it("ActiveOnly by default; voided payments with activeState=All", async () => {
    const active = await allPages<DetailedPayment>(s, "/payments");
    const every = await allPages<DetailedPayment>(s, "/payments?activeState=All");
    expect(active.every((payment) => payment.active)).toBe(true);
    expect(every.length).toBeGreaterThan(active.length);
  });
});

describe("POST /payments", () => {
  it("creates a payment, reduces the invoice's balance exactly, and stores every field given", async () => {
    clock.advance(60_000);
    const [target] = await open();
    if (!target) throw new Error("seed has open invoices");
    const typeId = await cashType();
    const response = await s.post("/payments", {
      typeId,
      amount: 10.1,
      memo: "Paid at the counter",
      checkNumber: "1042",
      authCode: "A1B2",
      exportId: "EXT-1",
      paidOn: "2026-11-25T09:30:00Z",
      status: "Posted",
      splits: [{ invoiceId: target.id, amount: 10.1 }],
    });
    expect(response.status).toBe(200);
    const created = await response.json<PaymentResponse>();
    expect(created).toMatchObject({
      typeId,
      memo: "Paid at the counter",
      checkNumber: "1042",
      authCode: "A1B2",
      exportId: "EXT-1",
      paidOn: "2026-11-25T09:30:00.0000000Z",
      status: "Posted",
      active: true,
      customerId: target.customer?.id,
      splits: [{ invoiceId: target.id, invoiceNumber: target.referenceNumber, amount: 10.1 }],
    });
    const after = await invoice(target.id);
    expect(balance(after).toFixed(2)).toBe(balance(target).minus(Decimal.parse("10.10")).toFixed(2));
    expect(Date.parse(after.modifiedOn ?? "")).toBe(clock.now());
    const [listed] = (await (await s.get(`/payments?ids=${created.id}`)).json<Page<DetailedPayment>>()).data;
    expect(listed).toMatchObject({
      id: created.id,
      memo: "Paid at the counter",
      checkNumber: "1042",
      authCode: "A1B2",
      total: "10.10",
      unappliedAmount: "0.00",
      syncStatus: "Posted",
      typeId: String(typeId),
      type: "Cash",
      appliedTo: [
        { appliedTo: target.id, appliedAmount: "10.10", appliedToReferenceNumber: target.referenceNumber },
      ],
    });
    const ledger = sim.ledger(TENANT);
    expect(ledger.payments.filter((payment) => payment.origin === "api")).toEqual([
      expect.objectContaining({
        id: created.id,
        exportId: "EXT-1",
        total: "10.10",
        splits: [expect.objectContaining({ invoiceId: target.id, amount: "10.10" })],
      }),
    ]);
    const entry = ledger.invoices.find((candidate) => candidate.id === target.id);
    expect(entry).toMatchObject({ seededBalance: target.balance, balance: after.balance });
    expect(entry?.paymentIds).toContain(created.id);
  });

  it("splits one payment over several invoices, by id or by invoice number, with Decimal-exact balances", async () => {
    const customerInvoices = new Map<number, Invoice[]>();
    for (const candidate of await open()) {
      const id = candidate.customer?.id ?? 0;
      customerInvoices.set(id, [...(customerInvoices.get(id) ?? []), candidate]);
    }
    const [first, second, third] = [...customerInvoices.values()].find((group) => group.length >= 3) ?? [];
    if (!first || !second || !third) throw new Error("seed has a customer with three open invoices");
    const amounts = [0.1, 0.2, 0.7];
    const response = await s.post("/payments", {
      typeId: await cashType(),
      splits: [
        { invoiceId: first.id, amount: amounts[0] },
        { invoiceNumber: second.referenceNumber, amount: amounts[1] },
        { invoiceId: third.id, invoiceNumber: third.referenceNumber, amount: amounts[2] },
      ],
    });
    expect(response.status).toBe(200);
    const created = await response.json<PaymentResponse>();
    expect(created.splits.map((split) => split.invoiceId)).toEqual([first.id, second.id, third.id]);
    const [a, b, c] = await Promise.all([invoice(first.id), invoice(second.id), invoice(third.id)]);
    expect(a.balance).toBe(balance(first).minus(Decimal.parse("0.10")).toFixed(2));
    expect(b.balance).toBe(balance(second).minus(Decimal.parse("0.20")).toFixed(2));
    expect(c.balance).toBe(balance(third).minus(Decimal.parse("0.70")).toFixed(2));
    const [listed] = (await (await s.get(`/payments?ids=${created.id}`)).json<Page<DetailedPayment>>()).data;
    expect(listed?.total).toBe("1.00");
  });

  it("keeps what exceeds the splits as unapplied, and takes a payment with no splits at all", async () => {
    const [target] = await open();
    if (!target) throw new Error("seed has open invoices");
    const partly = await (
      await s.post("/payments", {
        typeId: await cashType(),
        amount: 25,
        splits: [{ invoiceId: target.id, amount: 20 }],
      })
    ).json<PaymentResponse>();
    const deposit = await (
      await s.post("/payments", { typeId: await cashType(), amount: 99.99, customerId: target.customer?.id })
    ).json<PaymentResponse>();
    const listed = (
      await (await s.get(`/payments?ids=${partly.id},${deposit.id}`)).json<Page<DetailedPayment>>()
    ).data;
    expect(listed.map((payment) => [payment.total, payment.unappliedAmount])).toEqual([
      ["25.00", "5.00"],
      ["99.99", "99.99"],
    ]);
  });

  it("settling an invoice in full sets its paidOn and a zero balance", async () => {
    const [target] = await open();
    if (!target) throw new Error("seed has open invoices");
    await s.post("/payments", {
      typeId: await cashType(),
      paidOn: "2026-11-20",
      splits: [{ invoiceId: target.id, amount: balance(target).toNumber() }],
    });
    expect(await invoice(target.id)).toMatchObject({ balance: "0.00", paidOn: "2026-11-20T00:00:00Z" });
  });

  it.each([
    ["an unknown invoice", (id: number) => [{ invoiceId: id + 7_000_000, amount: 1 }], "splits[0].invoiceId"],
    ["another tenant's invoice", () => [{ invoiceId: 21000001, amount: 1 }], "splits[0].invoiceId"],
    ["an unknown invoice number", () => [{ invoiceNumber: "nope", amount: 1 }], "splits[0].invoiceNumber"],
    ["a split without an invoice", () => [{ amount: 1 }], "splits[0]"],
    ["a split without an amount", (id: number) => [{ invoiceId: id }], "splits[0].amount"],
    ["a fraction of a cent", (id: number) => [{ invoiceId: id, amount: 1.005 }], "splits[0].amount"],
  ])("rejects %s with a 400 and changes nothing", async (_name, splits, field) => {
    const [target] = await open();
    if (!target) throw new Error("seed has open invoices");
    const before = sim.ledger(TENANT);
    const response = await s.post("/payments", { typeId: await cashType(), splits: splits(target.id) });
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors).toHaveProperty([field]);
    expect(sim.ledger(TENANT)).toEqual(before);
  });

  it.each([
    ["bad JSON", "{", "body"],
    ["a missing typeId", { splits: [] }, "typeId"],
    ["a string typeId", { typeId: "cash" }, "typeId"],
    ["an unknown typeId", { typeId: 1, amount: 5 }, "typeId"],
    ["an unknown status", { typeId: 1, amount: 5, status: "Cleared" }, "status"],
    ["a malformed paidOn", { typeId: 1, amount: 5, paidOn: "last tuesday" }, "paidOn"],
    ["splits that are not an array", { typeId: 1, splits: {} }, "splits"],
    [
      "a non-integer invoiceId",
      { typeId: 1, splits: [{ invoiceId: 1.5, amount: 1 }] },
      "splits[0].invoiceId",
    ],
    ["no amount and no splits", { typeId: 0 }, "amount"],
  ])("answers %s with a 400 naming the field", async (_name, body, field) => {
    const typeId = await cashType();
    const withType =
      typeof body === "object" && "typeId" in body && body.typeId === 0 ? { ...body, typeId } : body;
    const response = await s.post("/payments", withType);
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.title).toBe("One or more validation errors occurred.");
    expect(problem.errors).toHaveProperty([field]);
  });

  it("refuses splits on invoices of another customer than the payment's", async () => {
    const invoices = await open();
    const [first] = invoices;
    const stranger = invoices.find((candidate) => candidate.customer?.id !== first?.customer?.id);
    if (!first || !stranger) throw new Error("seed has open invoices of two customers");
    const response = await s.post("/payments", {
      typeId: await cashType(),
      splits: [
        { invoiceId: first.id, amount: 1 },
        { invoiceId: stranger.id, amount: 1 },
      ],
    });
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors["splits[1]"]).toEqual([
      `Invoice ${stranger.id} belongs to another customer.`,
    ]);
  });

  it("cannot reach another tenant's data through its own path", async () => {
    const other = await session(sim, OTHER_TENANT);
    const [theirs] = (await allPages<Invoice>(other, "/invoices")).filter((candidate) =>
      balance(candidate).isPositive(),
    );
    const response = await s.post("/payments", {
      typeId: await cashType(),
      splits: [{ invoiceId: theirs?.id, amount: 1 }],
    });
    expect(response.status).toBe(400);
  });
});

describe("PATCH /payments/{id} and POST /payments/status", () => {
  it("replaces the splits, restoring the old invoice's balance and charging the new one", async () => {
    const byCustomer = new Map<number, Invoice[]>();
    for (const candidate of await open())
      byCustomer.set(candidate.customer?.id ?? 0, [
        ...(byCustomer.get(candidate.customer?.id ?? 0) ?? []),
        candidate,
      ]);
    const [first, second] = [...byCustomer.values()].find((group) => group.length >= 2) ?? [];
    if (!first || !second) throw new Error("seed has a customer with two open invoices");
    const typeId = await cashType();
    const created = await (
      await s.post("/payments", { typeId, amount: 30, splits: [{ invoiceId: first.id, amount: 30 }] })
    ).json<PaymentResponse>();
    clock.advance(60_000);
    const response = await s.patch(`/payments/${created.id}`, {
      typeId,
      memo: "moved",
      splits: [
        { invoiceId: first.id, amount: 5 },
        { invoiceNumber: second.referenceNumber, amount: 25 },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json<PaymentResponse>()).toMatchObject({
      id: created.id,
      memo: "moved",
      splits: [{ amount: 5 }, { amount: 25 }],
    });
    expect((await invoice(first.id)).balance).toBe(balance(first).minus(Decimal.parse("5")).toFixed(2));
    expect((await invoice(second.id)).balance).toBe(balance(second).minus(Decimal.parse("25")).toFixed(2));
    const tooMuch = await s.patch(`/payments/${created.id}`, {
      typeId,
      splits: [{ invoiceId: first.id, amount: 31 }],
    });
    expect(tooMuch.status).toBe(400);
  });

  it("deactivating a payment gives its invoices their money back", async () => {
    const [target] = await open();
    if (!target) throw new Error("seed has open invoices");
    const typeId = await cashType();
    const created = await (
      await s.post("/payments", { typeId, splits: [{ invoiceId: target.id, amount: 12.34 }] })
    ).json<PaymentResponse>();
    await s.patch(`/payments/${created.id}`, {
      typeId,
      active: false,
      splits: [{ invoiceId: target.id, amount: 12.34 }],
    });
    expect((await invoice(target.id)).balance).toBe(target.balance);
  });

  it("requires typeId and splits, a real payment id, and an integer id", async () => {
    const [payment] = await allPages<DetailedPayment>(s, "/payments");
    const missing = await s.patch(`/payments/${payment?.id}`, { memo: "x" });
    expect(Object.keys((await missing.json<Problem>()).errors).sort()).toEqual(["splits", "typeId"]);
    const unknown = await s.patch("/payments/13999999", { typeId: 1, splits: [] });
    expect(unknown.status).toBe(404);
    const notAnId = await s.patch("/payments/abc", { typeId: 1, splits: [] });
    expect(notAnId.status).toBe(400);
    expect((await notAnId.json<Problem>()).errors).toHaveProperty("id");
  });

  it("updates statuses in a batch, all or nothing", async () => {
    const pending = (await allPages<DetailedPayment>(s, "/payments?statuses=Pending")).slice(0, 3);
    const ids = pending.map((payment) => payment.id);
    clock.advance(1000);
    const response = await s.post("/payments/status", { paymentIds: ids, status: "Exported" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const after = (await (await s.get(`/payments?ids=${ids.join(",")}`)).json<Page<DetailedPayment>>()).data;
    expect(after.map((payment) => payment.syncStatus)).toEqual(["Exported", "Exported", "Exported"]);
    expect(after.every((payment) => Date.parse(payment.modifiedOn) === clock.now())).toBe(true);
    const partial = await s.post("/payments/status", { paymentIds: [ids[0], 13999999], status: "Pending" });
    expect(partial.status).toBe(400);
    expect((await partial.json<Problem>()).errors.paymentIds).toEqual(["Payment 13999999 was not found."]);
    const unchanged = (await (await s.get(`/payments?ids=${ids[0]}`)).json<Page<DetailedPayment>>()).data;
    expect(unchanged[0]?.syncStatus).toBe("Exported");
    expect((await s.post("/payments/status", { paymentIds: ids, status: "Done" })).status).toBe(400);
  });
});

describe("reset", () => {
  it("restores the seed exactly after writes", async () => {
    const [target] = await open();
    if (!target) throw new Error("seed has open invoices");
    const seeded = await (await s.get("/invoices?pageSize=500&activeState=All")).text();
    const seededPayments = await (await s.get("/payments?pageSize=500&activeState=All")).text();
    const typeId = await cashType();
    const created = await (
      await s.post("/payments", { typeId, splits: [{ invoiceId: target.id, amount: 1 }] })
    ).json<PaymentResponse>();
    await s.post("/payments/status", { paymentIds: [created.id], status: "Posted" });
    expect(await (await s.get("/invoices?pageSize=500&activeState=All")).text()).not.toBe(seeded);
    sim.reset();
    expect(await (await s.get("/invoices?pageSize=500&activeState=All")).text()).toBe(seeded);
    expect(await (await s.get("/payments?pageSize=500&activeState=All")).text()).toBe(seededPayments);
    const again = await (
      await s.post("/payments", { typeId, splits: [{ invoiceId: target.id, amount: 1 }] })
    ).json<PaymentResponse>();
    expect(again.id).toBe(created.id);
  });
});

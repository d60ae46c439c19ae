import {
  type ApBill,
  Decimal,
  type PaymentTerm,
  type PaymentType,
  type TaxZone,
} from "@st-edge/servicetitan";
import { beforeAll, describe, expect, it } from "vitest";
import { allPages, type Page, type Problem, type Session, session, testSimulator } from "./helpers.ts";

let s: Session;

beforeAll(async () => {
  s = await session(testSimulator().sim);
});

const page = async <T>(path: string) => {
  const response = await s.get(path);
  expect(response.status).toBe(200);
  return response.json<Page<T>>();
};

describe("payment types", () => {
  it("lists active types by default, all with active=Any, and gets one by id (404 otherwise)", async () => {
    const active = await page<PaymentType>("/payment-types");
    const any = await page<PaymentType>("/payment-types?active=Any");
    const inactive = await page<PaymentType>("/payment-types?active=False");
    expect(active.data.length + inactive.data.length).toBe(any.data.length);
    expect(inactive.data.map((type) => type.name)).toEqual(["Gift Certificate"]);
    const [first] = active.data;
    const one = await s.get(`/payment-types/${first?.id}`);
    expect(await one.json()).toEqual(first);
    expect((await s.get("/payment-types/18399999")).status).toBe(404);
    expect((await s.get("/payment-types/cash")).status).toBe(400);
    expect((await page<PaymentType>(`/payment-types?ids=${first?.id}`)).data).toEqual([first]);
  });
});

describe("payment terms", () => {
  it("lists, sorts by Name, and gets one by paymentTermId", async () => {
    const terms = await page<PaymentTerm>("/payment-terms?sort=-Name&includeTotal=true");
    expect(terms.totalCount).toBe(terms.data.length);
    const names = terms.data.map((term) => term.name ?? "");
    expect(names).toEqual([...names].sort().reverse());
    const [term] = terms.data;
    expect(await (await s.get(`/payment-terms/${term?.id}`)).json()).toEqual(term);
    const missing = await s.get("/payment-terms/1");
    expect(missing.status).toBe(404);
    expect((await missing.json<Problem>()).title).toBe("Payment term 1 was not found.");
  });
});

describe("tax zones", () => {
  it("filters by ids and active", async () => {
    const all = await page<TaxZone>("/tax-zones?active=Any");
    const active = await page<TaxZone>("/tax-zones");
    expect(all.data.length).toBe(active.data.length + 1);
    const ids = all.data.slice(0, 2).map((zone) => zone.id);
    expect((await page<TaxZone>(`/tax-zones?ids=${ids.join(",")}`)).data.map((zone) => zone.id)).toEqual(ids);
    expect((await s.get("/tax-zones?active=Maybe")).status).toBe(400);
  });
});

describe("AP bills", () => {
  it("defaults to Procurement bills, billType=NotSet shows every type", async () => {
    const every = await allPages<ApBill>(s, "/ap-bills?billType=NotSet");
    const procurement = await allPages<ApBill>(s, "/ap-bills");
    const expenses = await allPages<ApBill>(s, "/ap-bills?billType=ApBill");
    expect(procurement.every((bill) => bill.billType === "Procurement")).toBe(true);
    expect(expenses.every((bill) => bill.billType === "ApBill" && (bill.expenseItems?.length ?? 0) > 0)).toBe(
      true,
    );
    expect(procurement.length + expenses.length).toBe(every.length);
    expect(every.length).toBe(120);
  });

  it("billNumber (partial), statuses, dateFrom/dateTo on the created date, and money that adds up", async () => {
    const every = await allPages<ApBill>(s, "/ap-bills?billType=NotSet");
    const [bill] = every;
    const partial = (bill?.referenceNumber ?? "").slice(0, 6);
    const byNumber = await allPages<ApBill>(s, `/ap-bills?billType=NotSet&billNumber=${partial}`);
    expect(byNumber.map((b) => b.id)).toContain(bill?.id);
    expect(byNumber.every((b) => b.referenceNumber?.includes(partial))).toBe(true);
    const reconciled = await allPages<ApBill>(
      s,
      "/ap-bills?billType=NotSet&statuses=Reconciled&statuses=Canceled",
    );
    expect(new Set(reconciled.map((b) => b.status))).toEqual(new Set(["Reconciled", "Canceled"]));
    // "Filter bills created on or after / on or before this date": the created date, dateTo's day included.
    const march = await allPages<ApBill>(
      s,
      "/ap-bills?billType=NotSet&dateFrom=2026-03-01&dateTo=2026-03-31",
    );
    const createdInMarch = (b: ApBill) =>
      (b.createdOn ?? "") >= "2026-03-01" && (b.createdOn ?? "") < "2026-04-01";
    expect(march.length).toBeGreaterThan(0);
    expect(march.map((b) => b.id)).toEqual(every.filter(createdInMarch).map((b) => b.id));
    expect((await s.get("/ap-bills?statuses=Lost")).status).toBe(400);
    const amount = (text: string | null | undefined) => Decimal.parse(text ?? "0");
    for (const b of every) {
      const lines = (b.items ?? []).map((item) =>
        amount(item.quantity).times(amount(item.cost)).round(2, "half-up"),
      );
      const expected = Decimal.sum([...lines, ...(b.expenseItems ?? []).map((e) => amount(e.amount))])
        .plus(amount(b.taxAmount))
        .plus(amount(b.shippingAmount))
        .plus(amount(b.otherAmount));
      expect(b.billAmount).toBe(expected.toFixed(2));
      expect(Decimal.sum((b.items ?? []).map((item) => amount(item.allocatedTax))).toFixed(2)).toBe(
        (b.items?.length ? amount(b.taxAmount) : Decimal.ZERO).toFixed(2),
      );
    }
  });

  it("gets one bill by id; another tenant's bill or an unknown id is a 404", async () => {
    const [bill] = await allPages<ApBill>(s, "/ap-bills");
    const response = await s.get(`/ap-bills/${bill?.id}`);
    expect(await response.json()).toEqual(bill);
    const elsewhere = await s.get(`/ap-bills/${(bill?.id ?? 0) + 10_000_000}`);
    expect(elsewhere.status).toBe(404);
    expect((await elsewhere.json<Problem>()).status).toBe(404);
    expect((await s.get("/ap-bills/x1")).status).toBe(400);
  });
});

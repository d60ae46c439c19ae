import type {
  ApBill,
  DetailedPayment,
  Invoice,
  PaymentTerm,
  PaymentType,
  TaxZone,
} from "@st-edge/servicetitan";
import { Decimal } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { createSimulator } from "../src/index.ts";
import { allPages, fakeClock, OTHER_TENANT, START, session, TENANT, testSimulator } from "./helpers.ts";

const sum = (values: (string | null | undefined)[]) =>
  Decimal.sum(values.map((value) => Decimal.parse(value ?? "0")));

describe("seed", () => {
  it("is deterministic: same seed, identical responses; another seed, other data", async () => {
    const read = async (seed: number) => {
      const sim = createSimulator({ seed, clock: fakeClock() });
      const s = await session(sim);
      const bodies: string[] = [];
      for (const path of [
        "/invoices?pageSize=500",
        "/payments?pageSize=500",
        "/ap-bills?pageSize=500&billType=NotSet",
        "/tax-zones?active=Any",
        "/payment-terms",
        "/payment-types?active=Any",
        "/export/invoices",
        "/export/payments",
      ]) {
        bodies.push(await (await s.get(path)).text());
      }
      return bodies;
    };
    const [first, second, other] = await Promise.all([read(42), read(42), read(7)]);
    expect(second).toEqual(first);
    expect(other[0]).not.toEqual(first[0]);
  });

  it("seeds hundreds of invoices per tenant across configurations, statuses and invoice types", async () => {
    const { sim } = testSimulator();
    const invoices = await allPages<Invoice>(await session(sim), "/invoices?activeState=All");
    expect(invoices).toHaveLength(300);
    const configurations = new Set(invoices.map((invoice) => invoice.invoiceConfiguration));
    expect(configurations).toEqual(
      new Set([
        "JobInvoice",
        "ProjectInvoice",
        "CounterSales",
        "MembershipInvoice",
        "InterestChargeInvoice",
        "ARImportInvoice",
      ]),
    );
    expect(new Set(invoices.map((invoice) => invoice.syncStatus))).toEqual(
      new Set(["Pending", "Posted", "Exported"]),
    );
    expect(invoices.some((invoice) => invoice.adjustmentToId !== null)).toBe(true);
    expect(invoices.some((invoice) => !invoice.active)).toBe(true);
    expect(invoices.every((invoice) => (invoice.items?.length ?? 0) > 0)).toBe(true);
  });

  it("computes money exactly: subtotal = Σ items, total = subtotal + tax, balance = total − applied payments", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    const invoices = await allPages<Invoice>(s, "/invoices?activeState=All");
    const payments = await allPages<DetailedPayment>(s, "/payments?activeState=All");
    const applied = new Map<number, Decimal>();
    for (const payment of payments.filter((p) => p.active)) {
      for (const application of payment.appliedTo ?? []) {
        applied.set(
          application.appliedTo,
          (applied.get(application.appliedTo) ?? Decimal.ZERO).plus(
            Decimal.parse(application.appliedAmount ?? "0"),
          ),
        );
      }
    }
    for (const invoice of invoices) {
      expect(invoice.subTotal).toBe(sum((invoice.items ?? []).map((item) => item.total)).toFixed(2));
      expect(invoice.total).toBe(
        Decimal.parse(invoice.subTotal ?? "0")
          .plus(Decimal.parse(invoice.salesTax ?? "0"))
          .toFixed(2),
      );
      expect(invoice.balance).toBe(
        Decimal.parse(invoice.total ?? "0")
          .minus(applied.get(invoice.id) ?? Decimal.ZERO)
          .toFixed(2),
      );
      for (const amount of [invoice.subTotal, invoice.salesTax, invoice.total, invoice.balance])
        expect(amount).toMatch(/^-?\d+\.\d{2}$/);
    }
    const states = invoices.filter(
      (invoice) => invoice.active && Decimal.parse(invoice.total ?? "0").isPositive(),
    );
    expect(states.some((invoice) => invoice.balance === "0.00")).toBe(true);
    expect(states.some((invoice) => invoice.balance === invoice.total)).toBe(true);
    expect(states.some((invoice) => invoice.balance !== "0.00" && invoice.balance !== invoice.total)).toBe(
      true,
    );
  });

  it("taxes each rate on its own base and rounds per rate", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    const zones = new Map(
      (await allPages<TaxZone>(s, "/tax-zones?active=Any")).map((zone) => [zone.id, zone]),
    );
    const invoices = await allPages<Invoice>(s, "/invoices?activeState=All");
    for (const invoice of invoices) {
      const zone = zones.get(invoice.taxZoneId ?? 0);
      if (!zone) throw new Error(`invoice ${invoice.id} has no tax zone`);
      const taxable = (invoice.items ?? []).filter((item) => item.taxable);
      const tax = Decimal.sum(
        zone.rates.map((rate) => {
          const base = taxable.filter(
            (item) =>
              rate.taxBaseType.includes("Subtotal") ||
              (rate.taxBaseType.includes("Labor") && item.type === "Service") ||
              (rate.taxBaseType.includes("Material") &&
                (item.type === "Material" || item.type === "Equipment")),
          );
          return sum(base.map((item) => item.total))
            .times(Decimal.parse(rate.taxRate))
            .round(2, "half-up");
        }),
      );
      expect(invoice.salesTax).toBe(tax.toFixed(2));
    }
    const kinds = [...zones.values()];
    expect(kinds.some((zone) => zone.rates.length === 1)).toBe(true);
    expect(kinds.some((zone) => zone.isMultipleTaxZone)).toBe(true);
    expect(kinds.some((zone) => zone.isTaxRateSeparated)).toBe(true);
    expect(new Set(kinds.flatMap((zone) => zone.rates.flatMap((rate) => rate.taxBaseType)))).toEqual(
      new Set(["Subtotal", "Labor", "Material"]),
    );
  });

  it("has payment terms of every dueDayType (some with discounts) and the usual payment types", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    const terms = await allPages<PaymentTerm>(s, "/payment-terms");
    expect(new Set(terms.map((term) => term.dueDayType))).toEqual(
      new Set(["NumberOfDays", "CertainDayOfCurrentMonth", "CertainDayOfFollowingMonth"]),
    );
    expect(
      terms.filter((term) => term.paymentTermDiscountModel.discount !== null).length,
    ).toBeGreaterThanOrEqual(2);
    const types = (await allPages<PaymentType>(s, "/payment-types")).map((type) => type.name);
    expect(types).toEqual(expect.arrayContaining(["Cash", "Check", "Credit Card", "ACH / EFT"]));
  });

  it("has payments applied to one invoice, split over several, unapplied, refunds and voided ones", async () => {
    const { sim } = testSimulator();
    const payments = await allPages<DetailedPayment>(await session(sim), "/payments?activeState=All");
    const applications = (payment: DetailedPayment) => payment.appliedTo?.length ?? 0;
    expect(payments.filter((p) => applications(p) === 1).length).toBeGreaterThan(100);
    expect(payments.filter((p) => applications(p) > 1).length).toBeGreaterThanOrEqual(4);
    expect(
      payments.filter((p) => applications(p) === 0 && p.unappliedAmount === p.total).length,
    ).toBeGreaterThanOrEqual(5);
    expect(
      payments.filter((p) => applications(p) > 0 && p.unappliedAmount !== "0.00").length,
    ).toBeGreaterThanOrEqual(1);
    expect(
      payments.filter((p) => p.refundedPaymentId !== null && Decimal.parse(p.total ?? "0").isNegative()),
    ).toHaveLength(2);
    expect(payments.filter((p) => !p.active).length).toBeGreaterThanOrEqual(3);
    expect(new Set(payments.map((p) => p.type))).toEqual(
      new Set(["Cash", "Check", "Credit Card", "ACH / EFT", "Debit Card", "Financing"]),
    );
  });

  it("keeps ids (and invoice numbers) of different tenants apart", async () => {
    const { sim } = testSimulator();
    const ids = async (tenant: number) => {
      const s = await session(sim, tenant);
      const invoices = await allPages<Invoice>(s, "/invoices?activeState=All");
      const payments = await allPages<DetailedPayment>(s, "/payments?activeState=All");
      const bills = await allPages<ApBill>(s, "/ap-bills?billType=NotSet");
      return {
        ids: new Set([...invoices, ...payments, ...bills].map((record) => record.id)),
        numbers: new Set(invoices.map((invoice) => invoice.referenceNumber)),
      };
    };
    const [a, b] = await Promise.all([ids(TENANT), ids(OTHER_TENANT)]);
    expect([...a.ids].filter((id) => b.ids.has(id))).toEqual([]);
    expect([...a.numbers].filter((number) => b.numbers.has(number))).toEqual([]);
    expect(Math.min(...a.ids)).toBeGreaterThanOrEqual(10_000_000);
    expect(Math.max(...a.ids)).toBeLessThan(20_000_000);
    expect(Math.min(...b.ids)).toBeGreaterThanOrEqual(20_000_000);
  });

  it("dates everything in the ~18 months before the clock, with ties in modifiedOn", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    const invoices = await allPages<Invoice>(s, "/invoices?activeState=All");
    const payments = await allPages<DetailedPayment>(s, "/payments?activeState=All");
    const earliest = START - 560 * 86_400_000;
    for (const record of [...invoices, ...payments]) {
      const created = Date.parse(record.createdOn);
      const modified = Date.parse(record.modifiedOn ?? "");
      expect(created).toBeGreaterThan(earliest);
      expect(modified).toBeGreaterThanOrEqual(created);
      expect(modified).toBeLessThan(START);
      expect(record.modifiedOn).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    }
    const tied = (records: { modifiedOn?: string | null }[]) => {
      const counts = new Map<string, number>();
      for (const record of records)
        counts.set(record.modifiedOn ?? "", (counts.get(record.modifiedOn ?? "") ?? 0) + 1);
      return [...counts.values()].filter((count) => count > 1);
    };
    expect(tied(invoices).length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...tied(invoices))).toBeGreaterThanOrEqual(3);
    expect(tied(payments).length).toBeGreaterThanOrEqual(5);
  });

  it("seeds the invoice count asked for", async () => {
    const sim = createSimulator({
      clock: fakeClock(),
      tenants: [
        { tenantId: 42, name: "Tiny", clientId: "tiny", clientSecret: "tiny-secret", invoiceCount: 20 },
      ],
    });
    const invoices = await allPages<Invoice>(
      await session(sim, 42, "tiny", "tiny-secret"),
      "/invoices?activeState=All",
    );
    expect(invoices).toHaveLength(20);
  });
});

// Deterministic seed data for one tenant: reference data (business units, tax zones, payment
// terms and types, vendors, customers), invoices with items and tax, payments (single, partial,
// split over several invoices, unapplied, refunds, voided) and AP bills. Same seed and anchor,
// same data, byte for byte. Dates fall in the ~18 months before the anchor, and batch posting
// gives many records the same `modifiedOn`, because consumers must cope with such ties.
import {
  type ApBill,
  type components,
  Decimal,
  type Invoice,
  type InvoiceItem,
  type PaymentTerm,
  type TaxZone,
} from "@st-edge/servicetitan";
import { type IdKind, makeId, makeNumber } from "./ids.ts";
import { type InvoiceSku, invoiceItem, invoiceMoney, salesTaxCode } from "./invoice-lines.ts";
import { allocate, cents, divide, money, roundCents, ZERO } from "./money.ts";
import { createRandom, mixSeed, type Random } from "./random.ts";
import type {
  Address,
  Customer,
  NamedField,
  PaymentStatus,
  StoredPayment,
  StoredSplit,
  TenantData,
} from "./records.ts";
import {
  BUSINESS_UNITS,
  COMPANY_NAMES,
  EXPENSES,
  FIRST_NAMES,
  GL_ACCOUNTS,
  INTEREST_SKU,
  INVOICE_CUSTOM_FIELDS,
  INVOICE_TYPES,
  JOB_TYPES,
  LAST_NAMES,
  MEMBERSHIP_SKU,
  OFFICE_STAFF,
  PAYMENT_TERMS,
  PAYMENT_TYPES,
  PURCHASE_ORDER_TYPES,
  SKUS,
  type SkuDef,
  STREETS,
  TAX_ZONES,
  type TaxZoneDef,
  TECHNICIANS,
  type TermDef,
  VENDORS,
} from "./seed-catalog.ts";
import { DAY_MS, formatDate, formatTimestamp, HOUR_MS, startOfUtcDay } from "./time.ts";

type S = components["schemas"];
type GlAccount = S["Accounting.V2.GLAccountResponse"];
type InvoiceConfiguration = S["Accounting.V2.InvoiceConfiguration"];
type TransactionStatus = S["Accounting.V2.TransactionStatus"];

export interface SeedInput {
  tenantId: number;
  /** Position in the tenant list; picks the tenant's id block. */
  tenantIndex: number;
  seed: number;
  /** Midnight UTC of the day the simulator was created; every seeded date lies before it. */
  anchor: number;
  invoiceCount: number;
}

/** How far back invoices and bills go (about 18 months). */
const HISTORY_DAYS = 540;
const MINUTE_MS = 60_000;

interface Zone {
  record: TaxZone;
  def: TaxZoneDef;
}

interface Location {
  id: number;
  name: string;
  address: Address;
  zone: Zone;
  customer: Customer;
}

interface InvoiceDraft {
  invoice: Invoice;
  day: number;
  created: number;
  total: Decimal;
  customer: Customer;
  status: TransactionStatus;
  lastApplied: number;
}

interface PaymentDraft {
  payment: Omit<
    StoredPayment,
    "id" | "splits" | "status" | "batch" | "deposit" | "exportId" | "modifiedOn" | "customFields"
  >;
  splits: { draft: InvoiceDraft; amount: Decimal }[];
}

/** The status a record of this age usually has: old ones are posted or exported, fresh ones pending. */
function statusForAge(random: Random, ageDays: number): TransactionStatus {
  if (ageDays > 45)
    return random.weighted([
      ["Exported", 70],
      ["Posted", 25],
      ["Pending", 5],
    ] as const);
  if (ageDays > 10)
    return random.weighted([
      ["Posted", 45],
      ["Exported", 20],
      ["Pending", 35],
    ] as const);
  return "Pending";
}

function dueDate(term: TermDef, day: number): number {
  const date = new Date(day);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const clamp = (y: number, m: number, d: number) =>
    Date.UTC(y, m, Math.min(d, new Date(Date.UTC(y, m + 1, 0)).getUTCDate()));
  switch (term.dueDayType) {
    case "NumberOfDays":
      return day + term.dueDay * DAY_MS;
    case "CertainDayOfCurrentMonth": {
      // Invoiced after this month's due day: due on that day next month.
      const thisMonth = clamp(year, month, term.dueDay);
      return thisMonth >= day ? thisMonth : clamp(year, month + 1, term.dueDay);
    }
    case "CertainDayOfFollowingMonth":
      return clamp(year, month + 1, term.dueDay);
  }
}

/** Weekly posting batches: records of one week are posted together, so they share `modifiedOn`. */
function batchWeek(day: number): number {
  // 1970-01-05 was a Monday.
  return Math.floor((day - 4 * DAY_MS) / (7 * DAY_MS));
}

/**
 * Generates one tenant's data. Pure: the same input gives the same data.
 *
 * @example
 * const data = seedTenant({ tenantId: 1000001, tenantIndex: 0, seed: 42, anchor: Date.UTC(2026, 10, 25), invoiceCount: 300 });
 */
export function seedTenant(input: SeedInput): TenantData {
  const { tenantIndex, anchor } = input;
  const random = createRandom(mixSeed(input.seed, input.tenantId));
  const counters = new Map<IdKind, number>();
  const nextId = (kind: IdKind): number => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return makeId(tenantIndex, kind, n);
  };
  const latest = anchor - 2 * HOUR_MS;
  const setupTime = anchor - 700 * DAY_MS + 15 * HOUR_MS + 4 * MINUTE_MS + 5_000;
  const setupStamp = formatTimestamp(setupTime);

  const glAccounts: GlAccount[] = GL_ACCOUNTS.map((account) => ({ ...account, id: nextId("glAccount") }));
  const gl = (number: string): GlAccount => {
    const account = glAccounts.find((candidate) => candidate.number === number);
    if (!account) throw new Error(`no GL account ${number}`);
    return account;
  };
  const businessUnits: NamedField[] = BUSINESS_UNITS.map((name) => ({ id: nextId("businessUnit"), name }));
  const technicians = TECHNICIANS.map((name) => ({ id: nextId("employee"), name }));
  const invoiceTypes: NamedField[] = INVOICE_TYPES.map((name) => ({ id: nextId("invoiceType"), name }));
  const skuIds = new Map([...SKUS, MEMBERSHIP_SKU, INTEREST_SKU].map((sku) => [sku.code, nextId("sku")]));

  // Tax zones: all created at setup (a tie), a few edited later.
  const zones: Zone[] = TAX_ZONES.map((def) => {
    const modified = random.chance(0.3) ? setupTime + random.int(30, 400) * DAY_MS : setupTime;
    const record: TaxZone = {
      id: nextId("taxZone"),
      name: def.name,
      color: def.color,
      isTaxRateSeparated: def.separated,
      isMultipleTaxZone: def.rates.length > 1,
      rates: def.rates.map((rate) => ({
        id: nextId("taxRate"),
        taxName: rate.taxName,
        taxBaseType: [...rate.base],
        taxRate: money(rate.rate).toNumber(),
        salesTaxItem: rate.salesTaxItem,
      })),
      createdOn: setupStamp,
      modifiedOn: formatTimestamp(modified),
      active: def.active,
    };
    return { record, def };
  });
  const activeZones = zones.filter((zone) => zone.def.active);

  const terms = PAYMENT_TERMS.map((def) => {
    const id = nextId("paymentTerm");
    const record: PaymentTerm = {
      id,
      name: def.name,
      dueDayType: def.dueDayType,
      dueDay: def.dueDay,
      isCustomerDefault: def.customerDefault,
      isVendorDefault: def.vendorDefault,
      active: def.active,
      inUse: def.active,
      modifiedOn: setupStamp,
      createdOn: setupStamp,
      paymentTermDiscountModel: def.discount
        ? { id: nextId("termDiscount"), ...def.discount }
        : {
            id: null,
            discountApplyTo: null,
            discount: null,
            discountType: null,
            account: null,
            applyBy: null,
            applyByValue: null,
          },
      interestSettings: def.interest
        ? {
            id: nextId("interestSetting"),
            rateType: "MaxOfFlatAndPercentage",
            flatRateValue: 5,
            percentageRateValue: 1.5,
            chargeMethod: "PrincipalOnly",
            frequency: "Monthly",
            gracePeriod: 30,
            targetInvoices: ["JobInvoices", "ProgressInvoices"],
            taskId: skuIds.get(INTEREST_SKU.code) ?? 0,
            taskDisplayName: INTEREST_SKU.name,
          }
        : {
            id: null,
            rateType: "Flat",
            flatRateValue: 0,
            percentageRateValue: null,
            chargeMethod: null,
            frequency: "Once",
            gracePeriod: null,
            targetInvoices: [],
            taskId: 0,
            taskDisplayName: "",
          },
    };
    return { record, def };
  });
  const activeTerms = terms.filter((term) => term.def.active);

  const paymentTypes = PAYMENT_TYPES.map((def) => ({
    record: { id: nextId("paymentType"), name: def.name, createdOn: setupStamp, modifiedOn: setupStamp },
    active: def.active,
    weight: def.weight,
  }));

  // Customers, each with one or two service locations in a tax zone.
  const customerCount = Math.max(12, Math.round(input.invoiceCount / 5));
  const customers: Customer[] = [];
  const locations: Location[] = [];
  const customerTerm = new Map<number, (typeof terms)[number]>();
  for (let n = 1; n <= customerCount; n++) {
    const commercial = random.chance(0.25);
    const name = commercial
      ? `${random.pick(COMPANY_NAMES)}${n > COMPANY_NAMES.length ? ` #${n}` : ""}`
      : `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
    const homeZone = random.pick(activeZones);
    const address = (zone: Zone): Address => ({
      street: `${random.int(100, 9899)} ${random.pick(STREETS)}`,
      unit: random.chance(0.15) ? `Unit ${random.int(1, 40)}` : null,
      city: zone.def.city,
      state: "IL",
      zip: zone.def.zip,
      country: "USA",
    });
    const customer: Customer = { id: nextId("customer"), name, address: address(homeZone) };
    customers.push(customer);
    customerTerm.set(
      customer.id,
      commercial ? random.pick(activeTerms) : (activeTerms[0] ?? random.pick(activeTerms)),
    );
    const siteCount = commercial && random.chance(0.5) ? 2 : 1;
    for (let site = 0; site < siteCount; site++) {
      const zone = site === 0 ? homeZone : random.pick(activeZones);
      const siteAddress = site === 0 ? customer.address : address(zone);
      locations.push({
        id: nextId("location"),
        name: site === 0 ? name : `${name} - Site ${site + 1}`,
        address: siteAddress,
        zone,
        customer,
      });
    }
  }

  const inventoryLocationId = nextId("inventoryLocation");
  const membershipTypeId = nextId("membership");
  /** A price-book entry for a SKU definition; ad-hoc ones (imports, credits) have no SKU id. */
  const skuFor = (sku: SkuDef): InvoiceSku => {
    const inventory = sku.type === "Material" || sku.type === "Equipment";
    return {
      id: skuIds.get(sku.code) ?? 0,
      code: sku.code,
      name: sku.name,
      type: sku.type,
      price: sku.price,
      cost: sku.cost,
      soldHours: sku.hours,
      // Discounts, memberships, interest and imported balances carry no sales tax.
      taxable:
        sku.type !== "PriceModifier" &&
        sku.type !== "Unspecified" &&
        sku !== MEMBERSHIP_SKU &&
        sku !== INTEREST_SKU,
      inventory,
      generalLedgerAccount: sku.type === "Equipment" ? gl("4100") : gl("4000"),
      costOfSaleAccount: inventory ? gl("5000") : null,
      assetAccount: inventory ? gl("1300") : null,
      membershipTypeId: sku === MEMBERSHIP_SKU ? membershipTypeId : 0,
      inventoryLocationId: inventory ? inventoryLocationId : null,
      inventoryLocation: inventory ? "Main Warehouse" : null,
    };
  };
  const item = (
    sku: SkuDef,
    quantity: Decimal,
    order: number,
    created: string,
    bu: NamedField,
    technicianId: number | null,
  ): InvoiceItem =>
    invoiceItem(skuFor(sku), {
      id: nextId("invoiceItem"),
      quantity,
      price: money(sku.price),
      cost: money(sku.cost),
      order,
      createdOn: created,
      businessUnit: bu,
      technicianId,
      createdById: technicianId,
      installedEquipmentId: sku.type === "Equipment" ? nextId("equipment") : null,
    });

  const skuOf = (type: SkuDef["type"]) => SKUS.filter((sku) => sku.type === type);
  const itemsFor = (
    config: InvoiceConfiguration,
    created: string,
    bu: NamedField,
    tech: number,
  ): InvoiceItem[] => {
    const out: InvoiceItem[] = [];
    const add = (sku: SkuDef, quantity: Decimal) =>
      out.push(item(sku, quantity, out.length + 1, created, bu, tech));
    if (config === "MembershipInvoice") add(MEMBERSHIP_SKU, money("1"));
    else if (config === "InterestChargeInvoice") add(INTEREST_SKU, money("1"));
    else if (config === "CounterSales") {
      for (let i = random.int(1, 4); i > 0; i--)
        add(random.pick(skuOf("Material")), money(random.int(1, 12)));
    } else {
      const service = random.pick(skuOf("Service"));
      add(
        service,
        service.code === "SVC-LABOR" ? money(random.pick(["1", "1.5", "2", "2.5", "3", "4"])) : money("1"),
      );
      for (let i = random.int(0, 3); i > 0; i--) {
        const material = random.pick(skuOf("Material"));
        add(material, money(material.code === "MAT-PIPE" ? random.int(2, 40) : random.int(1, 6)));
      }
      if (random.chance(0.18)) add(random.pick(skuOf("Equipment")), money("1"));
      if (random.chance(0.15)) add(random.pick(skuOf("PriceModifier")), money("1"));
    }
    return out;
  };

  // Invoices, in date order so ids grow with time as they do in ServiceTitan.
  const days = Array.from(
    { length: input.invoiceCount },
    () => anchor - random.int(1, HISTORY_DAYS) * DAY_MS,
  ).sort((a, b) => a - b);
  const drafts: InvoiceDraft[] = [];
  const adjustmentsOf = new Map<number, number>();
  days.forEach((day, index) => {
    const n = index + 1;
    const original =
      index > 10 && random.chance(0.05)
        ? random.pick(drafts.filter((d) => d.invoice.adjustmentToId === null))
        : undefined;
    const config: InvoiceConfiguration = original
      ? original.invoice.invoiceConfiguration
      : random.weighted([
          ["JobInvoice", 62],
          ["ProjectInvoice", 8],
          ["CounterSales", 8],
          ["MembershipInvoice", 14],
          ["InterestChargeInvoice", 3],
          ["ARImportInvoice", 5],
        ] as const);
    const location = original
      ? (locations.find((candidate) => candidate.id === original.invoice.location?.id) ??
        random.pick(locations))
      : random.pick(locations);
    const customer = location.customer;
    const created = day + random.int(7, 18) * HOUR_MS + random.int(0, 59) * MINUTE_MS + random.int(0, 59_999);
    const createdStamp = formatTimestamp(created);
    const bu = original?.invoice.businessUnit ?? random.pick(businessUnits);
    const tech = random.pick(technicians);
    let items: InvoiceItem[];
    if (config === "ARImportInvoice" && !original) {
      items = [
        item(
          {
            code: "AR-IMPORT",
            name: "Imported A/R Balance",
            type: "Unspecified",
            price: `${random.int(80, 2400)}.${String(random.int(0, 99)).padStart(2, "0")}`,
            cost: "0.00",
            hours: null,
          },
          money("1"),
          1,
          createdStamp,
          bu,
          tech.id,
        ),
      ];
    } else if (original) {
      const credit = random.chance(0.6);
      const sku: SkuDef = credit
        ? {
            code: "ADJ-CREDIT",
            name: "Goodwill Credit",
            type: "PriceModifier",
            price: `-${random.int(10, 90)}.00`,
            cost: "0.00",
            hours: null,
          }
        : random.pick(skuOf("Material"));
      items = [item(sku, money("1"), 1, createdStamp, bu, tech.id)];
    } else {
      items = itemsFor(config, createdStamp, bu, tech.id);
    }
    const amounts = invoiceMoney(location.zone.record, items);
    const total = money(amounts.total ?? "0");
    const term = customerTerm.get(customer.id) ?? random.pick(activeTerms);
    const jobBased = config === "JobInvoice" || config === "ProjectInvoice";
    const adjustmentCount = original ? (adjustmentsOf.get(original.invoice.id) ?? 0) + 1 : 0;
    if (original) adjustmentsOf.set(original.invoice.id, adjustmentCount);
    const referenceNumber = original
      ? `${original.invoice.referenceNumber}-${adjustmentCount}`
      : makeNumber(tenantIndex, n);
    const ageDays = (anchor - day) / DAY_MS;
    const status = statusForAge(random, ageDays);
    const invoice: Invoice = {
      id: nextId("invoice"),
      syncStatus: status,
      budgetCodeId: null,
      referenceNumber,
      invoiceDate: formatDate(day),
      dueDate: formatDate(dueDate(term.def, day)),
      subTotal: amounts.subTotal,
      salesTax: amounts.salesTax,
      salesTaxCode: salesTaxCode(location.zone.record),
      taxZoneId: location.zone.record.id,
      total: cents(total),
      balance: cents(total),
      invoiceType: jobBased ? random.pick(invoiceTypes) : null,
      customer: { id: customer.id, name: customer.name },
      customerAddress: customer.address,
      location: { id: location.id, name: location.name },
      locationAddress: location.address,
      businessUnit: bu,
      termName: term.def.name,
      createdBy: config === "ARImportInvoice" ? "Office Import" : random.pick(OFFICE_STAFF.slice(0, 3)),
      batch: null,
      depositedOn: null,
      createdOn: createdStamp,
      modifiedOn: createdStamp,
      adjustmentToId: original?.invoice.id ?? null,
      job: jobBased
        ? (original?.invoice.job ?? {
            id: makeId(tenantIndex, "job", n),
            number: makeNumber(tenantIndex, n),
            type: random.pick(JOB_TYPES),
          })
        : null,
      projectId: config === "ProjectInvoice" ? makeId(tenantIndex, "project", 1 + (n % 7)) : null,
      royalty: { status: null, date: null, sentOn: null, memo: null },
      employeeInfo: { id: tech.id, name: tech.name, modifiedOn: createdStamp },
      commissionEligibilityDate: null,
      sentStatus: random.weighted([
        ["Sent", 60],
        ["Opened", 25],
        ["NotSent", 15],
      ] as const),
      reviewStatus:
        status === "Pending"
          ? random.weighted([
              ["NeedsReview", 40],
              ["Reviewed", 30],
              ["OnHold", 10],
              ["ReadyForBilling", 20],
            ] as const)
          : "Invoiced",
      assignedTo: random.chance(0.3) ? { id: tech.id, name: tech.name } : null,
      summary: `<p>${items.map((line) => line.displayName).join(", ")}</p>`,
      items,
      customFields: random.chance(0.2) ? [{ name: "PO Number", value: `PO-${random.int(1000, 9999)}` }] : [],
      active: random.chance(0.97),
      discountTotal: amounts.discountTotal,
      importId: config === "ARImportInvoice" ? `AR-${random.int(10_000, 99_999)}` : null,
      exportId: status === "Exported" ? `QB-INV-${referenceNumber}` : null,
      materialSkuId: null,
      membershipId:
        config === "MembershipInvoice"
          ? makeId(tenantIndex, "membership", 1000 + customers.indexOf(customer))
          : null,
      paidOn: null,
      invoiceConfiguration: config,
    };
    drafts.push({ invoice, day, created, total, customer, status, lastApplied: created });
  });

  // Payments. Each invoice gets one of: paid in full, paid in two parts, partly paid, unpaid.
  const typesWeighted = paymentTypes
    .filter((type) => type.active)
    .map((type) => [type, type.weight] as const);
  const paymentDrafts: PaymentDraft[] = [];
  const lastDay = anchor - DAY_MS;
  const draftPayment = (
    customer: Customer,
    day: number,
    after: number,
    total: Decimal,
    splits: PaymentDraft["splits"],
  ) => {
    const type = random.weighted(typesWeighted);
    const created = Math.max(
      day + random.int(8, 18) * HOUR_MS + random.int(0, 3_599_999),
      after + 10 * MINUTE_MS,
    );
    const clerk = random.pick(OFFICE_STAFF.slice(0, 3));
    const draft: PaymentDraft = {
      payment: {
        origin: "seed",
        active: true,
        typeId: type.record.id,
        total: cents(total),
        paidOn: startOfUtcDay(created),
        memo: random.chance(0.2)
          ? random.pick(["Paid at door", "Mailed check", "Paid online", "Thanks!"])
          : null,
        checkNumber: type.record.name === "Check" ? String(random.int(1001, 9999)) : null,
        authCode: type.record.name.includes("Card")
          ? random.int(100_000, 999_999).toString(36).toUpperCase()
          : null,
        referenceNumber: type.record.name === "ACH / EFT" ? `ACH-${random.int(100_000, 999_999)}` : null,
        customerId: customer.id,
        businessUnit: splits[0]?.draft.invoice.businessUnit ?? null,
        generalLedgerAccount: gl("1200"),
        refundedPaymentId: null,
        createdBy: clerk,
        createdOn: created,
      },
      splits,
    };
    paymentDrafts.push(draft);
    for (const split of splits) split.draft.lastApplied = Math.max(split.draft.lastApplied, created);
    return draft;
  };
  const payable = drafts.filter((d) => d.invoice.active && d.total.isPositive());
  const unpaid: InvoiceDraft[] = [];
  for (const draft of payable) {
    const roll = random.next();
    const payDay = (offset: number) => Math.min(draft.day + offset * DAY_MS, lastDay);
    if (roll < 0.55) {
      draftPayment(draft.customer, payDay(random.int(0, 40)), draft.created, draft.total, [
        { draft, amount: draft.total },
      ]);
    } else if (roll < 0.63) {
      const first = roundCents(draft.total.times(money("0.5")));
      const p1 = draftPayment(draft.customer, payDay(random.int(0, 10)), draft.created, first, [
        { draft, amount: first },
      ]);
      const rest = draft.total.minus(first);
      draftPayment(draft.customer, payDay(random.int(11, 60)), p1.payment.createdOn, rest, [
        { draft, amount: rest },
      ]);
    } else if (roll < 0.73) {
      const part = roundCents(draft.total.times(money(`0.${random.int(20, 80)}`)));
      draftPayment(draft.customer, payDay(random.int(0, 30)), draft.created, part, [{ draft, amount: part }]);
    } else {
      unpaid.push(draft);
    }
  }
  // Split payments: one payment settling several unpaid invoices of the same customer.
  const byCustomer = new Map<number, InvoiceDraft[]>();
  for (const draft of unpaid)
    byCustomer.set(draft.customer.id, [...(byCustomer.get(draft.customer.id) ?? []), draft]);
  let splitPayments = 0;
  for (const group of byCustomer.values()) {
    if (group.length < 2 || splitPayments >= Math.max(4, Math.round(input.invoiceCount / 25))) continue;
    const chosen = group.slice(0, Math.min(3, group.length));
    const latestDay = Math.max(...chosen.map((d) => d.day));
    const latestCreated = Math.max(...chosen.map((d) => d.created));
    const total = Decimal.sum(chosen.map((d) => d.total));
    const first = chosen[0];
    if (!first) continue;
    draftPayment(
      first.customer,
      Math.min(latestDay + random.int(1, 20) * DAY_MS, lastDay),
      latestCreated,
      total,
      chosen.map((d) => ({ draft: d, amount: d.total })),
    );
    for (const d of chosen) unpaid.splice(unpaid.indexOf(d), 1);
    splitPayments++;
  }
  // Overpayments: the invoice is settled and the rest stays unapplied on the payment.
  for (const draft of unpaid.splice(0, 3)) {
    draftPayment(
      draft.customer,
      Math.min(draft.day + 5 * DAY_MS, lastDay),
      draft.created,
      draft.total.plus(money("20.00")),
      [{ draft, amount: draft.total }],
    );
  }
  // Voided payments: inactive, so they never reduce a balance.
  for (const draft of unpaid.splice(0, 3)) {
    const voided = draftPayment(
      draft.customer,
      Math.min(draft.day + 3 * DAY_MS, lastDay),
      draft.created,
      draft.total,
      [{ draft, amount: draft.total }],
    );
    voided.payment.active = false;
    voided.payment.memo = "Voided: card declined";
  }
  // Deposits and prepayments with nothing applied.
  for (let i = 0; i < Math.max(5, Math.round(input.invoiceCount / 30)); i++) {
    const customer = random.pick(customers);
    const day = anchor - random.int(2, HISTORY_DAYS) * DAY_MS;
    const amount = money(`${random.int(50, 900)}.${String(random.int(0, 99)).padStart(2, "0")}`);
    const deposit = draftPayment(customer, day, day, amount, []);
    deposit.payment.memo = "Deposit for upcoming work";
    deposit.payment.businessUnit = random.pick(businessUnits);
  }
  // Refunds: a negative payment against a settled invoice, pointing at the payment it refunds.
  const refundOf = new Map<PaymentDraft, PaymentDraft>();
  const refundable = paymentDrafts.filter(
    (p) => p.payment.active && p.splits.length === 1 && p.payment.total !== "0.00",
  );
  for (let i = 0; i < 2 && refundable.length > 0; i++) {
    const original = refundable.splice(random.int(0, refundable.length - 1), 1)[0];
    const target = original?.splits[0];
    if (!original || !target) continue;
    const amount = roundCents(target.amount.times(money("0.25"))).negate();
    const refund = draftPayment(
      target.draft.customer,
      Math.min(target.draft.day + 45 * DAY_MS, lastDay),
      original.payment.createdOn,
      amount,
      [{ draft: target.draft, amount }],
    );
    refund.payment.memo = "Partial refund";
    refund.payment.checkNumber = null;
    refundOf.set(refund, original);
  }

  // Number payments in time order, then post them in weekly deposits (shared modifiedOn).
  paymentDrafts.sort((a, b) => a.payment.createdOn - b.payment.createdOn);
  const paymentIdOf = new Map<PaymentDraft, number>();
  const payments: StoredPayment[] = [];
  // Posted the Tuesday after the record's week, 06:30 UTC, all at once.
  const postTime = (at: number) =>
    Math.min(batchWeek(at) * 7 * DAY_MS + 12 * DAY_MS + 6 * HOUR_MS + 30 * MINUTE_MS, latest);
  const batches = new Map<
    number,
    { batch: { id: number; number: string; name: string }; deposit: NamedField }
  >();
  const batchFor = (at: number) => {
    const week = batchWeek(at);
    let posted = batches.get(week);
    if (!posted) {
      const number = String(1000 + batches.size + 1);
      posted = {
        batch: {
          id: nextId("batch"),
          number,
          name: `Week of ${formatDate(week * 7 * DAY_MS + 4 * DAY_MS).slice(0, 10)}`,
        },
        deposit: { id: nextId("deposit"), name: `Deposit ${number}` },
      };
      batches.set(week, posted);
    }
    return posted;
  };
  for (const draft of paymentDrafts) {
    const id = nextId("payment");
    paymentIdOf.set(draft, id);
    const created = draft.payment.createdOn;
    const status: PaymentStatus = statusForAge(random, (anchor - created) / DAY_MS);
    const posted = status !== "Pending";
    const batch = posted ? batchFor(created) : null;
    const splits: StoredSplit[] = draft.splits.map((split) => ({
      appliedId: nextId("paymentApplication"),
      invoiceId: split.draft.invoice.id,
      amount: cents(split.amount),
      appliedOn: created,
      appliedBy: draft.payment.createdBy,
    }));
    const original = refundOf.get(draft);
    payments.push({
      ...draft.payment,
      id,
      status,
      batch: batch?.batch ?? null,
      deposit: batch?.deposit ?? null,
      exportId: status === "Exported" ? `QB-PMT-${id}` : null,
      refundedPaymentId: original ? (paymentIdOf.get(original) ?? null) : null,
      modifiedOn: posted ? Math.max(postTime(created), created) : created,
      splits,
      customFields: [],
    });
  }

  // Balances: total minus what active payments applied; posting and payments move modifiedOn.
  const applied = new Map<number, Decimal>();
  const lastPaid = new Map<number, number>();
  for (const payment of payments) {
    if (!payment.active) continue;
    for (const split of payment.splits) {
      applied.set(split.invoiceId, (applied.get(split.invoiceId) ?? ZERO).plus(money(split.amount)));
      lastPaid.set(split.invoiceId, Math.max(lastPaid.get(split.invoiceId) ?? 0, payment.paidOn ?? 0));
    }
  }
  const invoiceBatches = new Map<number, { id: number; number: string; name: string }>();
  for (const draft of drafts) {
    const { invoice } = draft;
    const balance = draft.total.minus(applied.get(invoice.id) ?? ZERO);
    invoice.balance = cents(balance);
    const paidOn = lastPaid.get(invoice.id);
    if (paidOn !== undefined && !balance.isPositive()) invoice.paidOn = formatDate(paidOn);
    let modified = draft.lastApplied;
    if (draft.status !== "Pending") {
      const week = batchWeek(draft.day);
      let batch = invoiceBatches.get(week);
      if (!batch) {
        batch = {
          id: nextId("batch"),
          number: String(5000 + invoiceBatches.size + 1),
          name: `Invoices ${formatDate(draft.day).slice(0, 10)}`,
        };
        invoiceBatches.set(week, batch);
      }
      invoice.batch = batch;
      modified = Math.max(modified, postTime(draft.day));
    }
    invoice.modifiedOn = formatTimestamp(Math.min(Math.max(modified, draft.created), latest));
  }

  const apBills = seedApBills();
  const extras = seedExtras();

  return {
    tenantId: input.tenantId,
    tenantIndex,
    invoices: drafts.map((d) => d.invoice),
    payments,
    paymentTypes: paymentTypes.map(({ record, active }) => ({ record, active })),
    paymentTerms: terms.map((term) => term.record),
    taxZones: zones.map((zone) => zone.record),
    apBills,
    customers,
    skus: [...SKUS, MEMBERSHIP_SKU, INTEREST_SKU].map(skuFor),
    invoiceTypes,
    employees: technicians,
    ...extras,
    next: {
      payment: (counters.get("payment") ?? 0) + 1,
      paymentApplication: (counters.get("paymentApplication") ?? 0) + 1,
      invoice: (counters.get("invoice") ?? 0) + 1,
      invoiceItem: (counters.get("invoiceItem") ?? 0) + 1,
    },
  };

  /**
   * Custom field types and values, and purchase-order types, drawn from a stream of their own so
   * that adding them left every other seeded record as it was.
   */
  function seedExtras() {
    const extra = createRandom(mixSeed(input.seed, input.tenantId, 0xcf));
    const invoiceCustomFieldTypes = INVOICE_CUSTOM_FIELDS.map((def) => {
      const stamp = formatTimestamp(setupTime + def.createdDays * DAY_MS);
      return {
        id: nextId("customFieldType"),
        name: def.name,
        dataType: def.dataType,
        dataTypeOptions: def.options,
        createdOn: stamp,
        modifiedOn: stamp,
      };
    });
    for (const { invoice } of drafts) {
      const fields = invoice.customFields ?? [];
      if (extra.chance(0.35)) fields.push({ name: "Ledger Ref", value: `LR-${extra.int(10_000, 99_999)}` });
      if (extra.chance(0.25))
        fields.push({
          name: "Job Source",
          value: extra.pick(INVOICE_CUSTOM_FIELDS[2]?.options ?? ["Google"]),
        });
      if (extra.chance(0.1)) fields.push({ name: "Warranty Months", value: String(extra.pick([6, 12, 24])) });
      invoice.customFields = fields;
    }
    for (const payment of payments) {
      if (extra.chance(0.3))
        payment.customFields.push({ name: "Deposit Slip", value: `DS-${extra.int(100, 999)}` });
      if (extra.chance(0.25))
        payment.customFields.push({ name: "Collected By", value: extra.pick(TECHNICIANS) });
    }
    for (const bill of apBills) {
      const fields: { name: string; value: string }[] = [];
      if (extra.chance(0.3)) fields.push({ name: "Approval Code", value: `AP-${extra.int(1000, 9999)}` });
      if (extra.chance(0.4)) fields.push({ name: "Cost Center", value: extra.pick(BUSINESS_UNITS) });
      bill.customFields = fields;
    }
    const purchaseOrderTypes = PURCHASE_ORDER_TYPES.map((name) => ({
      id: nextId("purchaseOrderType"),
      name,
    }));
    const purchaseOrders = apBills.flatMap((bill) =>
      bill.purchaseOrderId === null || bill.purchaseOrderId === undefined
        ? []
        : [{ id: bill.purchaseOrderId, typeId: extra.pick(purchaseOrderTypes).id }],
    );
    return { invoiceCustomFieldTypes, purchaseOrderTypes, purchaseOrders };
  }

  function seedApBills(): ApBill[] {
    const vendors = VENDORS.map((vendor, i) => ({
      ...vendor,
      id: nextId("vendor"),
      number: `V-${1001 + i}`,
    }));
    const jobs = drafts.map((d) => d.invoice.job).filter((job) => job !== null && job !== undefined);
    const warehouse: Address = {
      street: "400 Industrial Pkwy",
      unit: null,
      city: "Springfield",
      state: "IL",
      zip: "62701",
      country: "USA",
    };
    const billCount = Math.max(40, Math.round(input.invoiceCount * 0.4));
    const billDays = Array.from(
      { length: billCount },
      () => anchor - random.int(1, HISTORY_DAYS) * DAY_MS,
    ).sort((a, b) => a - b);
    const materials = SKUS.filter((sku) => sku.type === "Material" || sku.type === "Equipment");
    return billDays.map((day) => {
      const id = nextId("apBill");
      const vendor = random.pick(vendors);
      const billType = random.weighted([
        ["Procurement", 75],
        ["ApBill", 25],
      ] as const);
      const procurement = billType === "Procurement";
      const status = random.weighted([
        ["Unreconciled", 35],
        ["Reconciled", 45],
        ["Discrepancy", 10],
        ["Canceled", 10],
      ] as const);
      const ageDays = (anchor - day) / DAY_MS;
      const sync = statusForAge(random, ageDays);
      const syncStatus = sync === "Exported" && random.chance(0.3) ? "PostedAndExported" : sync;
      const created = day + random.int(7, 18) * HOUR_MS + random.int(0, 3_599_999);
      const createdStamp = formatTimestamp(created);
      const landedCostMethod = procurement
        ? random.weighted([
            ["None", 70],
            ["ByValue", 30],
          ] as const)
        : "None";
      const lines = procurement
        ? Array.from({ length: random.int(1, 6) }, () => {
            const sku = random.pick(materials);
            return {
              sku,
              quantity: money(sku.type === "Equipment" ? random.int(1, 2) : random.int(1, 40)),
              cost: money(sku.cost),
            };
          })
        : [];
      const lineTotals = lines.map((line) => roundCents(line.quantity.times(line.cost)));
      const expenses = procurement
        ? []
        : Array.from({ length: random.int(1, 3) }, () => ({
            description: random.pick(EXPENSES),
            amount: money(`${random.int(15, 600)}.${String(random.int(0, 99)).padStart(2, "0")}`),
          }));
      const itemsTotal = Decimal.sum(lineTotals);
      const tax = procurement ? roundCents(itemsTotal.times(money("0.0725"))) : ZERO;
      const shipping = procurement ? money(random.pick(["0.00", "0.00", "15.00", "35.50"])) : ZERO;
      const other = landedCostMethod === "ByValue" ? money(random.pick(["0.00", "12.75", "48.20"])) : ZERO;
      const billAmount = itemsTotal
        .plus(Decimal.sum(expenses.map((e) => e.amount)))
        .plus(tax)
        .plus(shipping)
        .plus(other);
      const vendorInvoiceTotal =
        status === "Discrepancy" ? billAmount.plus(money(`${random.int(1, 49)}.50`)) : billAmount;
      const allocatedTax = allocate(tax, lineTotals);
      const allocatedShipping = allocate(shipping, lineTotals);
      const allocatedOther = allocate(other, lineTotals);
      const job = random.chance(0.4) && jobs.length > 0 ? random.pick(jobs) : null;
      const posted = syncStatus !== "Pending";
      const modified = Math.min(
        posted ? Math.max(postTime(day), created) : created + random.int(0, 3) * DAY_MS,
        latest,
      );
      const zone = zones[0];
      const bill: ApBill = {
        id,
        purchaseOrderId: procurement ? nextId("purchaseOrder") : null,
        syncStatus,
        status,
        source: procurement
          ? random.weighted([
              ["Purchasing", 80],
              ["OCR", 10],
              ["API", 10],
            ] as const)
          : random.weighted([
              ["Standalone", 70],
              ["Recurring", 15],
              ["API", 15],
            ] as const),
        billType,
        postDate: posted ? formatDate(postTime(day)) : null,
        referenceNumber: `INV-${random.int(10_000, 99_999)}`,
        vendorNumber: vendor.number,
        summary: procurement
          ? `Materials for ${job?.number ? `job ${job.number}` : "stock"}`
          : expenses.map((e) => e.description).join(", "),
        billDate: formatDate(day),
        earlyDiscountDate: vendor.termDays >= 30 ? formatDate(day + 10 * DAY_MS) : null,
        billAmount: cents(billAmount),
        vendorInvoiceTotal: cents(vendorInvoiceTotal),
        taxAmount: cents(tax),
        shippingAmount: cents(shipping),
        landedCostMethod,
        otherAmount: cents(other),
        createdBy: random.pick(OFFICE_STAFF.slice(0, 3)),
        createdOn: createdStamp,
        modifiedOn: formatTimestamp(modified),
        termName: vendor.termDays === 0 ? "Due Upon Receipt" : `Net ${vendor.termDays}`,
        dueDate: formatDate(day + vendor.termDays * DAY_MS),
        doNotPay: random.chance(0.05),
        dateCanceled: status === "Canceled" ? formatTimestamp(Math.min(created + 2 * DAY_MS, latest)) : null,
        canceledBy: status === "Canceled" ? { id: technicians[0]?.id ?? 0, name: OFFICE_STAFF[0] } : null,
        shipToDescription: "Main Warehouse",
        batch: posted ? batchFor(day).batch : null,
        businessUnit: random.pick(businessUnits),
        taxZone: zone ? { id: zone.record.id, name: zone.record.name } : null,
        vendor: { id: vendor.id, name: vendor.name },
        remittanceVendorInfo: { id: vendor.id, name: vendor.name },
        shipTo: warehouse,
        budgetCodeId: null,
        items: lines.map((line, index) => {
          const landed = (lineTotals[index] ?? ZERO)
            .plus(allocatedTax[index] ?? ZERO)
            .plus(allocatedShipping[index] ?? ZERO)
            .plus(allocatedOther[index] ?? ZERO);
          return {
            order: index + 1,
            name: line.sku.name,
            description: line.sku.name,
            quantity: line.quantity.toString(),
            cost: cents(line.cost),
            allocatedTax: cents(allocatedTax[index] ?? ZERO),
            allocatedShipping: cents(allocatedShipping[index] ?? ZERO),
            allocatedOtherCosts: cents(allocatedOther[index] ?? ZERO),
            fullyLandedUnitCost: cents(divide(landed, line.quantity)),
            inventoryLocation: { id: inventoryLocationId, name: "Main Warehouse", type: "Warehouse" },
            vendorPartNumber: `${vendor.number}-${line.sku.code}`,
            serialNumber: line.sku.type === "Equipment" ? `SN${random.int(10_000_000, 99_999_999)}` : null,
            generalLedgerAccount: gl("1300"),
            costOfSaleAccount: gl("5000"),
            assetAccount: gl("1300"),
            id: nextId("apBillItem"),
            skuId: skuIds.get(line.sku.code) ?? 0,
            receiptItemId: null,
            skuType: line.sku.type,
            skuCode: line.sku.code,
            budgetCodeId: null,
          };
        }),
        expenseItems: expenses.map((expense) => ({
          id: nextId("apBillItem"),
          amount: cents(expense.amount),
          description: expense.description,
          generalLedgerAccount: gl("6100"),
          job: null,
          businessUnit: random.pick(businessUnits),
          budgetCodeId: null,
          projectLabelIds: null,
        })),
        customFields: [],
        jobId: job?.id ?? null,
        jobNumber: job?.number ?? null,
        dateReconciled:
          status === "Reconciled"
            ? formatTimestamp(Math.min(created + random.int(1, 20) * DAY_MS, latest))
            : null,
      };
      return bill;
    });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const seeds = new Map<string, TenantData>();
const SEED_CACHE_LIMIT = 16;

/**
 * seedTenant, memoized and deep-frozen. A seed is a pure function of its input and the store
 * never mutates it (writes replace records with copies; freezing turns any slip into a
 * TypeError), so every simulator built with the same input can share it: tests create many.
 */
export function seededTenant(input: SeedInput): TenantData {
  const key = JSON.stringify([
    input.tenantId,
    input.tenantIndex,
    input.seed,
    input.anchor,
    input.invoiceCount,
  ]);
  let data = seeds.get(key);
  if (!data) {
    data = deepFreeze(seedTenant(input));
    seeds.set(key, data);
    const oldest = seeds.keys().next().value;
    if (seeds.size > SEED_CACHE_LIMIT && oldest !== undefined) seeds.delete(oldest);
  }
  return data;
}

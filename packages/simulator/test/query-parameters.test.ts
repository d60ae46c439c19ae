// Every query parameter of every operation the simulator serves is honoured as the spec says or
// refused loudly. The test walks the spec itself: a parameter listed as honoured
// (src/query-parameters.ts) must have a probe below that proves it filters, pages or sorts the
// way the spec's words say (the answer equals the unfiltered list narrowed by the parameter's
// meaning, and some value changes the answer); any other parameter must be a 400 naming it. So a
// parameter added to the spec can never be dropped silently, here or in a consumer's test.
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS, IMPLEMENTED_OPERATIONS, type Simulator } from "../src/index.ts";
import { HONOURED_QUERY, type ListOperation } from "../src/query-parameters.ts";
import { specOperation } from "../src/spec.ts";
import { type FakeClock, type Problem, type Session, session, testSimulator } from "./helpers.ts";

type Rec = Record<string, unknown>;

/** A value at a dotted path ("customer.id"), or undefined. */
function at(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = Object.entries(value).find(([name]) => name === key)?.[1];
  }
  return value;
}

const text = (value: unknown): string => (value === null || value === undefined ? "" : String(value));
const time = (value: unknown): number => (typeof value === "string" ? Date.parse(value) : Number.NaN);
const amount = (value: unknown): number => Number(text(value) || "0");
const idOf = (record: unknown): number => Number(at(record, "id"));
const ids = (records: unknown[]): number[] => records.map(idOf);
const enc = encodeURIComponent;

let sim: Simulator;
let clock: FakeClock;
let s: Session;

beforeAll(async () => {
  // A smaller tenant: every probe reads its whole list.
  ({ sim, clock } = testSimulator({
    tenants: DEMO_TENANTS.map((tenant) => ({ ...tenant, invoiceCount: 120 })),
    exportBatchSize: 20,
  }));
  s = await session(sim);
  // A few writes, so API-made records and fresh modifiedOn values are in the lists too.
  const types = await (await s.get("/payment-types")).json<{ data: Rec[] }>();
  const open = await (
    await s.get("/invoices?balanceFilter.Balance=1&balanceFilter.Comparer=Greater&pageSize=3")
  ).json<{
    data: Rec[];
  }>();
  for (const invoice of open.data)
    await s.post("/payments", {
      typeId: at(types.data[0], "id"),
      splits: [{ invoiceId: idOf(invoice), amount: 1 }],
    });
  const pending = await (await s.get("/invoices?statuses=Pending&pageSize=1")).json<{ data: Rec[] }>();
  await s.patch(`/invoices/${idOf(pending.data[0])}/items`, {
    skuName: "SVC-DIAG",
    description: "Trip fee",
    quantity: 1,
  });
  const bills = await (await s.get("/ap-bills?billType=NotSet&syncStatuses=Pending&pageSize=1")).json<{
    data: Rec[];
  }>();
  await s.post("/ap-bills/markasexported", { billIds: ids(bills.data) });
  clock.advance(60_000);
});

interface ListSpec {
  path: string;
  /** Query every probe starts from, e.g. activeState=All so the default does not hide records. */
  base: string;
}

const LISTS: Record<Exclude<ListOperation, `Export_${string}`>, ListSpec> = {
  Invoices_GetList: { path: "/invoices", base: "activeState=All" },
  Payments_GetList: { path: "/payments", base: "activeState=All" },
  PaymentTypes_GetList: { path: "/payment-types", base: "active=Any" },
  PaymentTerms_GetList: { path: "/payment-terms", base: "" },
  TaxZones_GetList: { path: "/tax-zones", base: "active=Any" },
  Invoices_GetCustomFieldTypes: { path: "/invoices/custom-fields", base: "" },
  ApBills_GetListPaginated: { path: "/ap-bills", base: "billType=NotSet" },
  InventoryBills_GetList: { path: "/inventory-bills", base: "billType=NotSet" },
  InventoryBills_GetListPaginated: { path: "/inventory-bills/paginated", base: "billType=NotSet" },
};

async function read(path: string, query: string): Promise<{ status: number; body: unknown }> {
  const response = await s.get(`${path}?${query}`);
  return { status: response.status, body: await response.json() };
}

/** The list's base query with `query` on top: a parameter `query` sets replaces the base's. */
function withBase(list: ListSpec, query: string): string {
  const params = new URLSearchParams(list.base);
  const own = new URLSearchParams(query);
  for (const name of own.keys()) params.delete(name);
  return [params.toString(), query].filter(Boolean).join("&");
}

/** The records of one call: a paged envelope's data, or a bare array. */
async function records(list: ListSpec, query: string): Promise<Rec[]> {
  const { status, body } = await read(list.path, withBase(list, `${query ? `${query}&` : ""}pageSize=5000`));
  expect(status, `${list.path}?${query}`).toBe(200);
  const data = Array.isArray(body) ? body : at(body, "data");
  if (!Array.isArray(data)) throw new Error(`${list.path} answered no records`);
  return data;
}

/**
 * The parameter filters: for each (query, keep) case the answer is exactly the unfiltered list
 * narrowed by `keep`, and at least one case answers something other than the whole list.
 */
async function filters(op: keyof typeof LISTS, cases: [query: string, keep: (record: Rec) => boolean][]) {
  const list = LISTS[op];
  const all = await records(list, "");
  let narrowed = false;
  for (const [query, keep] of cases) {
    const got = await records(list, query);
    const want = all.filter(keep);
    expect(ids(got).sort(), `${op}?${query}`).toEqual(ids(want).sort());
    if (got.length !== all.length) narrowed = true;
  }
  expect(narrowed, `${op}: no case narrowed the list`).toBe(true);
}

/** A value of `path` that some records have and others do not: the most common one. */
async function common(op: keyof typeof LISTS, path: string): Promise<string> {
  const counts = new Map<string, number>();
  for (const record of await records(LISTS[op], "")) {
    const value = text(at(record, path));
    if (value !== "") counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  if (!best) throw new Error(`${op}: no record has ${path}`);
  return best[0];
}

/**
 * The middle one of the distinct values of a date (or, with `byAmount`, money) field: records lie
 * on both sides of it, whichever way the bound points.
 */
async function middle(op: keyof typeof LISTS, path: string, byAmount = false): Promise<string> {
  const values = [
    ...new Set((await records(LISTS[op], "")).map((record) => text(at(record, path))).filter(Boolean)),
  ].sort((a, b) => (byAmount ? amount(a) - amount(b) : time(a) - time(b)));
  return values[Math.ceil(values.length / 2)] ?? values[0] ?? "";
}

/**
 * OnOrAfter inclusive, Before exclusive, on a timestamp field: bounds at the middle stamp and one
 * millisecond after it (records that all share one stamp, as reference data made at setup do,
 * then fall all on one side or all on the other).
 */
const range = (op: keyof typeof LISTS, path: string, onOrAfter: string, before: string) => {
  const probe = (param: string, keep: (at: number, bound: number) => boolean) => async () => {
    const stamp = await middle(op, path);
    const next = new Date(time(stamp) + 1).toISOString();
    await filters(
      op,
      [stamp, next].map((bound) => [
        `${param}=${enc(bound)}`,
        (r: Rec) => keep(time(at(r, path)), time(bound)),
      ]),
    );
  };
  return {
    [onOrAfter]: probe(onOrAfter, (value, bound) => value >= bound),
    [before]: probe(before, (value, bound) => value < bound),
  };
};

const equals = (op: keyof typeof LISTS, param: string, path: string) => async () => {
  const value = await common(op, path);
  await filters(op, [[`${param}=${enc(value)}`, (r) => text(at(r, path)) === value]]);
};

const listed =
  (op: keyof typeof LISTS, param: string, path: string, repeat = true) =>
  async () => {
    const value = await common(op, path);
    const other =
      (await records(LISTS[op], "")).map((r) => text(at(r, path))).find((v) => v && v !== value) ?? value;
    const query = repeat
      ? `${param}=${enc(value)}&${param}=${enc(other)}`
      : `${param}=${enc(`${value},${other}`)}`;
    await filters(op, [[query, (r) => [value, other].includes(text(at(r, path)))]]);
  };

const partial = (op: keyof typeof LISTS, param: string, path: string) => async () => {
  const value = (await common(op, path)).slice(-4, -1);
  await filters(op, [
    [
      `${param}=${enc(value.toUpperCase())}`,
      (r) => text(at(r, path)).toLowerCase().includes(value.toLowerCase()),
    ],
  ]);
};

const idList =
  (op: keyof typeof LISTS, param = "ids", path = "id") =>
  async () => {
    const all = await records(LISTS[op], "");
    const values = [...new Set(all.map((r) => text(at(r, path))).filter(Boolean))].slice(0, 3);
    await filters(op, [[`${param}=${values.join(",")}`, (r) => values.includes(text(at(r, path)))]]);
  };

const amounts = (op: keyof typeof LISTS, path: string, greater: string, less: string) => ({
  [greater]: async () => {
    const m = await middle(op, path, true);
    await filters(op, [[`${greater}=${m}`, (r) => amount(at(r, path)) >= amount(m)]]);
  },
  [less]: async () => {
    const m = await middle(op, path, true);
    await filters(op, [[`${less}=${m}`, (r) => amount(at(r, path)) <= amount(m)]]);
  },
});

/** `sort=±Field`: the order of every record, ties by id. */
const sorted =
  (op: keyof typeof LISTS, query: string, key: (r: Rec) => number | string, descending: boolean) =>
  async () => {
    const got = await records(LISTS[op], query);
    const want = [...got].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? (descending ? 1 : -1) : ka > kb ? (descending ? -1 : 1) : idOf(a) - idOf(b);
    });
    expect(ids(got), `${op}?${query}`).toEqual(ids(want));
    expect(new Set(got.map(key)).size, `${op}?${query}: every key equal proves nothing`).toBeGreaterThan(1);
  };

/** page, pageSize and includeTotal, on the enveloped lists (the bare array has no total). */
const paging = (op: keyof typeof LISTS) => {
  const list = LISTS[op];
  const page = (query: string) => read(list.path, withBase(list, query));
  return {
    pageSize: async () => {
      const all = await records(list, "");
      expect(data(await page("pageSize=2")).map(idOf)).toEqual(ids(all.slice(0, 2)));
      expect(data(await page("")).length).toBe(Math.min(50, all.length));
    },
    page: async () => {
      const all = await records(list, "");
      expect(data(await page("pageSize=2&page=2")).map(idOf)).toEqual(ids(all.slice(2, 4)));
    },
    includeTotal: async () => {
      const all = await records(list, "");
      expect(at((await page("pageSize=1&includeTotal=true")).body, "totalCount")).toBe(all.length);
      expect(at((await page("pageSize=1")).body, "totalCount")).toBeNull();
    },
  };
};

/** customField.Fields[Name]=Value and customField.Operator (And by default, or Or). */
const customFields = (op: keyof typeof LISTS) => {
  const has = (r: Rec, name: string, value: string) =>
    (Array.isArray(r.customFields) ? r.customFields : []).some(
      (field) =>
        text(at(field, "name")) === name && text(at(field, "value")).toLowerCase() === value.toLowerCase(),
    );
  type Pair = [name: string, value: string];
  /** Two name/value pairs: of two different fields when records have two, else two values of one. */
  const pairs = async (): Promise<[Pair, Pair]> => {
    const all: Pair[] = (await records(LISTS[op], "")).flatMap((record) =>
      (Array.isArray(record.customFields) ? record.customFields : []).map(
        (field): Pair => [text(at(field, "name")), text(at(field, "value"))],
      ),
    );
    const [first] = all;
    // A dictionary holds one value per name: two names are needed to combine two conditions.
    const second = all.find(([name]) => name !== first?.[0]);
    if (!first || !second) throw new Error(`${op}: records need values of two custom fields to probe`);
    return [first, second];
  };
  const query = ([[n1, v1], [n2, v2]]: [Pair, Pair], operator?: string) =>
    `customField.Fields[${enc(n1)}]=${enc(v1.toUpperCase())}&customField.Fields[${enc(n2)}]=${enc(v2)}${operator ? `&customField.Operator=${operator}` : ""}`;
  return {
    "customField.Fields": async () => {
      const [[name, value]] = await pairs();
      await filters(op, [
        [`customField.Fields[${enc(name)}]=${enc(value)}`, (r) => has(r, name, value)],
        [`customField.Fields[${enc(name.toLowerCase())}]=nothing-has-this`, () => false],
      ]);
    },
    "customField.Operator": async () => {
      const found = await pairs();
      const [[n1, v1], [n2, v2]] = found;
      await filters(op, [
        [query(found), (r) => has(r, n1, v1) && has(r, n2, v2)],
        [query(found, "And"), (r) => has(r, n1, v1) && has(r, n2, v2)],
        [query(found, "Or"), (r) => has(r, n1, v1) || has(r, n2, v2)],
      ]);
    },
  };
};

type Probes = Record<string, () => Promise<void>>;

const billProbes = (
  op: "ApBills_GetListPaginated" | "InventoryBills_GetList" | "InventoryBills_GetListPaginated",
): Probes => ({
  ids: idList(op),
  batchId: equals(op, "batchId", "batch.id"),
  batchNumber: equals(op, "batchNumber", "batch.number"),
  billNumber: partial(op, "billNumber", "referenceNumber"),
  businessUnitIds: idList(op, "businessUnitIds", "businessUnit.id"),
  ...customFields(op),
  // "Filter bills created on or after this date" / "created on or before this date".
  dateFrom: async () => {
    const m = await middle(op, "createdOn");
    await filters(op, [[`dateFrom=${enc(m)}`, (r) => time(r.createdOn) >= time(m)]]);
  },
  dateTo: async () => {
    const m = await middle(op, "createdOn");
    const day = m.slice(0, 10);
    await filters(op, [
      [`dateTo=${enc(m)}`, (r) => time(r.createdOn) <= time(m)],
      // A bare date covers its whole day.
      [`dateTo=${day}`, (r) => time(r.createdOn) < time(`${day}T00:00:00Z`) + 86_400_000],
    ]);
  },
  jobNumber: partial(op, "jobNumber", "jobNumber"),
  purchaseOrderNumber: partial(op, "purchaseOrderNumber", "purchaseOrderId"),
  purchaseOrderTypes: async () => {
    // The type is not part of any bill response: each type picks a part of the bills that have
    // a purchase order, the parts never overlap, and together they are all of them.
    const withOrder = (await records(LISTS[op], "")).filter((r) => r.purchaseOrderId !== null);
    const parts = await Promise.all(
      ["Standard", "job materials", "Stock Replenishment", "Drop Ship"].map(async (type) =>
        ids(await records(LISTS[op], `purchaseOrderTypes=${enc(type)}`)),
      ),
    );
    for (const part of parts) expect(part.length).toBeGreaterThan(0);
    expect(parts.flat().sort()).toEqual(ids(withOrder).sort());
    const two = ids(await records(LISTS[op], `purchaseOrderTypes=${enc("Standard,Drop Ship")}`));
    expect(two.sort()).toEqual([...(parts[0] ?? []), ...(parts[3] ?? [])].sort());
    expect((await read(LISTS[op].path, "purchaseOrderTypes=Rush")).status).toBe(400);
  },
  syncStatuses: listed(op, "syncStatuses", "syncStatus"),
  ...amounts(op, "billAmount", "minCost", "maxCost"),
  billType: async () => {
    // AP bills carry billType; the inventory shape does not, so compare with the AP list.
    const ap = await records(LISTS.ApBills_GetListPaginated, "");
    const procurement = ap.filter((r) => r.billType === "Procurement").map(idOf);
    const recurring = ap.filter((r) => r.source === "Recurring").map(idOf);
    const got = async (type: string) => ids(await records(LISTS[op], `billType=${type}`)).sort();
    expect(await got("Procurement")).toEqual(procurement.sort());
    if (op !== "ApBills_GetListPaginated") {
      expect(await got("RecurringBill")).toEqual(recurring.sort());
      expect(await got("ApBill")).toEqual(
        ap
          .map(idOf)
          .filter((id) => !procurement.includes(id) && !recurring.includes(id))
          .sort(),
      );
      // No documented default: every type.
      expect(ids(data(await read(LISTS[op].path, "pageSize=5000"))).sort()).toEqual(ap.map(idOf).sort());
    } else {
      expect(await got("ApBill")).toEqual(
        ap
          .map(idOf)
          .filter((id) => !procurement.includes(id))
          .sort(),
      );
      // "defaults to Procurement".
      expect(ids(data(await read(LISTS[op].path, "pageSize=5000"))).sort()).toEqual(procurement.sort());
    }
  },
  ...range(op, "createdOn", "createdOnOrAfter", "createdBefore"),
  ...range(op, "modifiedOn", "modifiedOnOrAfter", "modifiedBefore"),
  ...range(op, "dateReconciled", "dateReconciledOnOrAfter", "dateReconciledBefore"),
  threeWayMatchDiscrepancy: async () => {
    const ap = await records(LISTS.ApBills_GetListPaginated, "");
    const discrepant = ap.filter((r) => r.status === "Discrepancy").map(idOf);
    await filters(op, [
      ["threeWayMatchDiscrepancy=Discrepancy", (r) => discrepant.includes(idOf(r))],
      ["threeWayMatchDiscrepancy=NoDiscrepancy", (r) => !discrepant.includes(idOf(r))],
    ]);
  },
  ...paging(op),
});

function data(response: { body: unknown }): unknown[] {
  const value = Array.isArray(response.body) ? response.body : at(response.body, "data");
  return Array.isArray(value) ? value : [];
}

const PROBES: { [Op in keyof typeof LISTS]: Probes } = {
  Invoices_GetList: {
    ids: idList("Invoices_GetList"),
    activeState: async () => {
      await filters("Invoices_GetList", [
        ["activeState=InactiveOnly", (r) => r.active === false],
        ["activeState=ActiveOnly", (r) => r.active === true],
        ["activeState=All", () => true],
      ]);
      expect(ids(data(await read("/invoices", "pageSize=5000"))).length).toBe(
        (await records(LISTS.Invoices_GetList, "activeState=ActiveOnly")).length,
      );
    },
    ...range("Invoices_GetList", "modifiedOn", "modifiedOnOrAfter", "modifiedBefore"),
    ...range("Invoices_GetList", "createdOn", "createdOnOrAfter", "createdBefore"),
    ...range("Invoices_GetList", "invoiceDate", "invoicedOnOrAfter", "invoicedOnBefore"),
    ...range("Invoices_GetList", "dueDate", "dueDateOnOrAfter", "dueDateBefore"),
    statuses: listed("Invoices_GetList", "statuses", "syncStatus"),
    batchId: equals("Invoices_GetList", "batchId", "batch.id"),
    batchNumber: equals("Invoices_GetList", "batchNumber", "batch.number"),
    ...customFields("Invoices_GetList"),
    jobId: equals("Invoices_GetList", "jobId", "job.id"),
    jobNumber: equals("Invoices_GetList", "jobNumber", "job.number"),
    businessUnitId: equals("Invoices_GetList", "businessUnitId", "businessUnit.id"),
    customerId: equals("Invoices_GetList", "customerId", "customer.id"),
    adjustmentToId: equals("Invoices_GetList", "adjustmentToId", "adjustmentToId"),
    number: equals("Invoices_GetList", "number", "referenceNumber"),
    ...amounts("Invoices_GetList", "total", "totalGreater", "totalLess"),
    "balanceFilter.Balance": async () => {
      await filters("Invoices_GetList", [["balanceFilter.Balance=0", (r) => amount(r.balance) === 0]]);
    },
    "balanceFilter.Comparer": async () => {
      await filters("Invoices_GetList", [
        ["balanceFilter.Balance=0&balanceFilter.Comparer=Greater", (r) => amount(r.balance) > 0],
        ["balanceFilter.Balance=0&balanceFilter.Comparer=Less", (r) => amount(r.balance) < 0],
        ["balanceFilter.Balance=0&balanceFilter.Comparer=NotEquals", (r) => amount(r.balance) !== 0],
        ["balanceFilter.Balance=0&balanceFilter.Comparer=Equals", (r) => amount(r.balance) === 0],
      ]);
    },
    reviewStatuses: listed("Invoices_GetList", "reviewStatuses", "reviewStatus"),
    assignedToIds: listed("Invoices_GetList", "assignedToIds", "assignedTo.id"),
    invoiceConfigurations: listed("Invoices_GetList", "invoiceConfigurations", "invoiceConfiguration"),
    sort: sorted("Invoices_GetList", "sort=-InvoiceDate", (r) => time(r.invoiceDate), true),
    orderBy: sorted("Invoices_GetList", "orderBy=CreatedOn", (r) => time(r.createdOn), false),
    orderByDirection: sorted(
      "Invoices_GetList",
      "orderBy=CreatedOn&orderByDirection=descending",
      (r) => time(r.createdOn),
      true,
    ),
    ...paging("Invoices_GetList"),
  },
  Payments_GetList: {
    ids: idList("Payments_GetList"),
    activeState: async () => {
      await filters("Payments_GetList", [
        ["activeState=InactiveOnly", (r) => r.active === false],
        ["activeState=ActiveOnly", (r) => r.active === true],
      ]);
    },
    appliedToInvoiceIds: async () => {
      const invoice = Number(await common("Payments_GetList", "appliedTo.0.appliedTo"));
      const applied = (r: Rec) =>
        (Array.isArray(r.appliedTo) ? r.appliedTo : []).some((a) => at(a, "appliedTo") === invoice);
      await filters("Payments_GetList", [[`appliedToInvoiceIds=${invoice}`, applied]]);
    },
    appliedToReferenceNumber: async () => {
      const number = await common("Payments_GetList", "appliedTo.0.appliedToReferenceNumber");
      const applied = (r: Rec) =>
        (Array.isArray(r.appliedTo) ? r.appliedTo : []).some(
          (a) => at(a, "appliedToReferenceNumber") === number,
        );
      await filters("Payments_GetList", [[`appliedToReferenceNumber=${enc(number)}`, applied]]);
    },
    batchId: equals("Payments_GetList", "batchId", "batch.id"),
    batchNumber: equals("Payments_GetList", "batchNumber", "batch.number"),
    businessUnitIds: idList("Payments_GetList", "businessUnitIds", "businessUnit.id"),
    ...range("Payments_GetList", "createdOn", "createdOnOrAfter", "createdBefore"),
    ...range("Payments_GetList", "modifiedOn", "modifiedOnOrAfter", "modifiedBefore"),
    customerId: equals("Payments_GetList", "customerId", "customer.id"),
    ...customFields("Payments_GetList"),
    depositIds: idList("Payments_GetList", "depositIds", "deposit.id"),
    // paidOnAfter is read as inclusive, like the other lower bounds (UNCONFIRMED).
    ...range("Payments_GetList", "date", "paidOnAfter", "paidOnBefore"),
    statuses: listed("Payments_GetList", "statuses", "syncStatus", false),
    ...amounts("Payments_GetList", "total", "totalGreater", "totalLess"),
    transactionType: async () => {
      await filters("Payments_GetList", [
        ["transactionType=JournalEntry", () => false],
        ["transactionType=ReceivePayment", () => true],
      ]);
    },
    sort: sorted("Payments_GetList", "sort=%2BPaidOn", (r) => time(r.date), false),
    ...paging("Payments_GetList"),
  },
  PaymentTypes_GetList: {
    ids: idList("PaymentTypes_GetList"),
    active: async () => {
      const any = await records(LISTS.PaymentTypes_GetList, "");
      const active = ids(await records({ path: "/payment-types", base: "" }, "active=True"));
      await filters("PaymentTypes_GetList", [
        ["active=False", (r) => !active.includes(idOf(r))],
        ["active=True", (r) => active.includes(idOf(r))],
      ]);
      expect(active.length).toBeLessThan(any.length);
    },
    ...range("PaymentTypes_GetList", "createdOn", "createdOnOrAfter", "createdBefore"),
    ...paging("PaymentTypes_GetList"),
  },
  PaymentTerms_GetList: {
    ids: idList("PaymentTerms_GetList"),
    ...range("PaymentTerms_GetList", "createdOn", "createdOnOrAfter", "createdBefore"),
    ...range("PaymentTerms_GetList", "modifiedOn", "modifiedOnOrAfter", "modifiedBefore"),
    sort: sorted("PaymentTerms_GetList", "sort=-Name", (r) => text(r.name), true),
    ...paging("PaymentTerms_GetList"),
  },
  TaxZones_GetList: {
    ids: idList("TaxZones_GetList"),
    active: async () => {
      await filters("TaxZones_GetList", [
        ["active=False", (r) => r.active === false],
        ["active=True", (r) => r.active === true],
      ]);
    },
    ...range("TaxZones_GetList", "createdOn", "createdOnOrAfter", "createdBefore"),
    ...range("TaxZones_GetList", "modifiedOn", "modifiedOnOrAfter", "modifiedBefore"),
    sort: sorted("TaxZones_GetList", "sort=%2BName", (r) => text(r.name), false),
    ...paging("TaxZones_GetList"),
  },
  Invoices_GetCustomFieldTypes: {
    ...range("Invoices_GetCustomFieldTypes", "createdOn", "createdOnOrAfter", "createdBefore"),
    ...range("Invoices_GetCustomFieldTypes", "modifiedOn", "modifiedOnOrAfter", "modifiedBefore"),
    sort: sorted("Invoices_GetCustomFieldTypes", "sort=-Name", (r) => text(r.name), true),
    ...paging("Invoices_GetCustomFieldTypes"),
  },
  ApBills_GetListPaginated: {
    ...billProbes("ApBills_GetListPaginated"),
    statuses: listed("ApBills_GetListPaginated", "statuses", "status"),
    sources: listed("ApBills_GetListPaginated", "sources", "source"),
  },
  InventoryBills_GetList: (() => {
    const { includeTotal: _, ...probes } = billProbes("InventoryBills_GetList");
    return probes;
  })(),
  InventoryBills_GetListPaginated: billProbes("InventoryBills_GetListPaginated"),
};

/** Export feeds: `from` (a continueFrom token or a date) and `includeRecentChanges`. */
const FEEDS: Record<Extract<ListOperation, `Export_${string}`>, string> = {
  Export_Invoices: "/export/invoices",
  Export_Payments: "/export/payments",
  Export_InvoiceItems: "/export/invoice-items",
  Export_InventoryBills: "/export/inventory-bills",
};

async function feed(path: string, query: string) {
  const { status, body } = await read(path, query);
  expect(status, `${path}?${query}`).toBe(200);
  return {
    data: data({ body }) as Rec[],
    hasMore: at(body, "hasMore") === true,
    continueFrom: text(at(body, "continueFrom")),
  };
}

const feedProbes = (path: string): Probes => ({
  from: async () => {
    const first = await feed(path, "");
    expect(first.hasMore).toBe(true);
    const next = await feed(path, `from=${enc(first.continueFrom)}`);
    expect(next.data.length).toBeGreaterThan(0);
    const seen = new Set(first.data.map((r) => `${idOf(r)}@${text(r.modifiedOn)}`));
    expect(next.data.some((r) => seen.has(`${idOf(r)}@${text(r.modifiedOn)}`))).toBe(false);
    const lastOfFirst = time(first.data.at(-1)?.modifiedOn);
    expect(next.data.every((r) => time(r.modifiedOn) >= lastOfFirst)).toBe(true);
    // A date: records modified on or after it.
    const date = text(next.data[0]?.modifiedOn).slice(0, 10);
    const byDate = await feed(path, `from=${date}`);
    expect(byDate.data.every((r) => time(r.modifiedOn) >= time(`${date}T00:00:00Z`))).toBe(true);
    expect(byDate.data.length).toBeGreaterThan(0);
  },
  includeRecentChanges: async () => {
    let cursor = "";
    for (let call = 0; call < 50; call++) {
      const batch = await feed(path, cursor ? `from=${enc(cursor)}` : "");
      cursor = batch.continueFrom;
      if (!batch.hasMore) break;
    }
    // The setup's writes are a minute old: inside the 15-minute lag.
    const held = await feed(path, `from=${enc(cursor)}`);
    const recent = await feed(path, `from=${enc(cursor)}&includeRecentChanges=true`);
    expect(held.data).toEqual([]);
    expect(recent.data.length).toBeGreaterThan(0);
  },
});

const honoured = (op: string): readonly string[] =>
  Object.entries(HONOURED_QUERY).find(([name]) => name === op)?.[1] ?? [];

const probesOf = (op: string): Probes | undefined =>
  op in FEEDS
    ? feedProbes(Object.entries(FEEDS).find(([name]) => name === op)?.[1] ?? "")
    : Object.entries(PROBES).find(([name]) => name === op)?.[1];

/** Every (operation, parameter) the spec declares for the operations the simulator serves. */
const SPEC_PARAMETERS = IMPLEMENTED_OPERATIONS.flatMap((op) =>
  (specOperation(op).operation.parameters ?? [])
    .filter((parameter) => parameter.in === "query")
    .map((parameter) => [op, parameter.name] as const),
);

describe("every query parameter of every served operation", () => {
  it("is known: each operation with query parameters has its list of honoured ones", () => {
    const withQuery = [...new Set(SPEC_PARAMETERS.map(([op]) => op))];
    expect(withQuery.filter((op) => !(op in HONOURED_QUERY))).toEqual([]);
    // Nothing listed that the spec does not declare.
    for (const [op, names] of Object.entries(HONOURED_QUERY))
      for (const name of names) expect(SPEC_PARAMETERS, `${op} ${name}`).toContainEqual([op, name]);
    expect(SPEC_PARAMETERS.length).toBeGreaterThan(150);
  });

  it.each(SPEC_PARAMETERS)(
    "%s ?%s is honoured (a probe proves it) or refused with a 400 naming it",
    async (op, name) => {
      if (honoured(op).includes(name)) {
        const probe = probesOf(op)?.[name];
        expect(probe, `${op} honours ${name} but no probe proves it`).toBeTypeOf("function");
        await probe?.();
        return;
      }
      const path = [
        ...Object.entries(LISTS).map(([listName, list]) => [listName, list.path]),
        ...Object.entries(FEEDS),
      ].find(([listName]) => listName === op)?.[1];
      const value = name.startsWith("customField.Fields") ? `${name}[PO Number]=x` : `${name}=true`;
      const response = await s.get(`${path}?${value}`);
      expect(response.status, `${op} neither honours nor refuses ${name}`).toBe(400);
      expect(Object.keys((await response.json<Problem>()).errors)).toContain(name);
    },
  );
});

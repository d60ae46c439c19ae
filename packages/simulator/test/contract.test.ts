// Contract test: every response the simulator gives, over the seeded data and after writes, is
// validated against the effective spec's schema for that operation and status (the whole spec
// document is registered so its `#/components/schemas/...` references resolve). Statuses the
// spec does not declare (401, 403, 404, 429, 5xx) must still be ServiceTitan's error envelope.
import { dereference, type Schema, validate } from "@cfworker/json-schema";
import type { DetailedPayment, Invoice, PaymentType } from "@st-edge/servicetitan";
import { afterAll, describe, expect, it } from "vitest";
import accounting from "../../../specs/servicetitan/accounting-v2.effective.json" with { type: "json" };
import oauth from "../../../specs/servicetitan/oauth-token.json" with { type: "json" };
import { DEMO_TENANTS, IMPLEMENTED_OPERATIONS } from "../src/index.ts";
import { specOperation } from "../src/spec.ts";
import { type Session, session, testSimulator, tokenRequest } from "./helpers.ts";

const ACCOUNTING_ID = "https://specs.st-edge.local/accounting-v2.effective.json";
const OAUTH_ID = "https://specs.st-edge.local/oauth-token.json";
/** The document as a schema: examples dropped, since their `id` fields would read as schema ids. */
function withoutExamples(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExamples);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "example" && key !== "examples")
      .map(([key, child]) => [key, withoutExamples(child)]),
  );
}
const lookup = dereference({ ...Object(withoutExamples(accounting)), $id: ACCOUNTING_ID });
dereference({ ...Object(withoutExamples(oauth)), $id: OAUTH_ID }, lookup);

const probes = new Map<string, Schema>();
/** A schema that is just a reference into one of the registered documents, built once per target. */
function probe(documentId: string, pointer: string): Schema {
  const target = `${documentId}#${pointer}`;
  let schema = probes.get(target);
  if (!schema) {
    schema = { $id: `https://probes.st-edge.local/${probes.size}`, $ref: target };
    dereference(schema, lookup);
    probes.set(target, schema);
  }
  return schema;
}

const escapePointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
let validated = 0;
const byOperation = new Map<string, number>();
const failures: string[] = [];

function expectValid(what: string, schema: Schema, body: unknown) {
  const result = validate(body, schema, "2020-12", lookup, false);
  validated++;
  byOperation.set(what.split(" ")[0] ?? what, (byOperation.get(what.split(" ")[0] ?? what) ?? 0) + 1);
  if (!result.valid) {
    failures.push(
      `${what}: ${result.errors
        .slice(0, 3)
        .map((e) => `${e.instanceLocation} ${e.error}`)
        .join("; ")}`,
    );
  }
}

/** Validates one accounting response against the spec's declaration for its operation and status. */
async function conform(operationId: string, response: Response): Promise<unknown> {
  const { operation, path, method } = specOperation(operationId);
  const status = String(response.status);
  const declared = operation.responses[status];
  const text = await response.text();
  const what = `${operationId} ${status}`;
  if (declared && !declared.content) {
    expect(text, what).toBe("");
    validated++;
    return undefined;
  }
  expect(response.headers.get("Content-Type"), what).toContain("application/json");
  const body: unknown = JSON.parse(text);
  if (declared?.content?.["application/json"]?.schema) {
    const pointer = `/paths/${escapePointer(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
    expectValid(what, probe(ACCOUNTING_ID, pointer), body);
  } else {
    expect(response.status, `${what} is undeclared and must be an error`).toBeGreaterThanOrEqual(400);
    expectValid(what, probe(ACCOUNTING_ID, "/components/schemas/ApiErrorResponse"), body);
  }
  return body;
}

interface Listing<T> {
  hasMore: boolean;
  data: T[];
  continueFrom?: string;
}

const listing = <T>(body: unknown): Listing<T> => {
  if (typeof body !== "object" || body === null || !("data" in body) || !("hasMore" in body))
    throw new Error("not a listing");
  return {
    hasMore: body.hasMore === true,
    data: Array.isArray(body.data) ? body.data : [],
    ...("continueFrom" in body && typeof body.continueFrom === "string"
      ? { continueFrom: body.continueFrom }
      : {}),
  };
};

async function pages<T>(s: Session, operationId: string, path: string, pageSize: number): Promise<T[]> {
  const records: T[] = [];
  for (let page = 1; page < 100; page++) {
    const separator = path.includes("?") ? "&" : "?";
    const body = listing<T>(
      await conform(
        operationId,
        await s.get(`${path}${separator}page=${page}&pageSize=${pageSize}&includeTotal=${page === 1}`),
      ),
    );
    records.push(...body.data);
    if (!body.hasMore) return records;
  }
  throw new Error(`${path} never ends`);
}

/** Follows an export feed until caught up; returns the token to resume from. */
async function drain(
  s: Session,
  operationId: string,
  path: string,
  recent: boolean,
  start?: string,
): Promise<string | undefined> {
  let from = start;
  for (let call = 0; call < 20; call++) {
    const query = `${from ? `from=${encodeURIComponent(from)}&` : ""}includeRecentChanges=${recent}`;
    const body = listing<unknown>(await conform(operationId, await s.get(`${path}?${query}`)));
    from = body.continueFrom;
    if (!body.hasMore) return from;
  }
  throw new Error(`${path} never caught up`);
}

interface Cursors {
  invoices: string | undefined;
  payments: string | undefined;
  invoiceItems: string | undefined;
  inventoryBills: string | undefined;
}

/** Every read operation over all of a tenant's seeded data, with some filters and refusals on the way. */
async function readEverything(s: Session): Promise<Cursors> {
  await pages<Invoice>(s, "Invoices_GetList", "/invoices?activeState=All&sort=-ModifiedOn", 100);
  const invoiceFilters = [
    ...["Pending", "Posted", "Exported"].map((status) => `statuses=${status}`),
    ...[
      "JobInvoice",
      "ProjectInvoice",
      "CounterSales",
      "MembershipInvoice",
      "InterestChargeInvoice",
      "ARImportInvoice",
    ].map((configuration) => `invoiceConfigurations=${configuration}`),
    ...["Id", "ModifiedOn", "CreatedOn", "InvoiceDate"].flatMap((field) => [
      `sort=%2B${field}`,
      `sort=-${field}`,
    ]),
    "activeState=InactiveOnly",
    "balanceFilter.Balance=0&balanceFilter.Comparer=Equals",
    "modifiedOnOrAfter=2026-06-01T00:00:00Z",
  ];
  for (const filter of invoiceFilters)
    await conform("Invoices_GetList", await s.get(`/invoices?${filter}&pageSize=5`));
  for (const filter of [
    "statuses=Pending,Posted",
    "statuses=Exported",
    "sort=-ModifiedOn",
    "sort=%2BPaidOn",
    "activeState=InactiveOnly",
  ]) {
    await conform("Payments_GetList", await s.get(`/payments?${filter}&pageSize=5`));
  }
  await conform("Invoices_GetList", await s.get("/invoices?pageSize=0"));
  await conform("Invoices_GetList", await s.get("/invoices?ids=x"));
  const payments = await pages<DetailedPayment>(s, "Payments_GetList", "/payments?activeState=All", 100);
  await conform(
    "Payments_GetList",
    await s.get(`/payments?appliedToInvoiceIds=${payments[0]?.appliedTo?.[0]?.appliedTo ?? 1}`),
  );
  await conform("Payments_GetList", await s.get("/payments?statuses=Nope"));
  const types = await pages<PaymentType>(s, "PaymentTypes_GetList", "/payment-types?active=Any", 50);
  for (const type of types) await conform("PaymentTypes_Get", await s.get(`/payment-types/${type.id}`));
  await conform("PaymentTypes_Get", await s.get("/payment-types/1"));
  await conform("PaymentTypes_Get", await s.get("/payment-types/abc"));
  const terms = await pages<{ id?: number | null }>(
    s,
    "PaymentTerms_GetList",
    "/payment-terms?sort=+Name",
    50,
  );
  for (const term of terms)
    await conform("PaymentTerms_GetPaymentTermModel", await s.get(`/payment-terms/${term.id}`));
  await conform("PaymentTerms_GetPaymentTermModel", await s.get("/payment-terms/1"));
  await pages(s, "TaxZones_GetList", "/tax-zones?active=Any", 3);
  await conform("TaxZones_GetList", await s.get("/tax-zones?sort=Color"));
  const bills = await pages<{ id: number }>(s, "ApBills_GetListPaginated", "/ap-bills?billType=NotSet", 40);
  await conform("ApBills_GetListPaginated", await s.get("/ap-bills?statuses=Lost"));
  for (const bill of bills) await conform("ApBills_GetById", await s.get(`/ap-bills/${bill.id}`));
  await conform("ApBills_GetById", await s.get("/ap-bills/1"));
  await conform("ApBills_GetById", await s.get("/ap-bills/x"));
  await conform("Export_Invoices", await s.get("/export/invoices?from=garbage"));
  await pages(s, "Invoices_GetCustomFieldTypes", "/invoices/custom-fields?sort=-Name", 2);
  await conform("Invoices_GetCustomFieldTypes", await s.get("/invoices/custom-fields?sort=Color"));
  await conform("Invoices_GetList", await s.get("/invoices?customField.Fields[PO Number]=x&pageSize=5"));
  await conform("Invoices_GetList", await s.get("/invoices?customField.Fields=PO"));
  await pages(s, "InventoryBills_GetListPaginated", "/inventory-bills/paginated?billType=NotSet", 40);
  await conform("InventoryBills_GetList", await s.get("/inventory-bills?pageSize=20"));
  await conform("InventoryBills_GetList", await s.get("/inventory-bills?includeTotal=true"));
  await conform("ApBills_GetListPaginated", await s.get("/ap-bills?purchaseOrderTypes=Standard,Drop Ship"));
  await conform("ApBills_GetListPaginated", await s.get("/ap-bills?purchaseOrderTypes=Nope"));
  return {
    invoices: await drain(s, "Export_Invoices", "/export/invoices", false),
    payments: await drain(s, "Export_Payments", "/export/payments", false),
    invoiceItems: await drain(s, "Export_InvoiceItems", "/export/invoice-items", false),
    inventoryBills: await drain(s, "Export_InventoryBills", "/export/inventory-bills", false),
  };
}

const idOf = (body: unknown): number | undefined => (typeof body === "number" ? body : undefined);

/** Invoice and bill writes of every kind, successful and refused (locks, unknown ids, bad bodies). */
async function writeInvoicesAndBills(s: Session, open: Invoice[]): Promise<number[]> {
  const pending = listing<Invoice>(
    await conform("Invoices_GetList", await s.get("/invoices?statuses=Pending&pageSize=6")),
  ).data;
  const exported = listing<Invoice>(
    await conform("Invoices_GetList", await s.get("/invoices?statuses=Exported&pageSize=2")),
  ).data;
  const [first, second, third] = pending;
  const firstItem = first?.items?.[0];
  await conform(
    "Invoices_UpdateInvoice",
    await s.patch(`/invoices/${first?.id}`, {
      summary: "<p>contract</p>",
      dueDate: "2026-12-31",
      exportId: "X-1",
    }),
  );
  await conform(
    "Invoices_UpdateInvoice",
    await s.patch(`/invoices/${first?.id}`, { dueDate: "2026-12-31T00:00:00Z" }),
  );
  await conform("Invoices_UpdateInvoice", await s.patch("/invoices/1", { summary: "nobody" }));
  await conform(
    "Invoices_UpdateInvoiceItems",
    await s.patch(`/invoices/${first?.id}/items`, {
      id: firstItem?.id,
      description: "<p>changed</p>",
      quantity: 2,
    }),
  );
  await conform(
    "Invoices_UpdateInvoiceItems",
    await s.patch(`/invoices/${second?.id}/items`, {
      skuName: "SVC-DIAG",
      description: "Trip fee",
      quantity: 1,
      unitPrice: 45,
    }),
  );
  await conform(
    "Invoices_UpdateInvoiceItems",
    await s.patch(`/invoices/${second?.id}/items`, [{ quantity: 1 }]),
  );
  await conform(
    "Invoices_UpdateInvoiceItems",
    await s.patch(`/invoices/${exported[0]?.id}/items`, {
      id: exported[0]?.items?.[0]?.id,
      description: "x",
      quantity: 1,
    }),
  );
  const thirdItem = third?.items?.[0];
  await conform(
    "Invoices_DeleteInvoiceItem",
    await s.request("DELETE", `/invoices/${third?.id}/items/${thirdItem?.id}`),
  );
  await conform("Invoices_DeleteInvoiceItem", await s.request("DELETE", `/invoices/${third?.id}/items/1`));
  const adjustment = idOf(
    await conform(
      "Invoices_CreateAdjustmentInvoice",
      await s.post("/invoices", {
        adjustmentToId: exported[0]?.id,
        summary: "<p>Write-off [ste:contract]</p>",
        items: [{ skuName: "PM-PROMO", description: "Goodwill", quantity: 1 }],
      }),
    ),
  );
  await conform("Invoices_CreateAdjustmentInvoice", await s.post("/invoices", { summary: "no original" }));
  await conform("Invoices_CreateAdjustmentInvoice", await s.post("/invoices", { adjustmentToId: 1 }));
  await conform(
    "Invoices_CreateAdjustmentInvoice",
    await s.post(
      "/invoices",
      { adjustmentToId: exported[1]?.id, number: "ADJ-contract" },
      {
        headers: { "X-Sim-Fault": "commit-then-fail" },
      },
    ),
  );
  await conform(
    "Invoices_MarkAsExported",
    await s.post("/invoices/markasexported", [
      { invoiceId: second?.id, externalId: "QB-1", externalMessage: "ok" },
      { invoiceId: 1 },
    ]),
  );
  await conform(
    "Invoices_MarkAsExported",
    await s.post("/invoices/markasexported", { invoiceId: second?.id }),
  );
  await conform(
    "Invoices_UpdateCustomFields",
    await s.patch("/invoices/custom-fields", {
      operations: [{ objectId: first?.id, customFields: [{ name: "Ledger Ref", value: "LR-1" }] }],
    }),
  );
  await conform(
    "Invoices_UpdateCustomFields",
    await s.patch("/invoices/custom-fields", {
      operations: [{ objectId: first?.id, customFields: [{ name: "Colour", value: "red" }] }],
    }),
  );
  const bills = listing<{ id: number }>(
    await conform("ApBills_GetListPaginated", await s.get("/ap-bills?billType=NotSet&pageSize=4")),
  ).data;
  const billIds = bills.map((bill) => bill.id);
  await conform(
    "ApBills_MarkAsExported",
    await s.post("/ap-bills/markasexported", { billIds: [...billIds.slice(0, 2), 1] }),
  );
  await conform("ApBills_MarkAsExported", await s.post("/ap-bills/markasexported", { ids: billIds }));
  await conform(
    "InventoryBills_MarkAsExported",
    await s.post("/inventory-bills/markasexported", { inventoryBillIds: [...billIds.slice(2), 1] }),
  );
  await conform("InventoryBills_MarkAsExported", await s.post("/inventory-bills/markasexported", "[]"));
  await conform("ApBills_GetById", await s.get(`/ap-bills/${billIds[0]}`));
  return [first, second, third, ...exported, ...open.slice(0, 1)]
    .map((invoice) => invoice?.id)
    .concat(adjustment === undefined ? [] : [adjustment])
    .filter((id) => id !== undefined);
}

/** Writes of every kind, successful and refused, and the error envelopes faults produce. */
async function writeThings(s: Session): Promise<{ invoiceIds: number[]; paymentIds: number[] }> {
  const open = listing<Invoice>(
    await conform(
      "Invoices_GetList",
      await s.get("/invoices?balanceFilter.Balance=10&balanceFilter.Comparer=Greater&pageSize=10"),
    ),
  ).data;
  const [type] = listing<PaymentType>(
    await conform("PaymentTypes_GetList", await s.get("/payment-types")),
  ).data;
  const created: number[] = [];
  for (const invoice of open.slice(0, 8)) {
    const body = {
      typeId: type?.id,
      memo: "contract",
      splits: [{ invoiceNumber: invoice.referenceNumber, amount: 1.5 }],
    };
    const response = await conform("Payments_Create", await s.post("/payments", body));
    if (
      typeof response === "object" &&
      response !== null &&
      "id" in response &&
      typeof response.id === "number"
    )
      created.push(response.id);
  }
  await conform(
    "Payments_Create",
    await s.post("/payments", { typeId: type?.id, amount: 42, customerId: open[0]?.customer?.id }),
  );
  await conform(
    "Payments_Create",
    await s.post("/payments", { typeId: type?.id, splits: [{ invoiceId: 1, amount: 1 }] }),
  );
  await conform("Payments_Create", await s.post("/payments", "{not json"));
  for (const [index, id] of created.slice(0, 4).entries()) {
    const body = { typeId: type?.id, checkNumber: "77", splits: [{ invoiceId: open[index]?.id, amount: 1 }] };
    await conform("Payments_Update", await s.patch(`/payments/${id}`, body));
  }
  await conform("Payments_Update", await s.patch(`/payments/${created[0]}`, { memo: "no splits" }));
  await conform("Payments_Update", await s.patch("/payments/1", { typeId: type?.id, splits: [] }));
  await conform(
    "Payments_UpdateStatus",
    await s.post("/payments/status", { paymentIds: created, status: "Posted" }),
  );
  await conform(
    "Payments_UpdateStatus",
    await s.post("/payments/status", { paymentIds: [1], status: "Posted" }),
  );
  for (const fault of ["status=429", "status=503", "not-licensed"]) {
    await conform("Invoices_GetList", await s.get("/invoices", { headers: { "X-Sim-Fault": fault } }));
  }
  const failed = await s.post(
    "/payments",
    { typeId: type?.id, amount: 5 },
    { headers: { "X-Sim-Fault": "commit-then-fail=502" } },
  );
  await conform("Payments_Create", failed);
  await conform("Invoices_GetList", await s.get("/invoices", { headers: { Authorization: "stale" } }));
  const invoiceIds = await writeInvoicesAndBills(s, open);
  return {
    invoiceIds: [...new Set([...open.slice(0, 8).map((invoice) => invoice.id), ...invoiceIds])],
    paymentIds: created,
  };
}

/** The records the writes changed, through every read that shows them. */
async function readChanges(
  s: Session,
  changed: { invoiceIds: number[]; paymentIds: number[] },
  cursors: Cursors,
) {
  await conform("Invoices_GetList", await s.get(`/invoices?ids=${changed.invoiceIds.join(",")}`));
  await conform("Payments_GetList", await s.get(`/payments?ids=${changed.paymentIds.join(",")}`));
  await conform(
    "Payments_GetList",
    await s.get(`/payments?appliedToInvoiceIds=${changed.invoiceIds.join(",")}`),
  );
  await conform(
    "Invoices_GetList",
    await s.get(`/invoices?ids=${changed.invoiceIds.join(",")}&activeState=All`),
  );
  await drain(s, "Export_Invoices", "/export/invoices", true, cursors.invoices);
  await drain(s, "Export_Payments", "/export/payments", true, cursors.payments);
  await drain(s, "Export_InvoiceItems", "/export/invoice-items", true, cursors.invoiceItems);
  await drain(s, "Export_InventoryBills", "/export/inventory-bills", true, cursors.inventoryBills);
}

describe("contract", () => {
  afterAll(() => {
    console.log(
      `contract: ${validated} responses validated against the spec`,
      Object.fromEntries(byOperation),
    );
  });

  it("every implemented operation answers what the effective spec declares, before and after writes", {
    timeout: 30_000,
  }, async () => {
    // The second tenant is smaller: validating is slow (~1.5 ms a record) and its data has the same shapes.
    const { sim } = testSimulator({
      tenants: DEMO_TENANTS.map((tenant, index) => (index === 0 ? tenant : { ...tenant, invoiceCount: 60 })),
    });
    for (const [tenant, clientId, secret] of [
      [1000001, "demo-client", "demo-secret"],
      [2000002, "other-client", "other-secret"],
    ] as const) {
      const s = await session(sim, tenant, clientId, secret);
      const cursors = await readEverything(s);
      const changed = await writeThings(s);
      await readChanges(s, changed, cursors);
    }
    expect(failures).toEqual([]);
    for (const operationId of IMPLEMENTED_OPERATIONS)
      expect(byOperation.get(operationId), operationId).toBeGreaterThan(0);
    expect(validated).toBeGreaterThan(300);
  });

  it("the token endpoint answers what oauth-token.json declares", async () => {
    const { sim } = testSimulator();
    const check = async (body: string, status: number, schema: string) => {
      const response = await sim.fetch(tokenRequest(body));
      expect(response.status).toBe(status);
      expectValid(
        `OAuth_Token ${status}`,
        probe(OAUTH_ID, `/components/schemas/${schema}`),
        await response.json(),
      );
    };
    await check(
      "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret",
      200,
      "TokenResponse",
    );
    await check("grant_type=client_credentials&client_id=demo-client&client_secret=wrong", 401, "TokenError");
    await check(
      "grant_type=authorization_code&client_id=demo-client&client_secret=demo-secret",
      400,
      "TokenError",
    );
    await check("client_id=demo-client", 400, "TokenError");
    expect(failures).toEqual([]);
  });
});

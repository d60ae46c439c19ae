// Invoice maintenance as the spec describes it: PATCH /invoices/{id} changes only what it is
// given, item changes reprice the invoice exactly (tax per rate, half-up), deletions reach the
// invoice-items feed as inactive, adjustments are new invoices that keep every field they were
// created with, export marks answer per invoice, custom fields round-trip, and the invoice locks
// refuse changes the way ServiceTitan would (a 400 whose title says why).
import {
  Decimal,
  type ExportInvoice,
  type Invoice,
  type InvoiceItem,
  type TaxZone,
} from "@st-edge/servicetitan";
import { beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.ts";
import {
  allPages,
  type FakeClock,
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

const money = (text: string | null | undefined) => Decimal.parse(text ?? "0");

async function invoice(id: number): Promise<Invoice> {
  const [found] = (await (await s.get(`/invoices?ids=${id}&activeState=All`)).json<{ data: Invoice[] }>())
    .data;
  if (!found) throw new Error(`no invoice ${id}`);
  return found;
}

async function some(query: string): Promise<Invoice[]> {
  return (await (await s.get(`/invoices?${query}&pageSize=200`)).json<{ data: Invoice[] }>()).data;
}

/** An invoice's tax computed from scratch: each rate on the taxable items of its bases, half-up to cents. */
async function expectedTax(zoneId: number | null | undefined, items: InvoiceItem[]): Promise<Decimal> {
  const zones = await allPages<TaxZone>(s, "/tax-zones?active=Any");
  const zone = zones.find((candidate) => candidate.id === zoneId);
  return Decimal.sum(
    (zone?.rates ?? []).map((rate) => {
      const bases = rate.taxBaseType ?? [];
      const base = Decimal.sum(
        items
          .filter((item) => item.taxable)
          .filter(
            (item) =>
              bases.includes("Subtotal") ||
              (bases.includes("Labor") && item.type === "Service") ||
              (bases.includes("Material") && ["Material", "Equipment"].includes(item.type)),
          )
          .map((item) => money(item.total)),
      );
      return base.times(Decimal.fromNumber(rate.taxRate)).round(2, "half-up");
    }),
  );
}

/** Totals add up: items → subtotal, rates → tax, total = subtotal + tax, balance = total − applied. */
async function expectConsistent(found: Invoice): Promise<void> {
  const items = found.items ?? [];
  for (const item of items)
    expect(item.total).toBe(money(item.quantity).times(money(item.price)).toFixed(2, "half-up"));
  expect(found.subTotal).toBe(Decimal.sum(items.map((item) => money(item.total))).toFixed(2));
  expect(found.salesTax).toBe((await expectedTax(found.taxZoneId, items)).toFixed(2));
  expect(found.total).toBe(money(found.subTotal).plus(money(found.salesTax)).toFixed(2));
  const applied = sim.ledger(TENANT).invoices.find((entry) => entry.id === found.id)?.applied ?? "0.00";
  expect(found.balance).toBe(money(found.total).minus(money(applied)).toFixed(2));
}

const problem = async (response: Response, status = 400) => {
  expect(response.status).toBe(status);
  return response.json<Problem>();
};

const stamp = () => new Date(clock.now()).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");

describe("PATCH /invoices/{id}", () => {
  it("changes only the fields given, stamps modifiedOn, and shows in modifiedOnOrAfter and the feed", async () => {
    const [target] = await some("statuses=Exported");
    if (!target) throw new Error("no exported invoice");
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    const assignee = (await some("activeState=All")).find((i) => i.assignedTo)?.assignedTo;
    const body = {
      summary: "<p>Discount &amp; fee — “after the job” [ste:7f3a]</p>",
      dueDate: "2027-01-31",
      exportId: "QB-INV-77",
      reviewStatus: "Reviewed",
      royaltyMemo: "kept exactly",
      number: `${target.referenceNumber}-R`,
      assignedToId: assignee?.id,
    };
    expect((await s.patch(`/invoices/${target.id}`, body)).status).toBe(200);
    const after = await invoice(target.id);
    expect(after).toEqual({
      ...target,
      summary: body.summary,
      dueDate: "2027-01-31T00:00:00Z",
      exportId: "QB-INV-77",
      reviewStatus: "Reviewed",
      referenceNumber: body.number,
      royalty: { ...target.royalty, memo: "kept exactly" },
      assignedTo: assignee,
      modifiedOn: stamp(),
    });
    expect((await some(`modifiedOnOrAfter=${since}&activeState=All`)).map((i) => i.id)).toEqual([target.id]);
    const feed = await (await s.get(`/export/invoices?from=${since}&includeRecentChanges=true`)).json<{
      data: ExportInvoice[];
    }>();
    expect(feed.data.map((i) => i.id)).toEqual([target.id]);
    expect((await some(`number=${encodeURIComponent(body.number)}`)).map((i) => i.id)).toEqual([target.id]);
  });

  it("refuses what the spec or the tenant's data does not allow, field by field, and changes nothing", async () => {
    const [target, other] = await some("statuses=Pending");
    const before = await invoice(target?.id ?? 0);
    const body = await problem(
      await s.patch(`/invoices/${target?.id}`, {
        dueDate: "2027-01-31T00:00:00Z",
        typeId: 1,
        assignedToId: 2,
        taxZoneId: 3,
        number: other?.referenceNumber,
        subtotal: 1.005,
      }),
    );
    expect(Object.keys(body.errors).sort()).toEqual(["dueDate"]);
    const second = await problem(
      await s.patch(`/invoices/${target?.id}`, {
        typeId: 1,
        assignedToId: 2,
        taxZoneId: 3,
        number: other?.referenceNumber,
        subtotal: 1.005,
      }),
    );
    expect(Object.keys(second.errors).sort()).toEqual([
      "assignedToId",
      "number",
      "subtotal",
      "taxZoneId",
      "typeId",
    ]);
    expect(await invoice(target?.id ?? 0)).toEqual(before);
    await problem(await s.patch("/invoices/1", { summary: "x" }), 404);
    await problem(await s.patch(`/invoices/${target?.id}`, "[]"));
  });

  it("sets subtotal and tax directly when given: total follows, balance too", async () => {
    const [target] = await some("statuses=Pending&balanceFilter.Balance=0&balanceFilter.Comparer=Greater");
    expect((await s.patch(`/invoices/${target?.id}`, { subtotal: 100.1, tax: 8.26 })).status).toBe(200);
    const after = await invoice(target?.id ?? 0);
    expect(after).toMatchObject({ subTotal: "100.10", salesTax: "8.26", total: "108.36" });
    const applied = sim.ledger(TENANT).invoices.find((entry) => entry.id === target?.id)?.applied ?? "0";
    expect(after.balance).toBe(money("108.36").minus(money(applied)).toFixed(2));
  });

  it("recomputes tax in a new tax zone", async () => {
    const [target] = await some("statuses=Pending");
    const zones = await allPages<TaxZone>(s, "/tax-zones");
    const zone = zones.find((candidate) => candidate.id !== target?.taxZoneId && candidate.rates.length > 1);
    expect((await s.patch(`/invoices/${target?.id}`, { taxZoneId: zone?.id })).status).toBe(200);
    const after = await invoice(target?.id ?? 0);
    expect(after.taxZoneId).toBe(zone?.id);
    expect(after.salesTaxCode?.name).toBe(zone?.name);
    await expectConsistent(after);
  });
});

describe("invoice items", () => {
  it("changes an item: the line and the invoice are repriced exactly", async () => {
    const [target] = await some("statuses=Pending");
    const item = target?.items?.[0];
    clock.advance(1_000);
    const response = await s.patch(`/invoices/${target?.id}/items`, {
      id: item?.id,
      description: "<p>Two of them</p>",
      quantity: 2.5,
      unitPrice: 33.33,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const after = await invoice(target?.id ?? 0);
    const changed = after.items?.find((candidate) => candidate.id === item?.id);
    expect(changed).toMatchObject({
      description: "<p>Two of them</p>",
      quantity: "2.5",
      price: "33.33",
      total: "83.33",
      modifiedOn: stamp(),
    });
    await expectConsistent(after);
  });

  it("adds an item from the price book when no id is given (UNCONFIRMED reading of the spec)", async () => {
    const [target] = await some("statuses=Pending");
    const count = target?.items?.length ?? 0;
    expect(
      (
        await s.patch(`/invoices/${target?.id}/items`, {
          skuName: "MAT-CAP",
          description: "Capacitor",
          quantity: 3,
        })
      ).status,
    ).toBe(200);
    const after = await invoice(target?.id ?? 0);
    expect(after.items).toHaveLength(count + 1);
    expect(after.items?.at(-1)).toMatchObject({
      skuName: "MAT-CAP",
      description: "Capacitor",
      quantity: "3",
      price: "38.50",
      total: "115.50",
      type: "Material",
      taxable: true,
      order: Math.max(...(target?.items ?? []).map((i) => i.order)) + 1,
    });
    await expectConsistent(after);
    const refused = await problem(
      await s.patch(`/invoices/${target?.id}/items`, { description: "no sku", quantity: 1 }),
    );
    expect(Object.keys(refused.errors)).toEqual(["skuId"]);
    const unknown = await problem(
      await s.patch(`/invoices/${target?.id}/items`, { id: 1, description: "x", quantity: 1 }),
    );
    expect(unknown.errors.id?.[0]).toContain("was not found on invoice");
    // The spec's body is one InvoiceItemUpdateRequest, not a list.
    await problem(
      await s.patch(`/invoices/${target?.id}/items`, [{ skuName: "MAT-CAP", description: "x", quantity: 1 }]),
    );
  });

  it("deletes an item: totals drop, and the invoice-items feed reports it inactive", async () => {
    const [target] = (await some("statuses=Pending")).filter((i) => (i.items?.length ?? 0) > 1);
    const item = target?.items?.[1];
    const since = new Date(clock.now()).toISOString();
    clock.advance(1_000);
    expect((await s.request("DELETE", `/invoices/${target?.id}/items/${item?.id}`)).status).toBe(200);
    const after = await invoice(target?.id ?? 0);
    expect(after.items?.map((i) => i.id)).toEqual(
      target?.items?.filter((i) => i.id !== item?.id).map((i) => i.id),
    );
    await expectConsistent(after);
    const feed = await (await s.get(`/export/invoice-items?from=${since}&includeRecentChanges=true`)).json<{
      data: (InvoiceItem & { active: boolean; invoiceId: number })[];
    }>();
    expect(feed.data).toContainEqual(
      expect.objectContaining({ id: item?.id, invoiceId: target?.id, active: false, modifiedOn: stamp() }),
    );
    await problem(await s.request("DELETE", `/invoices/${target?.id}/items/${item?.id}`), 404);
    await problem(await s.request("DELETE", `/invoices/1/items/${item?.id}`), 404);
  });

  it("PATCH /invoices/{id} takes items too, changed and added in one go", async () => {
    const [target] = await some("statuses=Pending");
    const item = target?.items?.[0];
    const response = await s.patch(`/invoices/${target?.id}`, {
      items: [
        { id: item?.id, description: "changed", quantity: 1 },
        { skuName: "SVC-DIAG", description: "Trip fee", quantity: 1 },
      ],
    });
    expect(response.status).toBe(200);
    const after = await invoice(target?.id ?? 0);
    expect(after.items?.map((i) => i.description)).toEqual([
      "changed",
      ...(target?.items ?? []).slice(1).map((i) => i.description),
      "Trip fee",
    ]);
    await expectConsistent(after);
    const bad = await problem(
      await s.patch(`/invoices/${target?.id}`, {
        items: [{ skuName: "NOPE", description: "x", quantity: 1 }],
      }),
    );
    expect(Object.keys(bad.errors)).toEqual(["items[0].skuName"]);
  });
});

describe("invoice locks (UNCONFIRMED, configurable)", () => {
  it("by default refuses item changes on posted and exported invoices, but not other fields", async () => {
    const [exported] = await some("statuses=Exported");
    const [posted] = await some("statuses=Posted");
    const refused = await problem(
      await s.patch(`/invoices/${exported?.id}/items`, {
        id: exported?.items?.[0]?.id,
        description: "x",
        quantity: 9,
      }),
    );
    expect(refused.title).toBe(
      `Invoice ${exported?.id} is exported; its items and amounts cannot be changed.`,
    );
    expect(refused.data).toEqual({ invoiceId: exported?.id, reason: "Exported" });
    expect(
      (await problem(await s.request("DELETE", `/invoices/${posted?.id}/items/${posted?.items?.[0]?.id}`)))
        .title,
    ).toContain("is posted");
    await problem(await s.patch(`/invoices/${posted?.id}`, { subtotal: 1 }));
    expect((await s.patch(`/invoices/${exported?.id}`, { summary: "<p>ok</p>" })).status).toBe(200);
  });

  it("follows the configured locks: none, fields of exported invoices, fully paid ones", async () => {
    const [exported] = await some("statuses=Exported");
    sim.configure({ invoiceLocks: { items: [], fields: ["Exported"] } });
    expect(
      (
        await s.patch(`/invoices/${exported?.id}/items`, {
          id: exported?.items?.[0]?.id,
          description: "x",
          quantity: 1,
        })
      ).status,
    ).toBe(200);
    expect((await problem(await s.patch(`/invoices/${exported?.id}`, { summary: "x" }))).title).toBe(
      `Invoice ${exported?.id} is exported; it cannot be updated.`,
    );
    sim.configure({ invoiceLocks: { items: ["Paid"], fields: [] } });
    const paid = sim
      .ledger(TENANT)
      .invoices.find((entry) => entry.active && entry.paymentIds.length > 0 && money(entry.balance).isZero());
    const paidInvoice = await invoice(paid?.id ?? 0);
    expect(
      (
        await problem(
          await s.patch(`/invoices/${paid?.id}/items`, {
            id: paidInvoice.items?.[0]?.id,
            description: "x",
            quantity: 2,
          }),
        )
      ).title,
    ).toContain("is fully paid");
  });

  it("refuses any change to an inactive invoice", async () => {
    const [inactive] = await some("activeState=InactiveOnly");
    expect((await problem(await s.patch(`/invoices/${inactive?.id}`, { summary: "x" }))).title).toContain(
      "inactive",
    );
  });
});

describe("POST /invoices (adjustment invoices)", () => {
  it("creates a new invoice for the original's customer, answers its id, and keeps every field given", async () => {
    const [original] = await some("statuses=Exported");
    const summary = "<p>Write-off \u00e9\u00e8 <b>bold</b> [ste:4c1e9a]</p>";
    const response = await s.post("/invoices", {
      adjustmentToId: original?.id,
      summary,
      exportId: "EXT-ADJ-1",
      royaltyMemo: "memo as sent",
      items: [{ skuName: "PM-PROMO", description: "Goodwill credit", quantity: 1 }],
    });
    expect(response.status).toBe(200);
    const id = await response.json<number>();
    expect(Number.isSafeInteger(id)).toBe(true);
    const created = await invoice(id);
    expect(created).toMatchObject({
      adjustmentToId: original?.id,
      summary,
      exportId: "EXT-ADJ-1",
      royalty: { memo: "memo as sent" },
      customer: original?.customer,
      location: original?.location,
      job: original?.job,
      taxZoneId: original?.taxZoneId,
      syncStatus: "Pending",
      active: true,
      total: "-50.00",
      balance: "-50.00",
      createdOn: stamp(),
    });
    expect(created.referenceNumber).toMatch(new RegExp(`^${original?.referenceNumber}-\\d+$`));
    await expectConsistent(created);
    expect((await some(`adjustmentToId=${original?.id}`)).map((i) => i.id)).toContain(id);
    const numbered = await s.post("/invoices", { adjustmentToId: original?.id, number: "ADJ-42" });
    expect((await invoice(await numbered.json<number>())).referenceNumber).toBe("ADJ-42");
  });

  it("refuses a missing, unknown or adjusted original, and items that name an existing item", async () => {
    expect(Object.keys((await problem(await s.post("/invoices", { summary: "x" }))).errors)).toEqual([
      "adjustmentToId",
    ]);
    expect(
      (await problem(await s.post("/invoices", { adjustmentToId: 1 }))).errors.adjustmentToId?.[0],
    ).toContain("was not found");
    const [adjustment] = (await some("activeState=All")).filter((i) => i.adjustmentToId !== null);
    expect(
      (await problem(await s.post("/invoices", { adjustmentToId: adjustment?.id }))).errors
        .adjustmentToId?.[0],
    ).toContain("itself an adjustment");
    const [original] = await some("statuses=Exported");
    const withId = await problem(
      await s.post("/invoices", {
        adjustmentToId: original?.id,
        items: [{ id: 5, description: "x", quantity: 1 }],
      }),
    );
    expect(Object.keys(withId.errors)).toEqual(["items[0].id"]);
    expect(
      sim.ledger(TENANT).invoices.filter((i) => i.adjustmentToId === original?.id && i.id > 11000300),
    ).toEqual([]);
  });

  it("applies the create when the answer is lost (commit-then-drop, commit-then-fail), not when the fault answers first", async () => {
    const [original] = await some("statuses=Exported");
    const create = (marker: string, fault: string) =>
      s.post(
        "/invoices",
        { adjustmentToId: original?.id, summary: `<p>[ste:${marker}]</p>` },
        { headers: { "X-Sim-Fault": fault } },
      );
    await expect(create("dropped", "commit-then-drop")).rejects.toThrow(TypeError);
    expect((await create("failed", "commit-then-fail=502")).status).toBe(502);
    expect((await create("refused", "status=503")).status).toBe(503);
    const summaries = (await some(`adjustmentToId=${original?.id}`)).map((i) => i.summary);
    expect(summaries).toEqual(expect.arrayContaining(["<p>[ste:dropped]</p>", "<p>[ste:failed]</p>"]));
    expect(summaries).not.toContain("<p>[ste:refused]</p>");
  });
});

describe("POST /invoices/markasexported", () => {
  it("answers per invoice, marks what it can, and the marks show on later reads", async () => {
    const [pending] = await some("statuses=Pending");
    const [inactive] = await some("activeState=InactiveOnly");
    clock.advance(1_000);
    const response = await s.post("/invoices/markasexported", [
      { invoiceId: pending?.id, externalId: "QB-1001", externalMessage: "Synced to QuickBooks" },
      { invoiceId: 31337 },
      { invoiceId: inactive?.id, externalId: "QB-X" },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { invoiceId: pending?.id, success: true, errorMessage: null },
      { invoiceId: 31337, success: false, errorMessage: "Invoice 31337 was not found." },
      { invoiceId: inactive?.id, success: false, errorMessage: `Invoice ${inactive?.id} is inactive.` },
    ]);
    expect(await invoice(pending?.id ?? 0)).toMatchObject({
      syncStatus: "Exported",
      exportId: "QB-1001",
      modifiedOn: stamp(),
    });
    expect(sim.ledger(TENANT).invoices.find((entry) => entry.id === pending?.id)?.exportMessage).toBe(
      "Synced to QuickBooks",
    );
    expect((await invoice(inactive?.id ?? 0)).exportId).toBe(inactive?.exportId);
    // Marking again succeeds; without an externalId the export id stays.
    expect(await (await s.post("/invoices/markasexported", [{ invoiceId: pending?.id }])).json()).toEqual([
      { invoiceId: pending?.id, success: true, errorMessage: null },
    ]);
    expect((await invoice(pending?.id ?? 0)).exportId).toBe("QB-1001");
    await problem(await s.post("/invoices/markasexported", [{ externalId: "no invoice id" }]));
  });
});

describe("invoice custom fields", () => {
  it("lists the tenant's types, sets, replaces and clears values, and the filter finds them", async () => {
    const types = await (await s.get("/invoices/custom-fields")).json<{
      data: { name: string; dataType: string }[];
    }>();
    expect(types.data.map((type) => [type.name, type.dataType])).toEqual([
      ["PO Number", "Text"],
      ["Ledger Ref", "Text"],
      ["Job Source", "Dropdown"],
      ["Warranty Months", "Numeric"],
    ]);
    const [target] = await some("statuses=Exported");
    const response = await s.patch("/invoices/custom-fields", {
      operations: [
        {
          objectId: target?.id,
          customFields: [
            { name: "po number", value: "PO-2405" },
            { name: "Job Source", value: "Referral" },
            { name: "Ledger Ref", value: null },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const fields = (await invoice(target?.id ?? 0)).customFields ?? [];
    expect(fields).toContainEqual({ name: "PO Number", value: "PO-2405" });
    expect(fields).toContainEqual({ name: "Job Source", value: "Referral" });
    expect(fields.map((field) => field.name)).not.toContain("Ledger Ref");
    expect((await some("customField.Fields[PO Number]=PO-2405")).map((i) => i.id)).toEqual([target?.id]);
    const bad = await problem(
      await s.patch("/invoices/custom-fields", {
        operations: [
          {
            objectId: target?.id,
            customFields: [
              { name: "Colour", value: "red" },
              { name: "Job Source", value: "TV" },
            ],
          },
          { objectId: 1, customFields: [{ name: "Warranty Months", value: "twelve" }] },
        ],
      }),
    );
    expect(Object.keys(bad.errors).sort()).toEqual([
      "operations[0].customFields[0].name",
      "operations[0].customFields[1].value",
      "operations[1].customFields[0].value",
      "operations[1].objectId",
    ]);
  });
});

describe("faults reach the new operations by operationId", () => {
  it("a tenant rule fails one item change, and nothing changes", async () => {
    const [target] = await some("statuses=Pending");
    sim.setFaults(TENANT, [{ fault: "status=503", operationId: "Invoices_UpdateInvoiceItems", times: 1 }]);
    const change = () =>
      s.patch(`/invoices/${target?.id}/items`, { id: target?.items?.[0]?.id, description: "x", quantity: 7 });
    expect((await change()).status).toBe(503);
    expect((await invoice(target?.id ?? 0)).items?.[0]?.quantity).toBe(target?.items?.[0]?.quantity);
    expect((await change()).status).toBe(200);
    expect((await invoice(target?.id ?? 0)).items?.[0]?.quantity).toBe("7");
    expect(sim.stats().faults["status:503"]).toBe(1);
  });
});

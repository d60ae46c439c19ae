// The journal: every committed write is reported once, in order, with the time it happened; a
// simulator rebuilt from the anchor and the journal holds exactly what the original held (ledger,
// invoices, payments, bills, feeds); refused writes leave nothing to replay; reset clears it.
import type { Invoice } from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { createSimulator, type JournalEntry, type Simulator } from "../src/index.ts";
import { fakeClock, OTHER_TENANT, type Session, session, TENANT } from "./helpers.ts";

function journaled(): { entries: JournalEntry[]; journal: { append(e: JournalEntry): void; clear(): void } } {
  const entries: JournalEntry[] = [];
  return {
    entries,
    journal: {
      append: (entry) => entries.push(structuredClone(entry)),
      clear: () => entries.splice(0),
    },
  };
}

/** Every read whose answer a replay must reproduce, as text. */
async function everything(sim: Simulator, s: Session): Promise<string[]> {
  const paths = [
    "/invoices?activeState=All&pageSize=5000",
    "/payments?activeState=All&pageSize=5000",
    "/ap-bills?billType=NotSet&pageSize=5000",
    "/inventory-bills?pageSize=5000",
    "/export/invoice-items?includeRecentChanges=true",
  ];
  const bodies = await Promise.all(paths.map(async (path) => (await s.get(path)).text()));
  return [
    ...bodies,
    JSON.stringify(sim.ledger(TENANT)),
    JSON.stringify(sim.ledger(OTHER_TENANT)),
    JSON.stringify(sim.settings()),
  ];
}

/** A bit of everything: payments, every kind of invoice write, bill marks, a setting, and refusals. */
async function workload(s: Session, clock: ReturnType<typeof fakeClock>, sim: Simulator): Promise<void> {
  const page = await (
    await s.get(
      "/invoices?statuses=Pending&balanceFilter.Balance=20&balanceFilter.Comparer=Greater&pageSize=4",
    )
  ).json<{ data: Invoice[] }>();
  const [a, b, c] = page.data;
  if (!a || !b || !c) throw new Error("the seed has too few open pending invoices");
  const types = await (await s.get("/payment-types")).json<{ data: { id: number }[] }>();
  const typeId = types.data[0]?.id;
  const ok = async (response: Promise<Response>) => expect((await response).status).toBe(200);
  await ok(s.post("/payments", { typeId, splits: [{ invoiceId: a.id, amount: 10 }] }));
  clock.advance(60_000);
  await ok(s.patch(`/invoices/${a.id}`, { summary: "<p>after the job</p>", dueDate: "2027-01-15" }));
  await ok(s.patch(`/invoices/${a.id}/items`, { skuName: "SVC-DIAG", description: "Trip fee", quantity: 1 }));
  clock.advance(1_000);
  await ok(s.request("DELETE", `/invoices/${b.id}/items/${b.items?.[0]?.id}`));
  await ok(
    s.post("/invoices", {
      adjustmentToId: c.id,
      summary: "<p>[ste:journal]</p>",
      items: [{ skuName: "PM-PROMO", description: "Goodwill", quantity: 1 }],
    }),
  );
  await ok(
    s.post("/invoices/markasexported", [{ invoiceId: c.id, externalId: "QB-9", externalMessage: "synced" }]),
  );
  await ok(
    s.patch("/invoices/custom-fields", {
      operations: [{ objectId: b.id, customFields: [{ name: "PO Number", value: "PO-77" }] }],
    }),
  );
  const bills = await (await s.get("/ap-bills?billType=NotSet&pageSize=3")).json<{
    data: { id: number }[];
  }>();
  await ok(s.post("/ap-bills/markasexported", { billIds: bills.data.map((bill) => bill.id) }));
  sim.configure({ invoiceLocks: { items: ["Exported"], fields: [] } });
  // Refused: exported now locks items. Nothing of it may reach the journal.
  expect(
    (await s.patch(`/invoices/${c.id}/items`, { skuName: "SVC-DIAG", description: "x", quantity: 1 })).status,
  ).toBe(400);
  expect((await s.post("/payments", { typeId, splits: [{ invoiceId: 1, amount: 1 }] })).status).toBe(400);
  // Committed although the answer is lost.
  const dropped = s.post(
    "/invoices",
    { adjustmentToId: a.id, number: "ADJ-dropped" },
    { headers: { "X-Sim-Fault": "commit-then-drop" } },
  );
  await expect(dropped).rejects.toThrow(TypeError);
  clock.advance(5_000);
  await ok(s.post("/payments", { typeId, splits: [{ invoiceId: b.id, amount: 5 }] }));
}

describe("journal", () => {
  it("replays into a simulator that holds exactly what the original held", async () => {
    const clock = fakeClock();
    const { entries, journal } = journaled();
    const original = createSimulator({ clock, journal });
    const s = await session(original);
    await workload(s, clock, original);
    expect(entries.map((entry) => ("write" in entry ? entry.write.op : "configure"))).toEqual([
      "Payments_Create",
      "Invoices_UpdateInvoice",
      "Invoices_UpdateInvoiceItems",
      "Invoices_DeleteInvoiceItem",
      "Invoices_CreateAdjustmentInvoice",
      "Invoices_MarkAsExported",
      "Invoices_UpdateCustomFields",
      "ApBills_MarkAsExported",
      "configure",
      "Invoices_CreateAdjustmentInvoice",
      "Payments_Create",
    ]);
    // Rebuilt days later from JSON, as the Durable Object stores it.
    const later = fakeClock(clock.now() + 3 * 86_400_000);
    const restored = createSimulator({
      clock: later,
      anchor: original.anchor,
      restore: JSON.parse(JSON.stringify(entries)),
    });
    expect(await everything(restored, await session(restored))).toEqual(await everything(original, s));
  });

  it("restores the anchor it is given, so a restart on another day seeds the same data", async () => {
    const first = createSimulator({ clock: fakeClock() });
    const nextWeek = createSimulator({ clock: fakeClock(Date.now() + 7 * 86_400_000), anchor: first.anchor });
    expect(nextWeek.anchor).toBe(first.anchor);
    expect(nextWeek.ledger(TENANT)).toEqual(first.ledger(TENANT));
  });

  it("reset clears the journal; a journal that no longer applies is refused loudly", async () => {
    const { entries, journal } = journaled();
    const sim = createSimulator({ clock: fakeClock(), journal });
    const s = await session(sim);
    const types = await (await s.get("/payment-types")).json<{ data: { id: number }[] }>();
    const [invoice] = (
      await (
        await s.get("/invoices?balanceFilter.Balance=5&balanceFilter.Comparer=Greater&pageSize=1")
      ).json<{ data: Invoice[] }>()
    ).data;
    expect(
      (
        await s.post("/payments", {
          typeId: types.data[0]?.id,
          splits: [{ invoiceId: invoice?.id, amount: 1 }],
        })
      ).status,
    ).toBe(200);
    expect(entries).toHaveLength(1);
    sim.reset();
    expect(entries).toEqual([]);
    // A journal made on other data: the invoice it names does not exist here.
    const foreign: JournalEntry = {
      at: Date.now(),
      tenantId: TENANT,
      write: {
        op: "Payments_Create",
        body: { typeId: types.data[0]?.id ?? 0, splits: [{ invoiceId: 1, amount: 1 }] },
      },
    };
    expect(() => createSimulator({ clock: fakeClock(), restore: [foreign] })).toThrow(
      /journal entry 1 no longer applies: HttpProblem: One or more validation errors/,
    );
  });
});

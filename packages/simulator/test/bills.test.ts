// AP bills and inventory bills beyond the list filters (those are in query-parameters.test.ts):
// dateFrom/dateTo on the created date, export marks per bill, and the inventory-bill views of
// the same bills (bare array, paged envelope, export feed with canceled bills inactive).
import type { ApBill, components } from "@st-edge/servicetitan";
import { beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.ts";
import { allPages, type FakeClock, type Problem, type Session, session, testSimulator } from "./helpers.ts";

type InventoryBill = components["schemas"]["Accounting.V2.InventoryBillResponse"];

let sim: Simulator;
let clock: FakeClock;
let s: Session;

beforeEach(async () => {
  ({ sim, clock } = testSimulator());
  s = await session(sim);
});

const every = () => allPages<ApBill>(s, "/ap-bills?billType=NotSet");
const stamp = () => new Date(clock.now()).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");

describe("AP bills", () => {
  it("dateFrom/dateTo filter on when a bill was created, not on its bill date", async () => {
    const bill = (await every()).find(
      (candidate) => candidate.createdOn?.slice(0, 10) === candidate.billDate?.slice(0, 10),
    );
    if (!bill?.billDate || !bill.createdOn) throw new Error("no bill created on its bill date");
    // An hour into the bill's day: after its bill date (midnight), before it was created (07:00 or later).
    const earlyThatDay = new Date(Date.parse(bill.billDate) + 3_600_000).toISOString();
    const upTo = await allPages<ApBill>(s, `/ap-bills?billType=NotSet&dateTo=${earlyThatDay}`);
    expect(upTo.map((b) => b.id)).not.toContain(bill.id);
    const from = await allPages<ApBill>(
      s,
      `/ap-bills?billType=NotSet&dateFrom=${encodeURIComponent(bill.createdOn)}`,
    );
    expect(from.map((b) => b.id)).toContain(bill.id);
  });

  it("POST /ap-bills/markasexported answers per bill and keeps the posting in the sync status", async () => {
    const bills = await every();
    const pending = bills.find((b) => b.syncStatus === "Pending" && b.status !== "Canceled");
    const posted = bills.find((b) => b.syncStatus === "Posted" && b.status !== "Canceled");
    const canceled = bills.find((b) => b.status === "Canceled");
    clock.advance(1_000);
    const response = await s.post("/ap-bills/markasexported", {
      billIds: [pending?.id, posted?.id, canceled?.id, 31337],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { billId: pending?.id, success: true, errorMessage: null },
      { billId: posted?.id, success: true, errorMessage: null },
      { billId: canceled?.id, success: false, errorMessage: `Bill ${canceled?.id} is canceled.` },
      { billId: 31337, success: false, errorMessage: "Bill 31337 was not found." },
    ]);
    const read = async (id: number | undefined) => (await s.get(`/ap-bills/${id}`)).json<ApBill>();
    expect(await read(pending?.id)).toMatchObject({ syncStatus: "Exported", modifiedOn: stamp() });
    expect(await read(posted?.id)).toMatchObject({ syncStatus: "PostedAndExported", modifiedOn: stamp() });
    expect(await read(canceled?.id)).toEqual(canceled);
    const bad = await s.post("/ap-bills/markasexported", { billIds: ["one"] });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json<Problem>()).errors)).toEqual(["billIds[0]"]);
  });
});

describe("inventory bills", () => {
  it("are the same bills in the older shape: a bare array, and a paged envelope", async () => {
    const bills = await every();
    const bare = await (await s.get("/inventory-bills?pageSize=5000")).json<InventoryBill[]>();
    expect(Array.isArray(bare)).toBe(true);
    expect(bare.map((b) => b.id)).toEqual(bills.map((b) => b.id));
    const [first] = bills;
    expect(bare[0]).toMatchObject({
      id: first?.id,
      referenceNumber: first?.referenceNumber,
      billAmount: first?.billAmount,
      syncStatus: first?.syncStatus,
    });
    expect(bare[0]?.items?.[0]?.inventoryLocation ?? null).toBe(
      first?.items?.[0]?.inventoryLocation?.name ?? null,
    );
    const page = await (await s.get("/inventory-bills/paginated?pageSize=10&includeTotal=true")).json<{
      totalCount: number;
      data: InventoryBill[];
      hasMore: boolean;
    }>();
    expect(page).toMatchObject({ totalCount: bills.length, hasMore: true });
    expect(page.data.map((b) => b.id)).toEqual(bills.slice(0, 10).map((b) => b.id));
    // The bare array has nowhere to put a total: asking for one is refused, not ignored.
    const total = await s.get("/inventory-bills?includeTotal=true");
    expect(total.status).toBe(400);
    expect(Object.keys((await total.json<Problem>()).errors)).toEqual(["includeTotal"]);
  });

  it("POST /inventory-bills/markasexported marks the same bills, visible through both lists", async () => {
    const pending = (await every()).find((b) => b.syncStatus === "Pending" && b.status !== "Canceled");
    const response = await s.post("/inventory-bills/markasexported", { inventoryBillIds: [pending?.id, 1] });
    expect(await response.json()).toEqual([
      { inventoryBillId: pending?.id, success: true, errorMessage: null },
      { inventoryBillId: 1, success: false, errorMessage: "Bill 1 was not found." },
    ]);
    expect((await (await s.get(`/ap-bills/${pending?.id}`)).json<ApBill>()).syncStatus).toBe("Exported");
    const [bare] = await (await s.get(`/inventory-bills?ids=${pending?.id}`)).json<InventoryBill[]>();
    expect(bare?.syncStatus).toBe("Exported");
  });

  it("the export feed carries every bill, canceled ones inactive", async () => {
    const bills = await every();
    const exported: (InventoryBill & { active: boolean })[] = [];
    let from = "";
    for (let call = 0; call < 20; call++) {
      const batch = await (await s.get(`/export/inventory-bills${from ? `?from=${from}` : ""}`)).json<{
        data: (InventoryBill & { active: boolean })[];
        hasMore: boolean;
        continueFrom: string;
      }>();
      exported.push(...batch.data);
      from = encodeURIComponent(batch.continueFrom);
      if (!batch.hasMore) break;
    }
    expect(exported.map((b) => b.id).sort()).toEqual(bills.map((b) => b.id).sort());
    const canceled = new Set(bills.filter((b) => b.status === "Canceled").map((b) => b.id));
    expect(canceled.size).toBeGreaterThan(0);
    for (const bill of exported) expect(bill.active).toBe(!canceled.has(bill.id));
    expect(sim.stats().calls.Export_InventoryBills).toBeGreaterThan(1);
  });
});

// Integration tests in workerd against the simulator: the list and its filters, one bill, the
// polling trigger (order, per-version ids, inclusive boundary, one or two upstream calls), input
// validation, tenant isolation and ServiceTitan failures.
import { env } from "cloudflare:test";
import {
  callWorker,
  DEMO_TENANT,
  expectProblem,
  faultBinding,
  OTHER_TENANT,
  readServiceTitanJson,
  simulatorEnv,
  tenantBindings,
} from "@st-edge/edge/testing";
import { type ApBill, stampKey } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import type { BillView } from "@st-edge/views/bill";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";

const sim = createSimulator();

type BillPage = { page: number; pageSize: number; hasMore: boolean; count: number; data: BillView[] };
type PollItem = Omit<BillView, "id"> & { id: string; billId: number };

async function json<T>(response: Response, status = 200): Promise<T> {
  expect(response.status).toBe(status);
  return (await response.json()) as T;
}

const get = async <T>(path: string, simulator = sim) =>
  json<T>(await callWorker(worker, await simulatorEnv(env, simulator), path));

/** Every bill of the demo tenant, of every type, straight from the simulator. */
async function allBills(simulator = sim): Promise<ApBill[]> {
  const page = await readServiceTitanJson<{ data: ApBill[] }>(
    simulator,
    "/ap-bills?billType=NotSet&pageSize=5000",
  );
  return page.data;
}

const MONEY = /^-?\d+(\.\d+)?$/;
const newestFirst = (stamps: (string | null)[]) =>
  stamps.every((stamp, i) => i === 0 || stampKey(stamps[i - 1]) >= stampKey(stamp));

describe("GET /bills", () => {
  it("pages ServiceTitan's bills, Procurement by default, money as decimal strings", async () => {
    const first = await get<BillPage>("/bills?pageSize=5");
    expect(first).toMatchObject({ page: 1, pageSize: 5, hasMore: true, count: 5 });
    expect(first.data.every((bill) => bill.billType === "Procurement")).toBe(true);
    const second = await get<BillPage>("/bills?pageSize=5&page=2");
    expect(second.data.map((bill) => bill.id)).not.toEqual(expect.arrayContaining([first.data[0]?.id]));
    for (const bill of first.data) {
      for (const amount of [bill.billAmount, bill.taxAmount, bill.shippingAmount, bill.otherAmount]) {
        expect(amount).toMatch(MONEY);
      }
      for (const item of bill.items) expect(item.cost).toMatch(MONEY);
    }
    const types = new Set(
      (await get<BillPage>("/bills?billType=NotSet&pageSize=500")).data.map((b) => b.billType),
    );
    expect(types).toEqual(new Set(["Procurement", "ApBill"]));
  });

  it("filters by status (repeated or comma-separated) and sync status upstream", async () => {
    const comma = await get<BillPage>("/bills?status=Reconciled,Canceled&pageSize=500&billType=NotSet");
    const repeated = await get<BillPage>(
      "/bills?status=Reconciled&status=Canceled&pageSize=500&billType=NotSet",
    );
    expect(comma.count).toBeGreaterThan(0);
    expect(repeated).toEqual(comma);
    expect(comma.data.every((bill) => bill.status === "Reconciled" || bill.status === "Canceled")).toBe(true);
    const pending = await get<BillPage>("/bills?syncStatus=Pending&pageSize=500");
    expect(pending.data.every((bill) => bill.syncStatus === "Pending")).toBe(true);
  });

  it("filters by vendor at the edge, within the page ServiceTitan returned", async () => {
    const bills = await allBills();
    const vendor = bills[0]?.vendor;
    if (!vendor) throw new Error("the simulator's first bill has no vendor");
    const byId = await get<BillPage>(`/bills?vendorId=${vendor.id}&billType=NotSet&pageSize=500`);
    expect(byId.data.map((bill) => bill.id)).toEqual(
      bills.filter((bill) => bill.vendor?.id === vendor.id).map((bill) => bill.id),
    );
    const fragment = (vendor.name ?? "").slice(1, 6).toUpperCase();
    const byName = await get<BillPage>(
      `/bills?vendorName=${encodeURIComponent(fragment)}&billType=NotSet&pageSize=500`,
    );
    expect(byName.count).toBeGreaterThan(0);
    expect(byName.data.every((bill) => bill.vendor?.name?.toUpperCase().includes(fragment))).toBe(true);
    // A small page keeps ServiceTitan's paging: fewer bills than pageSize, hasMore still true.
    const small = await get<BillPage>(`/bills?vendorId=${vendor.id}&billType=NotSet&pageSize=3`);
    expect(small.count).toBeLessThanOrEqual(3);
    expect(small.hasMore).toBe(true);
  });

  it("passes bill number, dates and ids to ServiceTitan", async () => {
    const bills = await allBills();
    const bill = bills.find((candidate) => candidate.billType === "Procurement");
    if (!bill?.referenceNumber || !bill.createdOn) throw new Error("no procurement bill");
    const byNumber = await get<BillPage>(`/bills?billNumber=${bill.referenceNumber}`);
    expect(byNumber.data.map((b) => b.id)).toContain(bill.id);
    const byIds = await get<BillPage>(`/bills?ids=${bill.id},${bill.id}`);
    expect(byIds.data.map((b) => b.id)).toEqual([bill.id]);
    const since = await get<BillPage>(
      `/bills?createdOnOrAfter=${encodeURIComponent(bill.createdOn)}&pageSize=500`,
    );
    expect(since.data.every((b) => stampKey(b.createdOn) >= stampKey(bill.createdOn))).toBe(true);
    expect(since.data.map((b) => b.id)).toContain(bill.id);
  });

  it("refuses an unknown query parameter, so a typo does not widen the answer", async () => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), "/bills?vendor=Acme"),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual([
      expect.objectContaining({ in: "query", field: "vendor", message: expect.stringContaining("vendor") }),
    ]);
  });

  it.each<[string, string, string]>([
    ["an unknown status", "status=Paid", "status.0"],
    ["a page size of 0", "pageSize=0", "pageSize"],
    ["a page size above 500", "pageSize=501", "pageSize"],
    ["page 0", "page=0", "page"],
    ["a date-time without zone", "createdOnOrAfter=2026-01-01T00:00:00", "createdOnOrAfter"],
    ["a bad date", "dateFrom=2026-13-01", "dateFrom"],
    ["ids that are not ids", "ids=1,x", "ids"],
    ["a vendor id of 0", "vendorId=0", "vendorId"],
    ["an unknown bill type", "billType=Expense", "billType"],
  ])("refuses %s with a field error", async (_, query, field) => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), `/bills?${query}`),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: "query", field })]));
  });
});

describe("GET /bills dateFrom / dateTo", () => {
  /** The simulator behind a binding that notes every accounting URL the worker sends. */
  function recorded(simulator = sim) {
    const urls: URL[] = [];
    const binding: Fetcher = {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        const url = new URL(request.url);
        if (url.pathname.startsWith("/accounting/")) urls.push(url);
        return simulator.fetch(request);
      },
      connect: () => {
        throw new Error("no sockets");
      },
    };
    return { urls, binding };
  }
  const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

  it("sends them as the date-times ServiceTitan's spec declares, a day from its start to its end", async () => {
    const { urls, binding } = recorded();
    const e = await simulatorEnv(env, sim, { SERVICETITAN: binding });
    const page = await json<BillPage>(
      await callWorker(
        worker,
        e,
        "/bills?dateFrom=2026-03-01&dateTo=2026-03-31&billType=NotSet&pageSize=500",
      ),
    );
    const sent = urls.find((url) => url.pathname.endsWith("/ap-bills"));
    expect(sent?.searchParams.get("dateFrom")).toMatch(DATE_TIME);
    expect(sent?.searchParams.get("dateTo")).toMatch(DATE_TIME);
    expect(sent?.searchParams.get("dateFrom")).toBe("2026-03-01T00:00:00Z");
    expect(sent?.searchParams.get("dateTo")).toBe("2026-03-31T23:59:59.9999999Z");
    // "Filter bills created on or after / on or before this date": every bill created in March.
    const march = (await allBills()).filter(
      (bill) => (bill.createdOn ?? "") >= "2026-03-01" && (bill.createdOn ?? "") < "2026-04-01",
    );
    expect(page.data.map((bill) => bill.id)).toEqual(march.map((bill) => bill.id));
  });

  it("passes a date-time as given", async () => {
    const { urls, binding } = recorded();
    const e = await simulatorEnv(env, sim, { SERVICETITAN: binding });
    await json<BillPage>(await callWorker(worker, e, "/bills?dateFrom=2026-03-01T08:30:00%2B02:00"));
    expect(urls.at(-1)?.searchParams.get("dateFrom")).toBe("2026-03-01T08:30:00+02:00");
  });
});

describe("POST /bills/mark-exported and /inventory-bills/mark-exported", () => {
  type Marks<K extends string> = {
    results: ({ [key in K]: number } & { success: boolean; errorMessage: string | null })[];
    succeeded: number;
    failed: number;
  };
  const post = async (simulator: ReturnType<typeof createSimulator>, path: string, body: unknown) =>
    callWorker(worker, await simulatorEnv(env, simulator), path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("answers one result per bill, in order: a canceled or unknown bill fails alone", async () => {
    const own = createSimulator();
    const bills = await allBills(own);
    const pending = bills.find((bill) => bill.syncStatus === "Pending" && bill.status !== "Canceled");
    const posted = bills.find((bill) => bill.syncStatus === "Posted" && bill.status !== "Canceled");
    const canceled = bills.find((bill) => bill.status === "Canceled");
    const ids = [posted?.id, 31337, canceled?.id, pending?.id];
    const marks = await json<Marks<"billId">>(await post(own, "/bills/mark-exported", { billIds: ids }));
    expect(marks).toEqual({
      results: [
        { billId: posted?.id, success: true, errorMessage: null },
        { billId: 31337, success: false, errorMessage: "Bill 31337 was not found." },
        { billId: canceled?.id, success: false, errorMessage: `Bill ${canceled?.id} is canceled.` },
        { billId: pending?.id, success: true, errorMessage: null },
      ],
      succeeded: 2,
      failed: 2,
    });
    const after = await allBills(own);
    expect(after.find((bill) => bill.id === posted?.id)?.syncStatus).toBe("PostedAndExported");
    expect(after.find((bill) => bill.id === pending?.id)?.syncStatus).toBe("Exported");
    // Visible through this worker's own reads too.
    expect(
      (await json<BillView>(await callWorker(worker, await simulatorEnv(env, own), `/bills/${pending?.id}`)))
        .syncStatus,
    ).toBe("Exported");
    // Marking again is harmless.
    const again = await json<Marks<"billId">>(
      await post(own, "/bills/mark-exported", { billIds: [pending?.id] }),
    );
    expect(again.results).toEqual([{ billId: pending?.id, success: true, errorMessage: null }]);
  });

  it("marks inventory bills through their own operation", async () => {
    const own = createSimulator();
    const pending = (await allBills(own)).find(
      (bill) => bill.syncStatus === "Pending" && bill.status !== "Canceled",
    );
    // Warm the token: KV still holds one another simulator issued for the same tenant id.
    await callWorker(worker, await simulatorEnv(env, own), "/bills?pageSize=1");
    const before = own.stats().calls.InventoryBills_MarkAsExported ?? 0;
    const marks = await json<Marks<"inventoryBillId">>(
      await post(own, "/inventory-bills/mark-exported", { inventoryBillIds: [pending?.id, 1] }),
    );
    expect(marks.results).toEqual([
      { inventoryBillId: pending?.id, success: true, errorMessage: null },
      { inventoryBillId: 1, success: false, errorMessage: "Bill 1 was not found." },
    ]);
    expect((own.stats().calls.InventoryBills_MarkAsExported ?? 0) - before).toBe(1);
    expect((await allBills(own)).find((bill) => bill.id === pending?.id)?.syncStatus).toBe("Exported");
  });

  it.each<[string, unknown, string]>([
    ["no ids", { billIds: [] }, "billIds"],
    ["51 ids", { billIds: Array.from({ length: 51 }, (_, i) => i + 1) }, "billIds"],
    ["an id twice", { billIds: [5, 5] }, "billIds"],
    ["an id that is not one", { billIds: [1.5] }, "billIds.0"],
    ["an unknown field", { billIds: [1], dryRun: true }, ""],
  ])("refuses %s with a field error, before calling ServiceTitan", async (_, body, field) => {
    const own = createSimulator();
    const problem = await expectProblem(
      await post(own, "/bills/mark-exported", body),
      400,
      "validation-failed",
    );
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: "body", field })]));
    expect(own.stats().calls.ApBills_MarkAsExported ?? 0).toBe(0);
  });

  it("maps ServiceTitan failing the whole call to a problem, not to per-bill results", async () => {
    const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBinding(sim, "status=503;retry-after=30") });
    const response = await callWorker(worker, e, "/inventory-bills/mark-exported", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ inventoryBillIds: [1] }),
    });
    await expectProblem(response, 503, "upstream-unavailable");
  });
});

describe("GET /bills/{id}", () => {
  it("answers one bill as the list does", async () => {
    const page = await get<BillPage>("/bills?pageSize=3&billType=NotSet");
    for (const bill of page.data) expect(await get(`/bills/${bill.id}`)).toEqual(bill);
  });

  it("answers 404 for an unknown id and for another tenant's bill", async () => {
    const other = await json<BillPage>(
      await callWorker(
        worker,
        await simulatorEnv(env, sim, tenantBindings(OTHER_TENANT)),
        "/bills?pageSize=1",
      ),
    );
    const foreignId = other.data[0]?.id;
    expect(foreignId).toBeDefined();
    const e = await simulatorEnv(env, sim);
    const body = await expectProblem(await callWorker(worker, e, `/bills/${foreignId}`), 404, "not-found");
    expect(body.detail).toBe(`No AP bill ${foreignId} in this tenant`);
    await expectProblem(await callWorker(worker, e, "/bills/31337"), 404, "not-found");
  });

  it("refuses an id that is not a safe positive integer", async () => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), "/bills/1e3"),
      400,
    );
    expect(body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: "path", field: "id" })]),
    );
  });
});

describe("GET /bills/poll", () => {
  it("answers the newest bills first, ids unique per version, in one upstream call", async () => {
    const before = sim.stats().calls.ApBills_GetListPaginated ?? 0;
    const response = await callWorker(
      worker,
      await simulatorEnv(env, sim),
      "/bills/poll?since=2000-01-01T00:00:00Z&billType=NotSet",
    );
    const items = await json<PollItem[]>(response);
    expect((sim.stats().calls.ApBills_GetListPaginated ?? 0) - before).toBe(1);
    expect(response.headers.get("X-Poll-Since")).toBe("2000-01-01T00:00:00Z");
    expect(response.headers.get("X-Poll-Truncated")).toBe("false");
    expect(items).toHaveLength(50);
    expect(newestFirst(items.map((item) => item.createdOn))).toBe(true);
    for (const item of items) expect(item.id).toBe(`${item.billId}-${item.createdOn}`);
    const expected = (await allBills())
      .sort((a, b) =>
        stampKey(b.createdOn) > stampKey(a.createdOn)
          ? 1
          : stampKey(b.createdOn) < stampKey(a.createdOn)
            ? -1
            : b.id - a.id,
      )
      .slice(0, 50)
      .map((bill) => bill.id);
    expect(items.map((item) => item.billId)).toEqual(expected);
  });

  it("takes a limit for sample polls and a default look-back of 7 days", async () => {
    const sample = await get<PollItem[]>("/bills/poll?limit=3&since=2000-01-01T00:00:00Z");
    expect(sample).toHaveLength(3);
    const response = await callWorker(worker, await simulatorEnv(env, sim), "/bills/poll");
    const since = Date.parse(response.headers.get("X-Poll-Since") ?? "");
    expect(Date.now() - since).toBeGreaterThanOrEqual(7 * 86_400_000 - 60_000);
    expect(Date.now() - since).toBeLessThan(7 * 86_400_000 + 60_000);
    for (const item of await json<PollItem[]>(response))
      expect(Date.parse(item.createdOn ?? "")).toBeGreaterThanOrEqual(since);
  });

  it("includes the boundary (>=) and every bill sharing a timestamp (mode=updated)", async () => {
    const bills = await allBills();
    const byStamp = new Map<string, number[]>();
    for (const bill of bills)
      byStamp.set(bill.modifiedOn ?? "", [...(byStamp.get(bill.modifiedOn ?? "") ?? []), bill.id]);
    // The newest modifiedOn several bills share (the simulator posts a week's bills together).
    const [stamp, ids] = [...byStamp.entries()]
      .filter(([, sharing]) => sharing.length > 1)
      .sort(([a], [b]) => (stampKey(b) > stampKey(a) ? 1 : -1))[0] ?? ["", []];
    expect(ids.length).toBeGreaterThan(1);
    const newer = bills.filter((bill) => stampKey(bill.modifiedOn) >= stampKey(stamp)).length;
    expect(newer).toBeLessThanOrEqual(100);
    const items = await get<PollItem[]>(
      `/bills/poll?mode=updated&since=${encodeURIComponent(stamp)}&billType=NotSet&limit=100`,
    );
    expect(items).toHaveLength(newer);
    expect(items.map((item) => item.billId)).toEqual(expect.arrayContaining(ids));
    expect(newestFirst(items.map((item) => item.modifiedOn))).toBe(true);
    for (const item of items) expect(item.id).toBe(`${item.billId}-${item.modifiedOn}`);
  });

  it("filters by vendor and status", async () => {
    const bills = await allBills();
    const vendorId = bills[0]?.vendor?.id;
    const items = await get<PollItem[]>(
      `/bills/poll?since=2000-01-01T00:00:00Z&billType=NotSet&vendorId=${vendorId}&status=Reconciled&limit=100`,
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.vendor?.id === vendorId && item.status === "Reconciled")).toBe(true);
  });

  it("reads the last page as well when the window holds more than one page (two upstream calls)", async () => {
    // 1300 invoices seed about 520 bills: more than one 500-bill page.
    const big = createSimulator({ tenants: [{ ...DEMO_TENANT, invoiceCount: 1300 }] });
    const bills = await allBills(big);
    expect(bills.length).toBeGreaterThan(500);
    const e = await simulatorEnv(env, big);
    // Warm the token: KV still holds one the other simulator issued for the same tenant id.
    await callWorker(worker, e, "/bills?pageSize=1");
    const before = big.stats().calls.ApBills_GetListPaginated ?? 0;
    const response = await callWorker(
      worker,
      e,
      "/bills/poll?since=2000-01-01T00:00:00Z&billType=NotSet&limit=10",
    );
    const items = await json<PollItem[]>(response);
    expect((big.stats().calls.ApBills_GetListPaginated ?? 0) - before).toBe(2);
    const newest = [...bills]
      .sort((a, b) =>
        stampKey(b.createdOn) > stampKey(a.createdOn)
          ? 1
          : stampKey(b.createdOn) < stampKey(a.createdOn)
            ? -1
            : b.id - a.id,
      )
      .slice(0, 10);
    expect(items.map((item) => item.billId)).toEqual(newest.map((bill) => bill.id));
    expect(response.headers.get("X-Poll-Truncated")).toBe(bills.length > 1000 ? "true" : "false");
  });

  it.each<[string, string, string]>([
    ["an unknown mode", "mode=deleted", "mode"],
    ["a limit of 0", "limit=0", "limit"],
    ["a limit above 100", "limit=101", "limit"],
    ["a since that is not a date-time", "since=yesterday", "since"],
  ])("refuses %s with a field error", async (_, query, field) => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), `/bills/poll?${query}`),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual([expect.objectContaining({ in: "query", field })]);
  });
});

describe("ServiceTitan failures", () => {
  it.each<[string, string, number, string]>([
    ["not licensed", "not-licensed", 403, "not-entitled"],
    ["rate limited", "status=429;retry-after=30", 429, "upstream-rate-limited"],
    ["unavailable", "status=503;retry-after=30", 503, "upstream-unavailable"],
  ])("maps %s (%s) to %i %s", async (_, fault, status, type) => {
    const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBinding(sim, fault) });
    for (const path of ["/bills", "/bills/poll", "/bills/1"]) {
      const response = await callWorker(worker, e, path);
      await expectProblem(response, status, type);
      if (status === 429) expect(response.headers.get("Retry-After")).toBe("30");
    }
  });

  it("maps a hang to a 504 timeout", async () => {
    const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBinding(sim, "hang"), ST_TIMEOUT_MS: "100" });
    await expectProblem(await callWorker(worker, e, "/bills/poll"), 504, "upstream-timeout");
  });
});

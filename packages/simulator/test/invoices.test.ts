import { Decimal, type Invoice } from "@st-edge/servicetitan";
import { beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.ts";
import { allPages, type Page, type Problem, type Session, session, testSimulator } from "./helpers.ts";

let sim: Simulator;
let s: Session;
let all: Invoice[];

beforeAll(async () => {
  sim = testSimulator().sim;
  s = await session(sim);
  all = await allPages<Invoice>(s, "/invoices?activeState=All");
});

const list = async (query: string) => {
  const response = await s.get(`/invoices?${query}`);
  expect(response.status).toBe(200);
  return response.json<Page<Invoice>>();
};
const ids = (invoices: Invoice[]) => invoices.map((invoice) => invoice.id);
const sortedIds = (invoices: Invoice[]) => ids(invoices).sort((a, b) => a - b);
const at = (text: string | null | undefined) => Date.parse(text ?? "");

describe("GET /invoices paging", () => {
  it("pages from 1 with 50 by default, totalCount only with includeTotal", async () => {
    const first = await list("");
    expect(first).toMatchObject({ page: 1, pageSize: 50, hasMore: true, totalCount: null });
    expect(first.data).toHaveLength(50);
    const active = all.filter((invoice) => invoice.active);
    const last = await list(`page=${Math.ceil(active.length / 50)}&includeTotal=true`);
    expect(last.hasMore).toBe(false);
    expect(last.totalCount).toBe(active.length);
    expect(last.data).toHaveLength(active.length % 50 || 50);
    const beyond = await list("page=99");
    expect(beyond).toMatchObject({ page: 99, hasMore: false, data: [] });
  });

  it("never repeats or skips a record across pages, even with ties in the sort key", async () => {
    const pages: Invoice[] = [];
    for (let page = 1; ; page++) {
      const body = await list(`sort=-ModifiedOn&pageSize=37&page=${page}&activeState=All`);
      pages.push(...body.data);
      if (!body.hasMore) break;
    }
    expect(sortedIds(pages)).toEqual(sortedIds(all));
    for (let i = 1; i < pages.length; i++)
      expect(at(pages[i - 1]?.modifiedOn)).toBeGreaterThanOrEqual(at(pages[i]?.modifiedOn));
  });

  it.each([
    ["pageSize=0", "pageSize"],
    ["pageSize=5001", "pageSize"],
    ["page=0", "page"],
    ["pageSize=ten", "pageSize"],
  ])("rejects %s", async (query, field) => {
    const response = await s.get(`/invoices?${query}`);
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json<Problem>()).errors)).toEqual([field]);
  });

  it("honours a configured maximum page size", async () => {
    const small = testSimulator({ maxPageSize: 100 }).sim;
    const t = await session(small);
    expect((await t.get("/invoices?pageSize=100")).status).toBe(200);
    expect((await t.get("/invoices?pageSize=101")).status).toBe(400);
  });
});

describe("GET /invoices filters", () => {
  it("ids: up to 50, other tenants' ids simply absent, more than 50 is a 400", async () => {
    const wanted = ids(all.slice(0, 3));
    expect(sortedIds((await list(`ids=${wanted.join(",")}&activeState=All`)).data)).toEqual(wanted);
    expect((await list("ids=21000001")).data).toEqual([]);
    const tooMany = await s.get(`/invoices?ids=${ids(all.slice(0, 51)).join(",")}`);
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json<Problem>()).errors.ids).toEqual(["At most 50 ids are allowed; got 51."]);
    const notANumber = await s.get("/invoices?ids=1,abc");
    expect((await notANumber.json<Problem>()).errors.ids).toEqual(["The value 'abc' is not valid for ids."]);
  });

  it("number, jobNumber, customerId", async () => {
    const withJob = all.find((invoice) => invoice.job && invoice.active && invoice.adjustmentToId === null);
    if (!withJob?.job?.number || !withJob.customer) throw new Error("seed has job invoices");
    expect(ids((await list(`number=${withJob.referenceNumber}`)).data)).toEqual([withJob.id]);
    const sameJob = all.filter((invoice) => invoice.active && invoice.job?.number === withJob.job?.number);
    expect(sortedIds((await list(`jobNumber=${withJob.job.number}`)).data)).toEqual(sortedIds(sameJob));
    const customerId = withJob.customer.id;
    const theirs = all.filter((invoice) => invoice.active && invoice.customer?.id === customerId);
    expect(sortedIds((await list(`customerId=${customerId}&pageSize=500`)).data)).toEqual(sortedIds(theirs));
  });

  it("statuses is a repeated parameter; a comma list or an unknown status is a 400", async () => {
    const expected = all.filter((invoice) => invoice.active && invoice.syncStatus !== "Exported");
    const body = await list("statuses=Pending&statuses=posted&pageSize=500");
    expect(sortedIds(body.data)).toEqual(sortedIds(expected));
    for (const query of ["statuses=Pending,Posted", "statuses=Paid"]) {
      const response = await s.get(`/invoices?${query}`);
      expect(response.status).toBe(400);
      expect((await response.json<Problem>()).errors).toHaveProperty("statuses");
    }
  });

  it("modifiedOnOrAfter is inclusive and modifiedBefore exclusive; createdOnOrAfter too", async () => {
    const pivot = [...all].sort((a, b) => at(a.modifiedOn) - at(b.modifiedOn))[150];
    if (!pivot?.modifiedOn) throw new Error("seed has invoices");
    const onOrAfter = (await list(`activeState=All&pageSize=500&modifiedOnOrAfter=${pivot.modifiedOn}`)).data;
    const before = (await list(`activeState=All&pageSize=500&modifiedBefore=${pivot.modifiedOn}`)).data;
    expect(onOrAfter.length + before.length).toBe(all.length);
    expect(ids(onOrAfter)).toContain(pivot.id);
    expect(onOrAfter.every((invoice) => at(invoice.modifiedOn) >= at(pivot.modifiedOn))).toBe(true);
    const created = (
      await list(
        `activeState=All&pageSize=500&createdOnOrAfter=${encodeURIComponent("2026-06-01T00:00:00+00:00")}`,
      )
    ).data;
    expect(sortedIds(created)).toEqual(
      sortedIds(all.filter((invoice) => at(invoice.createdOn) >= Date.UTC(2026, 5, 1))),
    );
  });

  it("activeState: ActiveOnly by default, InactiveOnly, All", async () => {
    const inactive = all.filter((invoice) => !invoice.active);
    expect(sortedIds((await list("activeState=InactiveOnly")).data)).toEqual(sortedIds(inactive));
    expect((await list("activeState=All&includeTotal=true")).totalCount).toBe(all.length);
    expect((await list("includeTotal=true")).totalCount).toBe(all.length - inactive.length);
  });

  it("totalGreater/totalLess, balanceFilter, invoiceConfigurations, adjustmentToId", async () => {
    const big = (await list("totalGreater=1000&pageSize=500&activeState=All")).data;
    expect(sortedIds(big)).toEqual(
      sortedIds(
        all.filter((invoice) => Decimal.parse(invoice.total ?? "0").compare(Decimal.parse("1000")) >= 0),
      ),
    );
    const open = (
      await list("balanceFilter.Balance=0&balanceFilter.Comparer=Greater&pageSize=500&activeState=All")
    ).data;
    expect(sortedIds(open)).toEqual(
      sortedIds(all.filter((invoice) => Decimal.parse(invoice.balance ?? "0").isPositive())),
    );
    const memberships = (await list("invoiceConfigurations=MembershipInvoice&pageSize=500&activeState=All"))
      .data;
    expect(memberships.length).toBeGreaterThan(0);
    expect(memberships.every((invoice) => invoice.invoiceConfiguration === "MembershipInvoice")).toBe(true);
    const adjustment = all.find((invoice) => invoice.adjustmentToId);
    const adjustments = (await list(`adjustmentToId=${adjustment?.adjustmentToId}&activeState=All`)).data;
    expect(ids(adjustments)).toContain(adjustment?.id);
  });

  it("sorts by +Field/-Field (a raw '+' decodes to a space and still means ascending); unknown fields are a 400", async () => {
    const ascending = (await list("sort=+CreatedOn&activeState=All&pageSize=500")).data;
    expect(ids(ascending)).toEqual(
      ids([...all].sort((a, b) => at(a.createdOn) - at(b.createdOn) || a.id - b.id)),
    );
    const encoded = (await list("sort=%2BCreatedOn&activeState=All&pageSize=500")).data;
    expect(ids(encoded)).toEqual(ids(ascending));
    const descending = (await list("sort=-Id&pageSize=5")).data;
    expect(ids(descending)).toEqual([...ids(descending)].sort((a, b) => b - a));
    const response = await s.get("/invoices?sort=-Color");
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors.sort?.[0]).toContain(
      "Available fields: Id, ModifiedOn, CreatedOn",
    );
  });

  it.each([
    ["customerId=abc", "customerId"],
    ["modifiedOnOrAfter=yesterday", "modifiedOnOrAfter"],
    ["modifiedOnOrAfter=2026-02-30", "modifiedOnOrAfter"],
    ["activeState=Sometimes", "activeState"],
    ["includeTotal=yes", "includeTotal"],
    ["totalGreater=1e3", "totalGreater"],
    ["batchNumber=99999999999", "batchNumber"],
  ])("400 with errors by field for %s", async (query, field) => {
    const response = await s.get(`/invoices?${query}`);
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem).toMatchObject({ status: 400, title: "One or more validation errors occurred." });
    expect(Object.keys(problem.errors)).toEqual([field]);
  });

  it("reports every bad parameter at once, each with a fresh traceId", async () => {
    const first = await (await s.get("/invoices?customerId=x&jobId=y")).json<Problem>();
    const second = await (await s.get("/invoices?customerId=x&jobId=y")).json<Problem>();
    expect(Object.keys(first.errors).sort()).toEqual(["customerId", "jobId"]);
    expect(first.traceId).not.toBe(second.traceId);
  });
});

// GET /invoices (find): each filter against what ServiceTitan holds, newest first, and every
// kind of bad filter refused with a field error before ServiceTitan is called.
import { callWorker, expectProblem } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import type { InvoiceView } from "@st-edge/views/invoice";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { allInvoices, testEnv, upstreamCalls } from "./helpers.ts";

const find = async (query: string) => callWorker(worker, await testEnv(), `/invoices?${query}`);

const ids = async (query: string) => {
  const response = await find(query);
  expect(response.status).toBe(200);
  return (await response.json<InvoiceView[]>()).map((invoice) => invoice.id);
};

/** What a find should answer: active invoices (ServiceTitan's default), most recently modified first. */
async function expected(match: (invoice: Invoice) => boolean, limit = 50): Promise<number[]> {
  return (await allInvoices())
    .filter((invoice) => invoice.active && match(invoice))
    .sort((a, b) => Date.parse(b.modifiedOn ?? "") - Date.parse(a.modifiedOn ?? "") || b.id - a.id)
    .slice(0, limit)
    .map((invoice) => invoice.id);
}

const pick = async (match: (invoice: Invoice) => boolean) => {
  const invoice = (await allInvoices()).find((candidate) => candidate.active && match(candidate));
  if (!invoice) throw new Error("the seed has no such invoice");
  return invoice;
};

describe("GET /invoices (find)", () => {
  it("finds by reference number in one ServiceTitan call", async () => {
    const invoice = await pick((candidate) => candidate.referenceNumber !== null);
    const before = upstreamCalls("Invoices_GetList");
    expect(await ids(`number=${invoice.referenceNumber}`)).toEqual([invoice.id]);
    expect(upstreamCalls("Invoices_GetList") - before).toBe(1);
  });

  it("finds an invoice's adjustments", async () => {
    const adjustment = await pick((candidate) => candidate.adjustmentToId != null);
    const original = adjustment.adjustmentToId ?? 0;
    const found = await ids(`adjustmentToId=${original}`);
    expect(found).toContain(adjustment.id);
    expect(found).toEqual(await expected((candidate) => candidate.adjustmentToId === original));
  });

  it("finds by job number", async () => {
    const invoice = await pick((candidate) => Boolean(candidate.job?.number));
    const number = invoice.job?.number ?? "";
    expect(await ids(`jobNumber=${encodeURIComponent(number)}`)).toEqual(
      await expected((candidate) => candidate.job?.number === number),
    );
  });

  it("finds a customer's invoices, newest first", async () => {
    const invoices = await allInvoices();
    const counts = new Map<number, number>();
    for (const invoice of invoices)
      counts.set(invoice.customer?.id ?? 0, (counts.get(invoice.customer?.id ?? 0) ?? 0) + 1);
    const [customerId] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [0];
    const found = await ids(`customerId=${customerId}`);
    expect(found.length).toBeGreaterThan(2);
    expect(found).toEqual(await expected((invoice) => invoice.customer?.id === customerId));
  });

  it.each([
    ["repeated", "status=Pending&status=Posted"],
    ["comma-separated", "status=Pending,Posted"],
    ["in any case", "status=pending&status=POSTED"],
  ])("maps statuses given %s to ServiceTitan's repeated parameter", async (_, query) => {
    expect(await ids(`${query}&limit=100`)).toEqual(
      await expected((invoice) => invoice.syncStatus === "Pending" || invoice.syncStatus === "Posted", 100),
    );
  });

  it("treats modifiedSince as inclusive", async () => {
    const sorted = await expected(() => true, 1000);
    const invoices = await allInvoices();
    const boundary = invoices.find((invoice) => invoice.id === sorted[20]);
    const since = boundary?.modifiedOn ?? "";
    const found = await ids(`modifiedSince=${encodeURIComponent(since)}&limit=100`);
    expect(found).toContain(boundary?.id);
    expect(found).toEqual(
      await expected((invoice) => Date.parse(invoice.modifiedOn ?? "") >= Date.parse(since), 100),
    );
  });

  it("combines filters and honours the limit", async () => {
    const invoice = await pick((candidate) => candidate.syncStatus === "Exported");
    const customerId = invoice.customer?.id;
    expect(await ids(`customerId=${customerId}&status=Exported&limit=1`)).toEqual(
      await expected(
        (candidate) => candidate.customer?.id === customerId && candidate.syncStatus === "Exported",
        1,
      ),
    );
  });

  it("answers an empty array when nothing matches", async () => {
    expect(await ids("number=no-such-invoice")).toEqual([]);
  });

  it("ignores blank filters the way form builders send them", async () => {
    const invoice = await pick((candidate) => candidate.referenceNumber !== null);
    expect(
      await ids(`number=${invoice.referenceNumber}&jobNumber=&customerId=&status=&modifiedSince=`),
    ).toEqual([invoice.id]);
  });

  it.each([
    ["no filter at all", "", ""],
    ["only blank filters", "number=&status=", ""],
    ["a date without a time", "modifiedSince=2026-01-01", "modifiedSince"],
    ["an impossible date", "modifiedSince=2026-02-30T00:00:00Z", "modifiedSince"],
    ["a date without a zone", "modifiedSince=2026-01-01T00:00:00", "modifiedSince"],
    ["words for a date", "modifiedSince=yesterday", "modifiedSince"],
    ["an unknown status", "status=Paid", "status.0"],
    ["an unknown status among known ones", "status=Posted,Paid", "status.1"],
    ["a negative customer id", "customerId=-1", "customerId"],
    ["a customer id beyond 2^53 - 1", "customerId=9007199254740993", "customerId"],
    ["a non-numeric customer id", "customerId=abc", "customerId"],
    ["a limit of 0", "number=1&limit=0", "limit"],
    ["a limit over 100", "number=1&limit=101", "limit"],
    ["an unknown parameter", "numbr=100001", ""],
  ])("refuses %s with a field error", async (_, query, field) => {
    const before = upstreamCalls("Invoices_GetList");
    const body = await expectProblem(await find(query), 400, "validation-failed");
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: "query", field })]));
    expect(upstreamCalls("Invoices_GetList")).toBe(before);
  });

  it("says which filters it needs", async () => {
    const body = await expectProblem(await find(""), 400, "validation-failed");
    expect(body.errors).toEqual([
      {
        in: "query",
        field: "",
        message:
          "give at least one filter: number, jobNumber, customerId, adjustmentToId, status or modifiedSince",
      },
    ]);
  });
});

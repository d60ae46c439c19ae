// GET /invoices/batch: found invoices in the asked order, the ids not found, and exactly
// ⌈unique ids / 50⌉ calls to ServiceTitan.
import { callWorker, expectProblem, OTHER_TENANT } from "@st-edge/edge/testing";
import type { InvoiceView } from "@st-edge/views/invoice";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { allInvoices, testEnv, upstreamCalls } from "./helpers.ts";

interface Batch {
  invoices: InvoiceView[];
  notFound: number[];
}

const batch = async (ids: string) => callWorker(worker, await testEnv(), `/invoices/batch?ids=${ids}`);

describe("GET /invoices/batch", () => {
  it("answers 120 ids, some missing, in ⌈ids/50⌉ upstream calls", async () => {
    const ours = (await allInvoices()).slice(0, 110).map((invoice) => invoice.id);
    const theirs = (await allInvoices(OTHER_TENANT)).slice(0, 5).map((invoice) => invoice.id);
    const missing = [999_999_991, 999_999_992, 999_999_993, 999_999_994, 999_999_995];
    const ids = [...missing.slice(0, 2), ...ours, ...theirs, ...missing.slice(2)];
    expect(ids).toHaveLength(120);
    const before = upstreamCalls("Invoices_GetList");
    const response = await batch(ids.join(","));
    expect(response.status).toBe(200);
    expect(upstreamCalls("Invoices_GetList") - before).toBe(Math.ceil(120 / 50));
    const body = await response.json<Batch>();
    expect(body.invoices.map((invoice) => invoice.id)).toEqual(ours);
    expect(body.notFound).toEqual([...missing.slice(0, 2), ...theirs, ...missing.slice(2)]);
    expect(body.invoices[0]).toHaveProperty("amountPaid");
  });

  it("counts duplicate ids once, upstream and in the answer", async () => {
    const [first, second] = (await allInvoices()).map((invoice) => invoice.id);
    const ids = [first, second, first, ...Array.from({ length: 60 }, () => second)].join(",");
    const before = upstreamCalls("Invoices_GetList");
    const body = await (await batch(ids)).json<Batch>();
    expect(upstreamCalls("Invoices_GetList") - before).toBe(1);
    expect(body.invoices.map((invoice) => invoice.id)).toEqual([first, second]);
    expect(body.notFound).toEqual([]);
  });

  it("takes 200 ids", async () => {
    const ids = (await allInvoices()).slice(0, 200).map((invoice) => invoice.id);
    const before = upstreamCalls("Invoices_GetList");
    const body = await (await batch(ids.join(","))).json<Batch>();
    expect(upstreamCalls("Invoices_GetList") - before).toBe(4);
    expect(body.invoices).toHaveLength(200);
  });

  it.each([
    ["201 ids", Array.from({ length: 201 }, (_, index) => index + 1).join(",")],
    ["an id beyond 2^53 - 1", "1,9007199254740993"],
    ["a negative id", "1,-2"],
    ["a non-numeric id", "1,two"],
    ["an empty list", ""],
    ["a trailing comma", "1,2,"],
  ])("refuses %s with a field error, without calling ServiceTitan", async (_, ids) => {
    const before = upstreamCalls("Invoices_GetList");
    const body = await expectProblem(await batch(ids), 400, "validation-failed");
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: "query" })]));
    expect((body.errors as { field: string }[]).every((error) => error.field.startsWith("ids"))).toBe(true);
    expect(upstreamCalls("Invoices_GetList")).toBe(before);
  });

  it("needs ids", async () => {
    const body = await expectProblem(
      await callWorker(worker, await testEnv(), "/invoices/batch"),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual([expect.objectContaining({ in: "query", field: "ids" })]);
  });
});

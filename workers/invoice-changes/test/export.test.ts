// The export loop: marks with one result per invoice (a partial failure never fails the batch),
// and the drift trigger for invoices edited after they were marked, newest first, per version.
import { expectProblem } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { call, invoice, invoicePicker, invoices, send, testEnv } from "./support.ts";

const sim = createSimulator();
const pick = invoicePicker(sim);

interface DriftItem {
  id: string;
  invoiceId: number;
  modifiedOn: string;
  exportedVersion: string;
  exportedAs: string | null;
  summary: string | null;
}

const drift = async (e: Awaited<ReturnType<typeof testEnv>>) => {
  const response = await call(e, "/invoices/export-drift?limit=100");
  expect(response.status).toBe(200);
  return (await response.json()) as DriftItem[];
};

describe("marks", () => {
  it("answers one result per invoice, in order: an unknown and an inactive one fail alone", async () => {
    const e = await testEnv(sim);
    const [a, b] = [
      await pick((i) => i.syncStatus === "Posted"),
      await pick((i) => i.syncStatus === "Pending"),
    ];
    const inactive = (await invoices(sim)).find((i) => !i.active);
    if (!inactive) throw new Error("no inactive invoice");
    const response = await send(e, "POST", "/invoices/mark-exported", {
      invoices: [
        { invoiceId: a.id, externalId: "QB-501", externalMessage: "Synced to QuickBooks" },
        { invoiceId: 99999999, externalId: "QB-502" },
        { invoiceId: b.id },
        { invoiceId: inactive.id, externalId: "QB-503" },
      ],
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      results: { invoiceId: number; success: boolean; errorMessage: string | null }[];
      succeeded: number;
      failed: number;
    };
    expect(answer.results.map((r) => [r.invoiceId, r.success])).toEqual([
      [a.id, true],
      [99999999, false],
      [b.id, true],
      [inactive.id, false],
    ]);
    expect(answer.results[1]?.errorMessage).toContain("not found");
    expect(answer).toMatchObject({ succeeded: 2, failed: 2 });
    expect(await invoice(sim, a.id)).toMatchObject({ syncStatus: "Exported", exportId: "QB-501" });
    expect((await invoice(sim, b.id)).syncStatus).toBe("Exported");
    expect(sim.ledger(1000001).invoices.find((i) => i.id === a.id)?.exportMessage).toBe(
      "Synced to QuickBooks",
    );
  });

  it("refuses an empty batch, an id twice, placeholders and unknown fields (400)", async () => {
    const e = await testEnv(sim);
    for (const body of [
      { invoices: [] },
      { invoices: [{ invoiceId: 1 }, { invoiceId: 1 }] },
      { invoices: [{ invoiceId: 1, externalId: "{{qb.id}}" }] },
      { invoices: [{ invoiceId: 1, status: "Exported" }] },
      { invoiceIds: [1] },
    ]) {
      await expectProblem(await send(e, "POST", "/invoices/mark-exported", body), 400, "validation-failed");
    }
  });
});

describe("drift", () => {
  it("lists an invoice edited after its mark, newest first, once per version; marking it again ends it", async () => {
    const e = await testEnv(sim);
    const [first, second, untouched] = [
      await pick(() => true),
      await pick(() => true),
      await pick(() => true),
    ];
    const marked = await send(e, "POST", "/invoices/mark-exported", {
      invoices: [first, second, untouched].map((i, n) => ({ invoiceId: i.id, externalId: `XERO-${n}` })),
    });
    expect(((await marked.json()) as { succeeded: number }).succeeded).toBe(3);
    // The marks themselves are not drift.
    const ours = (items: DriftItem[]) =>
      items.filter((item) => [first.id, second.id, untouched.id].includes(item.invoiceId));
    expect(ours(await drift(e))).toEqual([]);

    // The office edits two of them afterwards (the discount the books never heard of).
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(
      (await send(e, "PATCH", `/invoices/${first.id}`, { summary: "Discount agreed on the phone" })).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await send(e, "PATCH", `/invoices/${second.id}`, { dueDate: "2027-01-15" })).status).toBe(200);
    const listed = ours(await drift(e));
    expect(listed.map((item) => item.invoiceId)).toEqual([second.id, first.id]);
    const edited = await invoice(sim, first.id);
    expect(listed[1]).toMatchObject({
      id: `${first.id}-${edited.modifiedOn}`,
      invoiceId: first.id,
      exportedAs: "XERO-0",
      summary: "Discount agreed on the phone",
    });
    expect(String(listed[1]?.exportedVersion) < String(edited.modifiedOn)).toBe(true);

    // A second edit is a new version: a new id.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await send(e, "PATCH", `/invoices/${first.id}`, { summary: "Discount: 10 %" })).status).toBe(200);
    const again = ours(await drift(e));
    expect(again[0]?.invoiceId).toBe(first.id);
    expect(again[0]?.id).not.toBe(listed[1]?.id);

    // The books are corrected and it is marked again: no longer drifted.
    await send(e, "POST", "/invoices/mark-exported", {
      invoices: [{ invoiceId: first.id, externalId: "XERO-0" }],
    });
    expect(ours(await drift(e)).map((item) => item.invoiceId)).toEqual([second.id]);
  });

  it("refuses unknown parameters and a limit out of range", async () => {
    const e = await testEnv(sim);
    await expectProblem(await call(e, "/invoices/export-drift?since=2026-01-01"), 400, "validation-failed");
    await expectProblem(await call(e, "/invoices/export-drift?limit=500"), 400, "validation-failed");
  });
});

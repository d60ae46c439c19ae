// PATCH /invoices/{id}: only the fields sent reach ServiceTitan, the answer is what it then holds,
// placeholders and unknown fields are refused, and ServiceTitan's locks become 422s of their own.
import { expectProblem } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { afterEach, describe, expect, it } from "vitest";
import { call, invoice, invoicePicker, send, testEnv } from "./support.ts";

const sim = createSimulator();
const pick = invoicePicker(sim);

afterEach(() => {
  sim.configure({ invoiceLocks: { items: ["Posted", "Exported"], fields: [] } });
});

describe("fields", () => {
  it("sends only the fields given and answers the invoice as ServiceTitan holds it", async () => {
    const e = await testEnv(sim);
    const before = await pick((candidate) => candidate.syncStatus === "Exported");
    const response = await send(e, "PATCH", `/invoices/${before.id}`, {
      summary: "Replaced the condenser fan motor",
      dueDate: "2026-12-31",
      reviewStatus: "Reviewed",
      exportId: "QB-1042",
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    const after = await invoice(sim, before.id);
    expect(answer).toMatchObject({
      id: before.id,
      summary: "Replaced the condenser fan motor",
      reviewStatus: "Reviewed",
      exportId: "QB-1042",
      dueDate: after.dueDate,
      modifiedOn: after.modifiedOn,
    });
    expect(after.dueDate?.startsWith("2026-12-31")).toBe(true);
    // What was not sent did not change.
    expect(after).toMatchObject({
      invoiceDate: before.invoiceDate,
      total: before.total,
      balance: before.balance,
      assignedTo: before.assignedTo,
      referenceNumber: before.referenceNumber,
    });
  });

  it("clears a field sent as null", async () => {
    const e = await testEnv(sim);
    const target = await pick((candidate) => candidate.summary !== null);
    const response = await send(e, "PATCH", `/invoices/${target.id}`, { summary: null, exportId: null });
    expect(response.status).toBe(200);
    expect(await invoice(sim, target.id)).toMatchObject({ summary: null, exportId: null });
  });

  it("refuses placeholders, unknown fields and parameters, and an empty change, writing nothing", async () => {
    const e = await testEnv(sim);
    const target = await pick(() => true);
    const cases: [unknown, string][] = [
      [{ summary: "{{1.summary}}" }, "summary"],
      [{ exportId: "null" }, "exportId"],
      [{ royaltyMemo: "" }, "royaltyMemo"],
      [{ dueDate: "2026-12-31T00:00:00Z" }, "dueDate"],
      [{ subtotal: 10 }, ""],
      [{ reviewStatus: "Done" }, "reviewStatus"],
      [{}, ""],
    ];
    for (const [body, field] of cases) {
      const problem = await expectProblem(
        await send(e, "PATCH", `/invoices/${target.id}`, body),
        400,
        "validation-failed",
      );
      expect(JSON.stringify(problem.errors), JSON.stringify(body)).toContain(`"field":"${field}`);
    }
    await expectProblem(
      await call(e, `/invoices/${target.id}?force=true`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ summary: "x" }),
      }),
      400,
      "validation-failed",
    );
    expect((await invoice(sim, target.id)).modifiedOn).toBe(target.modifiedOn);
  });

  it("answers 404 invoice-not-found for an invoice this tenant does not have", async () => {
    const e = await testEnv(sim);
    await expectProblem(
      await send(e, "PATCH", "/invoices/99999999", { summary: "x" }),
      404,
      "invoice-not-found",
    );
  });
});

describe("locks (a simulator setting: which states lock is UNCONFIRMED)", () => {
  it("a field lock on exported invoices is a 422 invoice-locked; nothing changes", async () => {
    sim.configure({ invoiceLocks: { items: ["Posted", "Exported"], fields: ["Exported"] } });
    const e = await testEnv(sim);
    const target = await pick((candidate) => candidate.syncStatus === "Exported");
    const problem = await expectProblem(
      await send(e, "PATCH", `/invoices/${target.id}`, { summary: "edited after export" }),
      422,
      "invoice-locked",
    );
    expect(problem).toMatchObject({ invoiceId: target.id, reason: "Exported" });
    expect((await invoice(sim, target.id)).summary).toBe(target.summary);
  });

  it("a new tax zone on a posted invoice is a 422 invoice-items-locked", async () => {
    const e = await testEnv(sim);
    // Nothing paid on it: the change fits its balance, so it is ServiceTitan that refuses.
    const target = await pick(
      (candidate) =>
        candidate.syncStatus === "Posted" &&
        candidate.taxZoneId !== null &&
        candidate.balance === candidate.total,
    );
    const other = (await invoice(sim, target.id)).taxZoneId;
    const problem = await expectProblem(
      await send(e, "PATCH", `/invoices/${target.id}`, { taxZoneId: other }),
      422,
      "invoice-items-locked",
    );
    expect(String(problem.detail)).toContain("adjustment invoice");
  });
});

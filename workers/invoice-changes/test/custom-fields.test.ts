// Custom fields: the tenant's types, and values set on an invoice, checked against those types.
import { expectProblem } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import { call, invoice, invoicePicker, send, testEnv } from "./support.ts";

const sim = createSimulator();
const pick = invoicePicker(sim);

describe("custom field types", () => {
  it("lists every invoice custom field type of the tenant", async () => {
    const response = await call(await testEnv(sim), "/invoices/custom-field-types");
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as {
      data: { name: string; dataType: string; dataTypeOptions: string[] | null }[];
    };
    expect(data.map((type) => type.name).sort()).toEqual([
      "Job Source",
      "Ledger Ref",
      "PO Number",
      "Warranty Months",
    ]);
    expect(data.find((type) => type.name === "Job Source")).toMatchObject({ dataType: "Dropdown" });
    expect(data.find((type) => type.name === "Job Source")?.dataTypeOptions?.length).toBeGreaterThan(0);
  });
});

describe("setting values", () => {
  it("sets the named fields (names and options in any case), keeps the others, and null removes one", async () => {
    const e = await testEnv(sim);
    const types = (
      (await (await call(e, "/invoices/custom-field-types")).json()) as {
        data: { name: string; dataTypeOptions: string[] | null }[];
      }
    ).data;
    const option = types.find((type) => type.name === "Job Source")?.dataTypeOptions?.[0] ?? "";
    const target = await pick(() => true);
    const response = await send(e, "PATCH", `/invoices/${target.id}/custom-fields`, {
      customFields: [
        { name: "po number", value: "PO-2405" },
        { name: "Job Source", value: option.toUpperCase() },
        { name: "Warranty Months", value: "12" },
      ],
    });
    expect(response.status).toBe(200);
    const after = await invoice(sim, target.id);
    expect(after.customFields).toEqual(
      expect.arrayContaining([
        { name: "PO Number", value: "PO-2405" },
        { name: "Job Source", value: option },
        { name: "Warranty Months", value: "12" },
      ]),
    );
    expect(((await response.json()) as Invoice).customFields).toEqual(after.customFields);
    // The filter ServiceTitan offers finds it.
    const cleared = await send(e, "PATCH", `/invoices/${target.id}/custom-fields`, {
      customFields: [{ name: "PO Number", value: null }],
    });
    expect(cleared.status).toBe(200);
    const again = await invoice(sim, target.id);
    expect(again.customFields?.some((field) => field.name === "PO Number")).toBe(false);
    expect(again.customFields?.some((field) => field.name === "Warranty Months")).toBe(true);
  });

  it("refuses names and values that do not fit the tenant's types (422, every field named), writing nothing", async () => {
    const e = await testEnv(sim);
    const target = await pick(() => true);
    const problem = await expectProblem(
      await send(e, "PATCH", `/invoices/${target.id}/custom-fields`, {
        customFields: [
          { name: "Purchase Order", value: "x" },
          { name: "Job Source", value: "Billboard on the moon" },
          { name: "Warranty Months", value: "twelve" },
        ],
      }),
      422,
      "unprocessable",
    );
    expect((problem.errors as { field: string }[]).map((error) => error.field)).toEqual([
      "customFields.0.name",
      "customFields.1.value",
      "customFields.2.value",
    ]);
    expect((await invoice(sim, target.id)).customFields).toEqual(target.customFields);
  });

  it("refuses placeholders and an empty list (400)", async () => {
    const e = await testEnv(sim);
    const target = await pick(() => true);
    for (const body of [
      { customFields: [] },
      { customFields: [{ name: "PO Number", value: "{{1.po}}" }] },
      { customFields: [{ name: "PO Number" }] },
    ]) {
      await expectProblem(
        await send(e, "PATCH", `/invoices/${target.id}/custom-fields`, body),
        400,
        "validation-failed",
      );
    }
  });
});

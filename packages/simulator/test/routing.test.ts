import { describe, expect, it } from "vitest";
import { DEMO_TENANTS, IMPLEMENTED_OPERATIONS } from "../src/index.ts";
import { ORIGIN, type Problem, session, testSimulator } from "./helpers.ts";

describe("routing", () => {
  it("describes itself at /", async () => {
    const { sim } = testSimulator();
    const body = await (await sim.fetch(new Request(`${ORIGIN}/`))).json<{
      tenants: { tenantId: number }[];
      operations: string[];
      tokenUrl: string;
    }>();
    expect(body.tenants.map((tenant) => tenant.tenantId)).toEqual(
      DEMO_TENANTS.map((tenant) => tenant.tenantId),
    );
    expect(body.operations).toEqual([...IMPLEMENTED_OPERATIONS]);
    expect(body.tokenUrl).toBe(`${ORIGIN}/connect/token`);
  });

  it("answers 501 for spec operations it does not model, 405 for wrong methods, 404 elsewhere", async () => {
    const { sim } = testSimulator();
    const s = await session(sim);
    const notModelled = await s.get("/gl-accounts");
    expect(notModelled.status).toBe(501);
    expect((await notModelled.json<Problem>()).data).toEqual({ operationId: "GlAccounts_GetList" });
    // A literal segment the spec declares wins over the {billId} parameter.
    expect((await s.get("/ap-bills/custom-fields")).status).toBe(501);
    const wrongMethod = await s.request("DELETE", "/invoices");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("Allow")).toBe("GET, POST");
    expect((await s.get("/nothing-here")).status).toBe(404);
    expect((await s.get("/invoices/?pageSize=1")).status).toBe(200);
    expect((await sim.fetch(new Request(`${ORIGIN}/elsewhere`))).status).toBe(404);
  });

  it("rejects a non-integer tenant with a 400 naming it", async () => {
    const { sim } = testSimulator();
    const response = await sim.fetch(new Request(`${ORIGIN}/accounting/v2/tenant/abc/invoices`));
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors).toHaveProperty("tenant");
  });
});

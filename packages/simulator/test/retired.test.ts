// Operations switched off with `retiredOperations` (or SIM_RETIRED_OPERATIONS): answered as a
// removed route would be, before authentication, and nothing is applied.
import { describe, expect, it } from "vitest";
import { simulatorFromEnv } from "../src/worker.ts";
import { issueToken, ORIGIN, TENANT, testSimulator } from "./helpers.ts";

const createPayment = (token: string) =>
  new Request(`${ORIGIN}/accounting/v2/tenant/${TENANT}/payments`, {
    method: "POST",
    headers: { Authorization: token, "ST-App-Key": "demo-app-key", "Content-Type": "application/json" },
    body: JSON.stringify({ typeId: 1, splits: [] }),
  });

describe("retired operations", () => {
  it("answers 404 to Payments_Create and writes nothing, while the rest of /payments works", async () => {
    const { sim } = testSimulator({ retiredOperations: ["Payments_Create"] });
    const token = await issueToken(sim);
    const before = sim.ledger(TENANT).payments.length;
    const response = await sim.fetch(createPayment(token));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      status: 404,
      title: expect.stringContaining("No route matches"),
    });
    expect(sim.ledger(TENANT).payments.length).toBe(before);
    const list = await sim.fetch(
      new Request(`${ORIGIN}/accounting/v2/tenant/${TENANT}/payments?pageSize=1`, {
        headers: { Authorization: token, "ST-App-Key": "demo-app-key" },
      }),
    );
    expect(list.status).toBe(200);
  });

  it("answers 404 even without credentials, as a missing route does", async () => {
    const { sim } = testSimulator({ retiredOperations: ["Payments_Create"] });
    expect((await sim.fetch(createPayment("not-a-token"))).status).toBe(404);
  });

  it("reads SIM_RETIRED_OPERATIONS", async () => {
    const sim = simulatorFromEnv({ SIM_RETIRED_OPERATIONS: " Payments_Create, " });
    expect((await sim.fetch(createPayment(await issueToken(sim)))).status).toBe(404);
    const live = simulatorFromEnv({});
    expect((await live.fetch(createPayment(await issueToken(live)))).status).not.toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import worker, { simulatorFromEnv } from "../src/worker.ts";
import { ORIGIN, tokenRequest } from "./helpers.ts";

describe("worker entry", () => {
  it("serves the simulator from its default export", async () => {
    const response = await worker.fetch(new Request(`${ORIGIN}/`), {});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "servicetitan-simulator" });
  });

  it("reads its settings from env vars", async () => {
    const sim = simulatorFromEnv({
      SIM_TOKEN_LIFETIME_SECONDS: "120",
      SIM_TOKEN_RATE_LIMIT: "1/60",
      SIM_APP_KEYS: "a, b",
      SIM_INVOICE_COUNT: "30",
    });
    const body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
    expect(await (await sim.fetch(tokenRequest(body))).json()).toMatchObject({ expires_in: 120 });
    expect((await sim.fetch(tokenRequest(body))).status).toBe(429);
    expect(sim.ledger(1000001).invoices).toHaveLength(30);
    expect(() => simulatorFromEnv({ SIM_SEED: "forty-two" })).toThrow("SIM_SEED");
  });
});

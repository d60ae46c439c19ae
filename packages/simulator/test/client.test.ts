// The simulator as consumers meet it: @st-edge/servicetitan's client, with its token provider,
// auth, retries and error handling, pointed at SIMULATOR_HOSTS with the simulator's fetch.
import {
  createMemoryTokenProvider,
  createServiceTitanClient,
  ServiceTitanError,
  tokenUrl,
  unwrap,
} from "@st-edge/servicetitan";
import { describe, expect, it } from "vitest";
import { DEMO_APP_KEY, SIMULATOR_HOSTS } from "../src/index.ts";
import { TENANT, testSimulator } from "./helpers.ts";

function client(scheme: "raw" | "bearer" = "raw") {
  const { sim, clock } = testSimulator();
  const fetch = (request: Request) => sim.fetch(request);
  const tokens = createMemoryTokenProvider({
    tokenUrl: tokenUrl(SIMULATOR_HOSTS),
    credentials: { clientId: "demo-client", clientSecret: "demo-secret" },
    fetch,
    clock,
  });
  const st = createServiceTitanClient({
    environment: SIMULATOR_HOSTS,
    tenantId: TENANT,
    appKey: DEMO_APP_KEY,
    tokens,
    fetch,
    clock,
    authorizationScheme: scheme,
    retry: { clock, random: () => 0.5 },
  });
  return { sim, st };
}

describe("with @st-edge/servicetitan's client", () => {
  it.each(["raw", "bearer"] as const)(
    "reads invoices with a %s token, fetching the token once",
    async (scheme) => {
      const { sim, st } = client(scheme);
      const first = unwrap(await st.GET("/tenant/{tenant}/invoices", { params: { query: { pageSize: 5 } } }));
      const second = unwrap(
        await st.GET("/tenant/{tenant}/invoices", { params: { query: { page: 2, pageSize: 5 } } }),
      );
      expect(first.data).toHaveLength(5);
      expect(second.data[0]?.id).not.toBe(first.data[0]?.id);
      expect(sim.stats().tokenRequests.total).toBe(1);
    },
  );

  it("recovers from a revoked token with one new token request", async () => {
    const { sim, st } = client();
    await st.GET("/tenant/{tenant}/payment-types");
    sim.revokeTokens(TENANT);
    const { data } = await st.GET("/tenant/{tenant}/payment-types");
    expect(data?.data.length).toBeGreaterThan(0);
    expect(sim.stats().tokenRequests.total).toBe(2);
  });

  it("retries a 503 on a read and surfaces a 400's field errors", async () => {
    const { sim, st } = client();
    sim.setFaults(TENANT, [{ fault: "status=503", operationId: "TaxZones_GetList", times: 1 }]);
    const { data } = await st.GET("/tenant/{tenant}/tax-zones");
    expect(data?.data.length).toBeGreaterThan(0);
    expect(sim.stats().calls.TaxZones_GetList).toBe(2);
    const failure = await st
      .POST("/tenant/{tenant}/payments", { body: { typeId: 1 } })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceTitanError);
    if (failure instanceof ServiceTitanError) {
      expect(failure.status).toBe(400);
      expect(failure.problem.errors).toHaveProperty("typeId");
    }
  });
});

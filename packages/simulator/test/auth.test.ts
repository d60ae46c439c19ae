import { describe, expect, it } from "vitest";
import { DEMO_APP_KEY } from "../src/index.ts";
import { issueToken, ORIGIN, OTHER_TENANT, type Problem, TENANT, testSimulator } from "./helpers.ts";

const invoicesOf = (tenant: number) => `${ORIGIN}/accounting/v2/tenant/${tenant}/invoices?pageSize=1`;

describe("accounting auth", () => {
  it.each([
    ["no app key", (token: string) => ({ Authorization: token }), "The ST-App-Key header is required."],
    [
      "unknown app key",
      (token: string) => ({ "ST-App-Key": "nope", Authorization: token }),
      "The ST-App-Key is not valid.",
    ],
    ["no token", () => ({ "ST-App-Key": DEMO_APP_KEY }), "The Authorization header is required."],
    [
      "unknown token",
      () => ({ "ST-App-Key": DEMO_APP_KEY, Authorization: "made-up" }),
      "The access token is not valid.",
    ],
  ])("%s → 401 with the envelope", async (_name, headers, title) => {
    const { sim } = testSimulator();
    const token = await issueToken(sim);
    const response = await sim.fetch(new Request(invoicesOf(TENANT), { headers: headers(token) }));
    expect(response.status).toBe(401);
    const problem = await response.json<Problem>();
    expect(problem).toMatchObject({ status: 401, title, errors: {}, data: {} });
    expect(problem.traceId).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it.each([
    ["raw", (token: string) => token],
    ["Bearer", (token: string) => `Bearer ${token}`],
    ["lower-case bearer", (token: string) => `bearer ${token}`],
  ])("accepts the token %s", async (_name, authorization) => {
    const { sim } = testSimulator();
    const token = await issueToken(sim);
    const response = await sim.fetch(
      new Request(invoicesOf(TENANT), {
        headers: { "ST-App-Key": DEMO_APP_KEY, Authorization: authorization(token) },
      }),
    );
    expect(response.status).toBe(200);
  });

  it("refuses tenant A's token on tenant B's path with 403", async () => {
    const { sim } = testSimulator();
    const token = await issueToken(sim);
    const response = await sim.fetch(
      new Request(invoicesOf(OTHER_TENANT), {
        headers: { "ST-App-Key": DEMO_APP_KEY, Authorization: token },
      }),
    );
    expect(response.status).toBe(403);
    expect((await response.json<Problem>()).title).toBe(
      `The access token was not issued for tenant ${OTHER_TENANT}.`,
    );
    const unknownTenant = await sim.fetch(
      new Request(invoicesOf(3000003), { headers: { "ST-App-Key": DEMO_APP_KEY, Authorization: token } }),
    );
    expect(unknownTenant.status).toBe(403);
  });

  it("revoking a tenant's tokens gives its cached token a 401 and leaves other tenants alone", async () => {
    const { sim } = testSimulator();
    const mine = await issueToken(sim);
    const theirs = await issueToken(sim, "other-client", "other-secret");
    sim.revokeTokens(TENANT);
    const call = (tenant: number, token: string) =>
      sim.fetch(
        new Request(invoicesOf(tenant), { headers: { "ST-App-Key": DEMO_APP_KEY, Authorization: token } }),
      );
    expect((await call(TENANT, mine)).status).toBe(401);
    expect((await call(OTHER_TENANT, theirs)).status).toBe(200);
    const fresh = await issueToken(sim);
    expect((await call(TENANT, fresh)).status).toBe(200);
    sim.revokeTokens();
    expect((await call(OTHER_TENANT, theirs)).status).toBe(401);
  });

  it("accepts any configured app key", async () => {
    const { sim } = testSimulator({ appKeys: ["key-one", "key-two"] });
    const token = await issueToken(sim);
    const call = (appKey: string) =>
      sim.fetch(new Request(invoicesOf(TENANT), { headers: { "ST-App-Key": appKey, Authorization: token } }));
    expect((await call("key-two")).status).toBe(200);
    expect((await call(DEMO_APP_KEY)).status).toBe(401);
  });
});

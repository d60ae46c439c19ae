import { describe, expect, it } from "vitest";
import { DEMO_APP_KEY } from "../src/index.ts";
import { ORIGIN, type Problem, TENANT, testSimulator, tokenRequest } from "./helpers.ts";

const good = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";

describe("POST /connect/token", () => {
  it("issues an opaque token bound to the client's tenant, 900 s by default", async () => {
    const { sim } = testSimulator();
    const response = await sim.fetch(tokenRequest(good));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await response.json<{
      access_token: string;
      expires_in: number;
      token_type: string;
      scope: string;
    }>();
    expect(body.expires_in).toBe(900);
    expect(body.token_type).toBe("Bearer");
    expect(body.scope).toContain("tn.acc.payments:w");
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const again = await (await sim.fetch(tokenRequest(good))).json<{ access_token: string }>();
    expect(again.access_token).not.toBe(body.access_token);
  });

  it.each([
    [
      "wrong secret",
      "grant_type=client_credentials&client_id=demo-client&client_secret=nope",
      401,
      "invalid_client",
    ],
    [
      "unknown client",
      "grant_type=client_credentials&client_id=ghost&client_secret=demo-secret",
      401,
      "invalid_client",
    ],
    [
      "wrong grant",
      "grant_type=password&client_id=demo-client&client_secret=demo-secret",
      400,
      "unsupported_grant_type",
    ],
    ["missing secret", "grant_type=client_credentials&client_id=demo-client", 400, "invalid_request"],
    ["missing grant", "client_id=demo-client&client_secret=demo-secret", 400, "invalid_request"],
  ])("%s → %i %s", async (_name, body, status, error) => {
    const { sim } = testSimulator();
    const response = await sim.fetch(tokenRequest(body));
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
  });

  it("wants a form body", async () => {
    const { sim } = testSimulator();
    const response = await sim.fetch(
      new Request(`${ORIGIN}/connect/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          grant_type: "client_credentials",
          client_id: "demo-client",
          client_secret: "demo-secret",
        }),
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  it("throttles a client beyond its rate with 429 and Retry-After, and lets it in again when the window moves", async () => {
    const { sim, clock } = testSimulator({ tokenRateLimit: { requests: 3, perSeconds: 60 } });
    for (let i = 0; i < 3; i++) {
      expect((await sim.fetch(tokenRequest(good))).status).toBe(200);
      clock.advance(10_000);
    }
    const throttled = await sim.fetch(tokenRequest(good));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toBe("30");
    const problem = await throttled.json<Problem>();
    expect(problem.title).toBe("Rate limit is exceeded. Try again in 30 seconds.");
    // Other clients have their own window.
    const other = await sim.fetch(
      tokenRequest("grant_type=client_credentials&client_id=other-client&client_secret=other-secret"),
    );
    expect(other.status).toBe(200);
    clock.advance(30_000);
    expect((await sim.fetch(tokenRequest(good))).status).toBe(200);
  });

  it("counts every token request per client id, whatever the answer", async () => {
    const { sim } = testSimulator();
    await sim.fetch(tokenRequest(good));
    await sim.fetch(tokenRequest(good));
    await sim.fetch(tokenRequest("grant_type=client_credentials&client_id=demo-client&client_secret=wrong"));
    await sim.fetch(
      tokenRequest("grant_type=client_credentials&client_id=other-client&client_secret=other-secret"),
    );
    await sim.fetch(tokenRequest("grant_type=client_credentials"));
    expect(sim.stats().tokenRequests).toEqual({
      total: 5,
      byClient: { "demo-client": 3, "other-client": 1, "": 1 },
    });
  });

  it("expires tokens by the injected clock, and honours a configured shorter lifetime", async () => {
    const { sim, clock } = testSimulator({ tokenLifetimeSeconds: 60 });
    const { access_token: token, expires_in: expiresIn } = await (await sim.fetch(tokenRequest(good))).json<{
      access_token: string;
      expires_in: number;
    }>();
    expect(expiresIn).toBe(60);
    const call = () =>
      sim.fetch(
        new Request(`${ORIGIN}/accounting/v2/tenant/${TENANT}/payment-types`, {
          headers: { "ST-App-Key": DEMO_APP_KEY, Authorization: token },
        }),
      );
    clock.advance(59_999);
    expect((await call()).status).toBe(200);
    clock.advance(1);
    const expired = await call();
    expect(expired.status).toBe(401);
    expect((await expired.json<Problem>()).title).toBe("The access token has expired.");
    sim.configure({ tokenLifetimeSeconds: 5 });
    expect((await (await sim.fetch(tokenRequest(good))).json<{ expires_in: number }>()).expires_in).toBe(5);
  });
});

// OAuth 2.1 as an MCP client meets it (MCP_PUBLIC_URL set): a 401 challenge pointing at the
// resource metadata, discovery, dynamic registration, the consent page signing in with an API key,
// PKCE, the token, then tools with the access token; API keys keep working beside it, and
// removing a key from API_KEY_HASHES ends the grants made with it.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { hashApiKey } from "@st-edge/edge";
import { createSimulator } from "@st-edge/simulator";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { callTool, deployment, type McpEnv, post, rpcAnswer, TEST_API_KEY } from "./support.ts";

const sim = createSimulator();
const ORIGIN = "https://mcp.test";
const REDIRECT = "https://client.test/callback";
let env: McpEnv;

async function send(request: Request, e: McpEnv = env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

/** Cookies from Set-Cookie, as a browser would send them back. */
const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");

beforeAll(async () => {
  ({ env } = await deployment(sim, { MCP_PUBLIC_URL: ORIGIN } as Partial<McpEnv>));
});

/** Registers a client and walks the authorization code flow with `apiKey` on the consent page. */
async function authorize(apiKey: string) {
  const registered = await send(
    new Request(`${ORIGIN}/oauth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        redirect_uris: [REDIRECT],
        client_name: "Bookkeeping <b>agent</b>",
        token_endpoint_auth_method: "none",
      }),
    }),
  );
  expect(registered.status).toBe(201);
  const { client_id } = await registered.json<{ client_id: string }>();
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "state-123",
    scope: "accounting",
    resource: `${ORIGIN}/mcp`,
  });
  const consent = await send(new Request(`${ORIGIN}/authorize?${query}`));
  expect(consent.status).toBe(200);
  const page = await consent.text();
  const handle = /name="handle" value="([^"]+)"/.exec(page)?.[1] ?? "";
  const answer = await send(
    new Request(`${ORIGIN}/authorize?${query}`, {
      method: "POST",
      headers: { Cookie: cookiesOf(consent), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ handle, decision: "approve", apiKey }),
      redirect: "manual",
    }),
  );
  return { client_id, verifier, page, answer, consent, query, handle };
}

async function token(client_id: string, verifier: string, code: string) {
  const response = await send(
    new Request(`${ORIGIN}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT,
        client_id,
        code_verifier: verifier,
        resource: `${ORIGIN}/mcp`,
      }),
    }),
  );
  expect(response.status).toBe(200);
  return (await response.json<{ access_token: string }>()).access_token;
}

describe("OAuth 2.1", () => {
  it("challenges a caller without a credential, pointing at the resource metadata", async () => {
    const response = await post(env, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { key: null });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(
      /resource_metadata="https:\/\/mcp\.test\/\.well-known\/oauth-protected-resource/,
    );
    const metadata = await send(new Request(`${ORIGIN}/.well-known/oauth-protected-resource/mcp`));
    expect(await metadata.json()).toMatchObject({
      resource: `${ORIGIN}/mcp`,
      authorization_servers: [ORIGIN],
    });
    const server = await send(new Request(`${ORIGIN}/.well-known/oauth-authorization-server`));
    expect(await server.json()).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/oauth/token`,
      registration_endpoint: `${ORIGIN}/oauth/register`,
      code_challenge_methods_supported: ["S256"],
    });
  });

  it("grants a token through the consent page with an API key, and the tools answer with it", async () => {
    const { client_id, verifier, page, answer } = await authorize(TEST_API_KEY);
    expect(page).toContain("Bookkeeping &#60;b&#62;agent&#60;/b&#62;");
    expect(page).toContain("client.test");
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get("Location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("state-123");
    const accessToken = await token(client_id, verifier, location.searchParams.get("code") ?? "");
    expect(accessToken).not.toContain(TEST_API_KEY);
    const answered = await callTool(env, "find_invoices", { status: ["Pending"], limit: 1 }, accessToken);
    expect(answered.isError).toBe(false);
    expect(answered.body.invoices).toHaveLength(1);
    // The key it stands for is removed from the deployment: the grant ends with it.
    const rotated = { ...env, API_KEY_HASHES: await hashApiKey("another-key-entirely-0123456789") };
    const refused = await post(
      rotated,
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { key: accessToken },
    );
    expect(refused.status).toBe(401);
  });

  it("refuses a key that is not the deployment's on the consent page, granting nothing", async () => {
    const { answer } = await authorize("not-a-key-of-this-deployment");
    expect(answer.status).toBe(401);
    expect(answer.headers.get("Location")).toBeNull();
    expect(await answer.text()).toContain("not an API key of this deployment");
  });

  it("sends the browser back with access_denied when the person cancels", async () => {
    const first = await authorize(TEST_API_KEY);
    const { consent, query } = first;
    const page = await send(new Request(`${ORIGIN}/authorize?${query}`));
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const denied = await send(
      new Request(`${ORIGIN}/authorize?${query}`, {
        method: "POST",
        headers: {
          Cookie: cookiesOf(page) || cookiesOf(consent),
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ handle, decision: "deny" }),
        redirect: "manual",
      }),
    );
    expect(denied.status).toBe(302);
    expect(new URL(denied.headers.get("Location") ?? "").searchParams.get("error")).toBe("access_denied");
  });

  it("still takes the deployment's API keys directly, as Bearer or X-Api-Key", async () => {
    const bearer = await callTool(env, "list_payment_terms", {}, TEST_API_KEY);
    expect(bearer.isError).toBe(false);
    const viaHeader = await post(
      env,
      { jsonrpc: "2.0", id: 3, method: "tools/list" },
      { key: null, headers: { "X-Api-Key": TEST_API_KEY } },
    );
    expect(viaHeader.status).toBe(200);
    expect((await rpcAnswer(viaHeader)).result).toMatchObject({ tools: expect.any(Array) });
    expect((await post(env, { jsonrpc: "2.0", id: 4, method: "tools/list" }, { key: "wrong" })).status).toBe(
      401,
    );
  });
});

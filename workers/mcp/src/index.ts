// The MCP worker: a remote MCP server (Streamable HTTP at /mcp, stateless, on agents'
// createMcpHandler and the MCP SDK) whose tools call the tenant's capability workers through
// service bindings (capabilities.ts). Callers authenticate with the deployment's API keys, as on
// every worker (createWorkerApp's caller auth), or with an OAuth access token standing for one
// (oauth.ts, consent.ts); the key is forwarded to the workers, which check it again. /healthz is
// open; everything else is a problem+json 404.
import { createWorkerApp, presentedKey } from "@st-edge/edge";
import { createMcpHandler } from "agents/mcp/server";
import { callerOf } from "./caller.ts";
import { answerConsent, showConsent } from "./consent.ts";
import { AUTHORIZE_PATH, type OAuthEnv, withOAuth } from "./oauth.ts";
import { serverFor } from "./server.ts";

const MCP_ROUTE = "/mcp";
/** The largest JSON-RPC message taken: a 50-split payment or a confirmation token fit many times over. */
const MAX_MESSAGE_BYTES = 64 * 1024;

// The consent page signs people in with an API key of its own form, not a header.
const app = createWorkerApp<OAuthEnv>({ name: "mcp", open: [AUTHORIZE_PATH] });

app.get(AUTHORIZE_PATH, showConsent);
app.post(AUTHORIZE_PATH, answerConsent);

app.all(MCP_ROUTE, async function mcp(c) {
  // Caller auth has accepted this key; it is only ever sent on to the capability workers.
  const apiKey = presentedKey(c.req.raw.headers) ?? "";
  const caller = await callerOf(apiKey, { requestId: c.var.requestId, deadline: c.var.deadline, env: c.env });
  const handler = createMcpHandler(() => serverFor(caller), {
    route: MCP_ROUTE,
    maxRequestBodySize: MAX_MESSAGE_BYTES,
  });
  return handler.fetch(c.req.raw);
});

export default withOAuth(app, MCP_ROUTE);

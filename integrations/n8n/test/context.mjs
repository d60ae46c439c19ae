// A hand-made n8n execution context, as n8n gives one to a node: parameters, credentials, input
// items, static data, and the HTTP helper that applies the credential's `authenticate` block. Only
// n8n's side is stood in for; every request goes to the real workers.
import { ServiceTitanEdgeApi } from "../dist/credentials/ServiceTitanEdgeApi.credentials.js";

const credentialType = new ServiceTitanEdgeApi();

/** Resolves `=…{{$credentials.name}}…` the way n8n fills a credential's expressions. */
function resolveExpression(value, credentials) {
  if (typeof value !== "string" || !value.startsWith("=")) return value;
  return value
    .slice(1)
    .replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, name) => String(credentials[name] ?? ""));
}

/** What n8n's httpRequestWithAuthentication does with our options, over fetch. */
async function httpRequest(credentials, options) {
  const headers = { ...options.headers };
  for (const [name, value] of Object.entries(credentialType.authenticate.properties.headers ?? {})) {
    headers[name] = resolveExpression(value, credentials);
  }
  const url = new URL(options.url);
  for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.set(key, String(value));
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method: options.method ?? "GET", headers, body });
  const text = await response.text();
  let parsed = text;
  if (options.json) {
    try {
      parsed = text === "" ? "" : JSON.parse(text);
    } catch {}
  }
  if (!options.ignoreHttpStatusErrors && response.status >= 400) throw new Error(`HTTP ${response.status}`);
  const responseHeaders = Object.fromEntries(response.headers.entries());
  return options.returnFullResponse
    ? { statusCode: response.status, headers: responseHeaders, body: parsed }
    : parsed;
}

/**
 * @example const ctx = context({ credentials, parameters: { resource: "invoice", operation: "findInvoices" } });
 *   await new ServiceTitanEdge().execute.call(ctx);
 */
export function context({
  credentials,
  parameters = {},
  items = [{ json: {} }],
  continueOnFail = false,
  mode = "trigger",
  staticData = {},
  workflowId = "wf-1",
  nodeId = "node-1",
  webhookUrl = "http://127.0.0.1:9/webhook",
  body,
  rawBody = JSON.stringify(body ?? {}),
  headers = {},
}) {
  const responses = [];
  const node = {
    id: nodeId,
    name: "ServiceTitan Edge",
    type: "serviceTitanEdge",
    typeVersion: 1,
    position: [0, 0],
    parameters,
  };
  const parameter = (name, ...rest) => {
    // execute: (name, itemIndex, fallback); poll and hooks: (name, fallback).
    const fallback = rest.length >= 2 || typeof rest[0] === "number" ? rest[1] : rest[0];
    const perItem = parameters[name];
    const itemIndex = typeof rest[0] === "number" ? rest[0] : 0;
    const value = typeof perItem === "function" ? perItem(itemIndex) : perItem;
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback;
    throw new Error(`Could not get parameter "${name}"`);
  };
  return {
    getNode: () => node,
    getWorkflow: () => ({ id: workflowId, name: "test", active: true }),
    getInputData: () => items,
    getNodeParameter: parameter,
    getCredentials: async () => credentials,
    continueOnFail: () => continueOnFail,
    getMode: () => mode,
    getWorkflowStaticData: () => staticData,
    getNodeWebhookUrl: () => webhookUrl,
    getBodyData: () => body,
    getResponseObject: () => {
      const response = { statusCode: 200, body: undefined };
      response.status = (code) => {
        response.statusCode = code;
        return response;
      };
      response.json = (value) => {
        response.body = value;
        responses.push(response);
        return response;
      };
      return response;
    },
    responses,
    getRequestObject: () => ({ headers, rawBody: Buffer.from(rawBody) }),
    helpers: {
      httpRequestWithAuthentication: (_name, options) => httpRequest(credentials, options),
      returnJsonArray: (list) => list.map((json) => ({ json })),
    },
  };
}

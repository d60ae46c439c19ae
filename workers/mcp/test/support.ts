// Test helpers: the MCP worker deployed for the simulator's demo tenant, its capability bindings
// standing in for service bindings (each runs the real worker's default export with bindings wired
// to one in-process simulator), and an MCP client that speaks JSON-RPC over Streamable HTTP the way
// a remote MCP client does. Test-only.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { hashApiKey } from "@st-edge/edge";
import { DEMO_TENANT, OTHER_API_KEY, simulatorEnv, TEST_API_KEY } from "@st-edge/edge/testing";
import type { Simulator } from "@st-edge/simulator";
import { expect } from "vitest";
import { issueConfirmation } from "../src/confirmation.ts";
import worker from "../src/index.ts";
import {
  bills,
  invoiceAdjustments,
  invoiceChanges,
  invoiceLookup,
  paymentPosting,
  paymentTerms,
  taxZones,
} from "./user-workers.js";

export const TOKEN_SECRET = "test-confirmation-secret-0123456789abcdef";

/**
 * A prepare's confirmation token for `tool`, signed again as if issued at `now` (for the demo
 * tenant and TEST_API_KEY, 600 s long): how tests reach a token past its expiry.
 */
export async function reissuedAt(confirmationToken: string, tool: string, now: number): Promise<string> {
  const [, payload] = confirmationToken.split(".");
  const { request } = JSON.parse(atob((payload ?? "").replaceAll("-", "+").replaceAll("_", "/")));
  const issued = await issueConfirmation({
    secret: TOKEN_SECRET,
    tenant: `simulator:${DEMO_TENANT.tenantId}`,
    tool,
    keyId: (await hashApiKey(TEST_API_KEY)).slice(0, 8),
    request,
    ttlSeconds: 600,
    now,
  });
  return issued.token;
}

/** What each capability worker was sent, by binding (to show a prepare never writes). */
export type Sent = { binding: string; method: string; path: string; idempotencyKey: string | null }[];

interface CapabilityWorker {
  fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response>;
}

function standIn(name: string, target: CapabilityWorker, bindings: object, sent: Sent): Fetcher {
  return {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      sent.push({
        binding: name,
        method: request.method,
        path: `${url.pathname}${url.search}`,
        idempotencyKey: request.headers.get("Idempotency-Key"),
      });
      const ctx = createExecutionContext();
      const response = await target.fetch(request, bindings, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    },
    connect: () => {
      throw new Error("no sockets");
    },
  };
}

export type McpEnv = Env & { CONFIRMATION_TTL_SECONDS?: string };

export interface McpDeployment {
  env: McpEnv;
  sent: Sent;
}

/**
 * The MCP worker for `sim`'s demo tenant, over the seven capability workers; `overrides` changes
 * the MCP worker's own bindings, `workerOverrides` the capability workers'.
 */
export async function deployment(
  sim: Simulator,
  overrides: Partial<McpEnv> = {},
  workerOverrides: Record<string, unknown> = {},
): Promise<McpDeployment> {
  const bindings = await simulatorEnv(env, sim, { ST_TIMEOUT_MS: "1000", ...workerOverrides });
  const workerBindings = { RECONCILE_WAIT_MS: "40", ...bindings };
  const sent: Sent = [];
  const mcpEnv: McpEnv = {
    ...env,
    ST_ENVIRONMENT: "simulator",
    ST_TENANT_ID: "1000001",
    API_KEY_HASHES: `${await hashApiKey(TEST_API_KEY)},${await hashApiKey(OTHER_API_KEY)}`,
    MCP_TOKEN_SECRET: TOKEN_SECRET,
    // OAuth off unless a test turns it on (a .dev.vars left by pnpm start may set it).
    MCP_PUBLIC_URL: "",
    INVOICE_LOOKUP: standIn("INVOICE_LOOKUP", invoiceLookup, workerBindings, sent),
    TAX_ZONES: standIn("TAX_ZONES", taxZones, workerBindings, sent),
    PAYMENT_TERMS: standIn("PAYMENT_TERMS", paymentTerms, workerBindings, sent),
    BILLS: standIn("BILLS", bills, workerBindings, sent),
    PAYMENT_POSTING: standIn("PAYMENT_POSTING", paymentPosting, workerBindings, sent),
    INVOICE_CHANGES: standIn("INVOICE_CHANGES", invoiceChanges, workerBindings, sent),
    // Its own idempotency records, as deployed (payment-posting's IDEMPOTENCY is another namespace).
    INVOICE_ADJUSTMENTS: standIn(
      "INVOICE_ADJUSTMENTS",
      invoiceAdjustments,
      { ...workerBindings, IDEMPOTENCY: env.ADJUSTMENT_IDEMPOTENCY },
      sent,
    ),
    ...overrides,
  };
  return { env: mcpEnv, sent };
}

let ids = 0;

/** POSTs one JSON-RPC message to /mcp as a remote MCP client would; answers the raw response. */
export async function post(
  e: McpEnv,
  message: object,
  { key = TEST_API_KEY, headers = {} }: { key?: string | null; headers?: Record<string, string> } = {},
): Promise<Response> {
  const request = new Request("https://mcp.test/mcp", {
    method: "POST",
    headers: {
      Host: "mcp.test",
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...(key === null ? {} : { Authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: JSON.stringify(message),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A JSON-RPC answer: one JSON body, or the first message of an SSE stream. */
export async function rpcAnswer(
  response: Response,
): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const text = await response.text();
  if (response.headers.get("Content-Type")?.includes("text/event-stream")) {
    const data = text
      .split("\n")
      .find((line) => line.startsWith("data: "))
      ?.slice("data: ".length);
    if (!data) throw new Error(`no message in the event stream: ${text}`);
    return JSON.parse(data);
  }
  return JSON.parse(text);
}

/** Calls a JSON-RPC method; answers its result (fails the test on a protocol error). */
export async function rpc(e: McpEnv, method: string, params: object = {}, key: string | null = TEST_API_KEY) {
  const response = await post(e, { jsonrpc: "2.0", id: ++ids, method, params }, { key });
  expect(response.status).toBe(200);
  const answer = await rpcAnswer(response);
  expect(answer.error).toBeUndefined();
  return answer.result;
}

export interface ToolAnswer {
  isError: boolean;
  /** The text content, parsed (every tool answers JSON). */
  body: Record<string, unknown>;
  structuredContent?: Record<string, unknown>;
}

/** Calls a tool; answers its result, parsed. */
export async function callTool(
  e: McpEnv,
  name: string,
  args: object = {},
  key: string | null = TEST_API_KEY,
): Promise<ToolAnswer> {
  const result = (await rpc(e, "tools/call", { name, arguments: args }, key)) as {
    content: { type: string; text: string }[];
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
  };
  const [first] = result.content;
  expect(first?.type).toBe("text");
  const text = first?.text ?? "";
  return {
    isError: result.isError === true,
    // Our tools answer JSON; the SDK's own argument check answers a sentence.
    body: text.startsWith("{") ? JSON.parse(text) : { text },
    ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
  };
}

/** A tool's successful answer (fails the test on a tool error, showing it). */
export async function callOk(e: McpEnv, name: string, args: object = {}): Promise<Record<string, unknown>> {
  const answer = await callTool(e, name, args);
  expect(answer.isError, JSON.stringify(answer.body)).toBe(false);
  return answer.body;
}

/** A tool's refusal (fails the test unless the tool answered isError). */
export async function callRefused(e: McpEnv, name: string, args: object = {}, key?: string) {
  const answer = await callTool(e, name, args, key);
  expect(answer.isError, JSON.stringify(answer.body)).toBe(true);
  return answer.body as {
    error: string;
    detail?: string;
    type: string;
    status: number;
    fields?: { field: string; message: string }[];
    retryable: boolean;
  };
}

export { OTHER_API_KEY, TEST_API_KEY };

// The MCP worker's HTTP face: Streamable HTTP at /mcp (initialize, tools/list with every tool's
// annotations, a call), caller auth by the deployment's API keys, and the problems every worker
// answers outside /mcp.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { expectProblem } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { callTool, deployment, type McpEnv, post, rpc, rpcAnswer, TEST_API_KEY } from "./support.ts";

const sim = createSimulator();

async function get(e: McpEnv, path: string, key: string | null = TEST_API_KEY): Promise<Response> {
  const request = new Request(`https://mcp.test${path}`, {
    headers: key === null ? {} : { Authorization: `Bearer ${key}` },
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const READ_TOOLS = [
  "find_invoices",
  "get_invoice",
  "find_invoices_changed_after_export",
  "list_tax_zones",
  "resolve_tax_zone",
  "quote_tax",
  "list_payment_terms",
  "get_due_date",
  "list_bills",
  "list_recent_payments",
  "get_payment",
  "prepare_payment",
  "prepare_payment_status",
  "prepare_bills_export_mark",
  "prepare_invoice_export_mark",
  "prepare_adjustment_invoice",
  "prepare_invoice_update",
];
const WRITE_TOOLS = [
  "commit_payment",
  "commit_payment_status",
  "commit_bills_export_mark",
  "commit_invoice_export_mark",
  "commit_adjustment_invoice",
  "commit_invoice_update",
];

describe("MCP over Streamable HTTP", () => {
  it("answers initialize with the server's name, the tools capability and instructions", async () => {
    const { env } = await deployment(sim);
    for (const protocolVersion of ["2025-06-18", "2025-11-25"]) {
      const result = await rpc(env, "initialize", {
        protocolVersion,
        capabilities: {},
        clientInfo: { name: "test-client", version: "1.0.0" },
      });
      expect(result).toMatchObject({
        protocolVersion,
        serverInfo: { name: "st-edge-accounting" },
        capabilities: { tools: {} },
        instructions: expect.stringContaining("prepare_"),
      });
    }
  });

  it("lists every tool with its annotations: reads and prepares read-only, commits destructive and idempotent", async () => {
    const { env } = await deployment(sim);
    const { tools } = (await rpc(env, "tools/list")) as {
      tools: {
        name: string;
        description: string;
        inputSchema: { type: string };
        annotations: Record<string, boolean>;
      }[];
    };
    expect(tools.map((tool) => tool.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.description.length, tool.name).toBeGreaterThan(40);
      if (READ_TOOLS.includes(tool.name)) {
        expect(tool.annotations, tool.name).toEqual({ readOnlyHint: true, openWorldHint: false });
      } else {
        expect(tool.annotations, tool.name).toEqual({
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: true,
          openWorldHint: false,
        });
      }
    }
    const commit = tools.find((tool) => tool.name === "commit_payment");
    expect(commit?.inputSchema).toMatchObject({
      required: ["confirmationToken"],
      additionalProperties: false,
    });
  });

  it("refuses a caller without a valid key with a 401 problem and a Bearer challenge", async () => {
    const { env } = await deployment(sim);
    const message = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    for (const key of [null, "wrong-key", `${TEST_API_KEY}x`]) {
      const response = await post(env, message, { key });
      const body = await expectProblem(response, 401, "unauthorized");
      expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
      expect(JSON.stringify(body)).not.toContain(TEST_API_KEY);
    }
    const viaHeader = await post(env, message, { key: null, headers: { "X-Api-Key": TEST_API_KEY } });
    expect(viaHeader.status).toBe(200);
  });

  it("is open at /healthz only, and answers other paths with a 404 problem", async () => {
    const { env } = await deployment(sim);
    const health = await get(env, "/healthz", null);
    expect(await health.json()).toEqual({ status: "ok", worker: "mcp" });
    await expectProblem(await get(env, "/no-such-route"), 404, "not-found");
    await expectProblem(await get(env, "/mcp/extra"), 404, "not-found");
  });

  it("answers a malformed message with a JSON-RPC error, not a crash", async () => {
    const { env } = await deployment(sim);
    const response = await post(env, { jsonrpc: "2.0", id: 7, method: "no/such/method" });
    const answer = await rpcAnswer(response);
    expect(answer.error?.code).toBe(-32601);
  });

  it("answers arguments its schema refuses as a tool error naming the field", async () => {
    const { env } = await deployment(sim);
    const answer = await callTool(env, "get_invoice", { invoiceId: "11000001" });
    expect(answer.isError).toBe(true);
    expect(answer.body.text).toMatch(/invoiceId/);
    const extra = await callTool(env, "get_invoice", { invoiceId: 11000001, includeEverything: true });
    expect(extra.isError).toBe(true);
    expect(extra.body.text).toMatch(/includeEverything/);
  });
});

// How every tool is declared and answered. A tool is its MCP metadata (name, description,
// annotations, input schema) plus `run`, which answers data or a problem and never throws: a
// refusal is a tool result with `isError: true` an agent can read (the problem's title, detail and
// field names), not a JSON-RPC error. Anything a tool does throw is our bug: logged by name and
// answered as an internal-error tool result.

import type {
  CallToolResult,
  McpServer,
  StandardSchemaWithJSON,
  ToolAnnotations,
} from "@modelcontextprotocol/server";
import { log, PROBLEM_TYPE_PREFIX } from "@st-edge/edge";
import type * as z from "zod";
import type { Caller } from "../caller.ts";
import { knownProblem, type Problem } from "../capabilities.ts";

export type Outcome<T = unknown> = { ok: true; data: T } | { ok: false; problem: Problem };

export interface ToolSpec<S extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  input: S;
  run: (args: z.output<S>, caller: Caller) => Promise<Outcome>;
}

/** A declared tool, ready to register on a server for a caller. */
export interface Tool {
  name: string;
  annotations: ToolAnnotations;
  register: (server: McpServer, caller: Caller) => void;
}

/**
 * Declares a tool.
 *
 * @example export const getInvoice = defineTool({ name: "get_invoice", input, run, ... });
 */
export function defineTool<S extends z.ZodObject>(spec: ToolSpec<S>): Tool {
  return {
    name: spec.name,
    annotations: spec.annotations,
    register: (server, caller) => registerTool(server, spec, caller),
  };
}

/** A read-only tool's annotations: it changes nothing, ServiceTitan's books are a closed world. */
export const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const satisfies ToolAnnotations;

/**
 * A commit's annotations: it changes what ServiceTitan holds in a way the agent cannot take back
 * (destructive), and a retry with the same token changes nothing more (idempotent).
 */
export const COMMIT = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
} as const satisfies ToolAnnotations;

/** The data as both text (what a model reads) and structured content (what a program reads). */
export function toolResult(data: unknown): CallToolResult {
  const structured = typeof data === "object" && data !== null && !Array.isArray(data) ? data : { data };
  return {
    content: [{ type: "text", text: JSON.stringify(data) }],
    structuredContent: structured as Record<string, unknown>,
  };
}

/** Whether retrying the same call may succeed (the agent is told so, and after how long). */
const RETRYABLE = new Set([409, 429, 502, 503, 504]);

/** A refusal or failure as a tool error an agent can act on. */
export function toolError(problem: Problem): CallToolResult {
  const error = {
    error: problem.title,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    type: problem.type.startsWith(PROBLEM_TYPE_PREFIX)
      ? problem.type.slice(PROBLEM_TYPE_PREFIX.length)
      : problem.type,
    status: problem.status,
    ...(problem.errors?.length
      ? { fields: problem.errors.map(({ field, message }) => ({ field, message })) }
      : {}),
    retryable: RETRYABLE.has(problem.status),
    ...(problem.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: problem.retryAfterSeconds }),
    ...(problem.requestId === undefined ? {} : { requestId: problem.requestId }),
    ...(problem.traceId === undefined ? {} : { traceId: problem.traceId }),
  };
  return { content: [{ type: "text", text: JSON.stringify(error) }], isError: true };
}

/** Registers `tool` on `server`, answering for `caller`. */
function registerTool<S extends z.ZodObject>(server: McpServer, tool: ToolSpec<S>, caller: Caller): void {
  // Zod 4 schemas are Standard Schemas with JSON Schema: what the SDK lists and validates with.
  const inputSchema: StandardSchemaWithJSON<z.input<S>, z.output<S>> = tool.input;
  server.registerTool(
    tool.name,
    { title: tool.title, description: tool.description, inputSchema, annotations: tool.annotations },
    async (args: z.output<S>) => {
      try {
        const outcome = await tool.run(args, caller);
        return outcome.ok ? toolResult(outcome.data) : toolError(outcome.problem);
      } catch (error) {
        log("error", {
          event: "unhandled-error",
          worker: "mcp",
          requestId: caller.requestId,
          tool: tool.name,
          error: error instanceof Error ? `${error.name}: ${error.message}` : "unknown",
        });
        return toolError({ ...knownProblem("internal-error"), requestId: caller.requestId });
      }
    },
  );
}

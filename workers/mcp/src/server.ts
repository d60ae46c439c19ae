// The MCP server one request is answered by: every tool, bound to the caller. agents' stateless
// handler asks for a fresh server per request, so nothing of one caller can reach another's.
import { McpServer } from "@modelcontextprotocol/server";
import type { Caller } from "./caller.ts";
import { commitAdjustmentInvoice, prepareAdjustmentInvoice } from "./tools/adjustments.ts";
import { commitBillsExportMark, prepareBillsExportMark } from "./tools/bills.ts";
import {
  commitInvoiceExportMark,
  commitInvoiceUpdate,
  prepareInvoiceExportMark,
  prepareInvoiceUpdate,
} from "./tools/invoices.ts";
import {
  commitPayment,
  commitPaymentStatus,
  preparePayment,
  preparePaymentStatus,
} from "./tools/payments.ts";
import { READ_TOOLS } from "./tools/read.ts";

/** Every tool, in the order tools/list answers them: reads, then each write's prepare and commit. */
export const TOOLS = [
  ...READ_TOOLS,
  preparePayment,
  commitPayment,
  preparePaymentStatus,
  commitPaymentStatus,
  prepareBillsExportMark,
  commitBillsExportMark,
  prepareInvoiceExportMark,
  commitInvoiceExportMark,
  prepareAdjustmentInvoice,
  commitAdjustmentInvoice,
  prepareInvoiceUpdate,
  commitInvoiceUpdate,
];

export const SERVER_INFO = { name: "st-edge-accounting", version: "1.0.0" };

const INSTRUCTIONS =
  "ServiceTitan accounting for one tenant. Read tools find invoices, payments, bills, tax and payment terms. " +
  "Every write is two calls: prepare_… checks it and writes nothing, answering a preview and a " +
  "confirmationToken; show the preview to whoever approves, then commit_… with that token alone. A commit " +
  'retried with the same token happens once. Money is decimal text ("125.50"). A refusal is a tool result ' +
  "with isError: read its error, detail and fields, fix the arguments, and prepare again.";

/**
 * @example const server = serverFor(caller); // then agents' createMcpHandler serves it
 */
export function serverFor(caller: Caller): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  for (const tool of TOOLS) tool.register(server, caller);
  return server;
}

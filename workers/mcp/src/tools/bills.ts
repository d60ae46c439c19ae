// Export marks for AP bills, two steps (two-step.ts): the prepare reads the bills (so an agent
// sees which bills, vendors and amounts it is about to mark), the commit calls the bills worker's
// POST /bills/mark-exported, which ServiceTitan answers per bill; marking again is harmless.
// Inventory bills have no read in the bills worker to preview them by, so no tool marks them.
import type { BillView } from "@st-edge/views/bill";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { callCapability, knownProblem, type WorkerAnswer } from "../capabilities.ts";
import { billSummary } from "../views.ts";
import { COMMIT } from "./define.ts";
import { Id } from "./read.ts";
import { type Checked, postRequest, twoStepTools } from "./two-step.ts";

/** The bills worker marks at most 50 bills per call. */
const MAX_BILLS = 50;

const MarkRequest = z.strictObject({
  billIds: z
    .array(Id)
    .min(1)
    .max(MAX_BILLS)
    .refine((ids) => new Set(ids).size === ids.length, "must not list a bill twice"),
});
type MarkRequest = z.output<typeof MarkRequest>;

type BillPage = { data: BillView[] };

/** The bills with these ids. ServiceTitan lists Procurement bills unless asked for another type, so the ids not found are asked for again as ApBill. */
async function billsByIds(ids: number[], caller: Caller): Promise<WorkerAnswer<BillView[]>> {
  const read = (wanted: number[], billType?: string) =>
    callCapability<BillPage>(
      caller,
      "bills",
      `/bills?ids=${wanted.join(",")}&pageSize=${MAX_BILLS}${billType ? `&billType=${billType}` : ""}`,
    );
  const first = await read(ids);
  if (!first.ok) return first;
  const found = new Set(first.data.data.map((bill) => bill.id));
  const rest = ids.filter((id) => !found.has(id));
  if (rest.length === 0) return { ...first, data: first.data.data };
  const second = await read(rest, "ApBill");
  if (!second.ok) return second;
  return { ...first, data: [...first.data.data, ...second.data.data] };
}

async function checkMarks(args: MarkRequest, caller: Caller): Promise<Checked<MarkRequest>> {
  const answer = await billsByIds(args.billIds, caller);
  if (!answer.ok) return answer;
  const byId = new Map(answer.data.map((bill) => [bill.id, bill]));
  const missing = args.billIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    return {
      ok: false,
      problem: knownProblem("not-found", {
        detail: `No AP bill ${missing.join(", ")} in this tenant; nothing was marked`,
        errors: [{ in: "body", field: "billIds", message: `not found: ${missing.join(", ")}` }],
      }),
    };
  }
  const bills = args.billIds.flatMap((id) => {
    const bill = byId.get(id);
    return bill ? [billSummary(bill)] : [];
  });
  const already = bills.filter(
    (bill) => bill.syncStatus === "Exported" || bill.syncStatus === "PostedAndExported",
  );
  return {
    ok: true,
    request: { billIds: args.billIds },
    preview: {
      summary: `Mark ${bills.length} AP bill${bills.length > 1 ? "s" : ""} exported (${already.length} already are)`,
      bills,
    },
  };
}

export const [prepareBillsExportMark, commitBillsExportMark] = twoStepTools({
  name: "bills_export_mark",
  summary: "mark AP bills exported",
  prepareDescription: `Reads up to ${MAX_BILLS} AP bills by id and shows what marking them exported would cover.`,
  commitDescription:
    "Tells ServiceTitan your accounting system now holds these bills (one result per bill; a refused bill fails alone).",
  // Overwrites the bills' sync status; marking again is harmless.
  annotations: COMMIT,
  input: MarkRequest,
  request: MarkRequest,
  check: checkMarks,
  send: postRequest("bills", "/bills/mark-exported"),
  audit: (request, outcome) => ({
    billIds: request.billIds.join(","),
    succeeded: outcome.ok && typeof outcome.data.succeeded === "number" ? outcome.data.succeeded : undefined,
    failed: outcome.ok && typeof outcome.data.failed === "number" ? outcome.data.failed : undefined,
  }),
});

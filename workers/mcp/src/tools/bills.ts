// Export marks for AP bills, two steps (two-step.ts): the prepare reads the bills (so an agent
// sees which bills, vendors and amounts it is about to mark), the commit calls the bills worker's
// POST /bills/mark-exported, which ServiceTitan answers per bill; marking again is harmless.
// Inventory bills have no read in the bills worker to preview them by, so no tool marks them.
import type { BillView } from "@st-edge/views/bill";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { callCapability, type WorkerAnswer } from "../capabilities.ts";
import { billSummary } from "../views.ts";
import { COMMIT } from "./define.ts";
import { inOrderOf, MAX_MARKS, markAudit, markList, markSummary } from "./export-marks.ts";
import { Id } from "./read.ts";
import { type Checked, notInTenant, postRequest, twoStepTools } from "./two-step.ts";

const MarkRequest = z.strictObject({ billIds: markList(Id, (id) => id, "a bill") });
type MarkRequest = z.output<typeof MarkRequest>;

type BillPage = { data: BillView[] };

/** The bills with these ids. ServiceTitan lists Procurement bills unless asked for another type, so the ids not found are asked for again as ApBill. */
async function billsByIds(ids: number[], caller: Caller): Promise<WorkerAnswer<BillView[]>> {
  const read = (wanted: number[], billType?: string) =>
    callCapability<BillPage>(
      caller,
      "bills",
      `/bills?ids=${wanted.join(",")}&pageSize=${MAX_MARKS}${billType ? `&billType=${billType}` : ""}`,
    );
  const first = await read(ids);
  if (!first.ok) return first;
  const { missing: rest } = inOrderOf(ids, first.data.data);
  if (rest.length === 0) return { ...first, data: first.data.data };
  const second = await read(rest, "ApBill");
  if (!second.ok) return second;
  return { ...first, data: [...first.data.data, ...second.data.data] };
}

async function checkMarks(args: MarkRequest, caller: Caller): Promise<Checked<MarkRequest>> {
  const answer = await billsByIds(args.billIds, caller);
  if (!answer.ok) return answer;
  const { found, missing } = inOrderOf(args.billIds, answer.data);
  if (missing.length > 0) return notInTenant("not-found", "AP bill", "billIds", missing, "marked");
  const bills = found.map(billSummary);
  const already = bills.filter(
    (bill) => bill.syncStatus === "Exported" || bill.syncStatus === "PostedAndExported",
  );
  return {
    ok: true,
    request: { billIds: args.billIds },
    preview: { summary: markSummary("AP bill", bills.length, already.length), bills },
  };
}

export const [prepareBillsExportMark, commitBillsExportMark] = twoStepTools({
  name: "bills_export_mark",
  summary: "mark AP bills exported",
  prepareDescription: `Reads up to ${MAX_MARKS} AP bills by id and shows what marking them exported would cover.`,
  commitDescription:
    "Tells ServiceTitan your accounting system now holds these bills (one result per bill; a refused bill fails alone).",
  // Overwrites the bills' sync status; marking again is harmless.
  annotations: COMMIT,
  input: MarkRequest,
  request: MarkRequest,
  check: checkMarks,
  send: postRequest("bills", "/bills/mark-exported"),
  audit: markAudit("billIds", (request: MarkRequest) => request.billIds),
});

// Bill export marks: ApBills_MarkAsExported and InventoryBills_MarkAsExported. Inventory bills
// are the same bills in the older shape (UNCONFIRMED), so a mark through either shows in both.
// One result per id passed, in order; an unknown or canceled bill fails alone.
import type { ApBill, components } from "@st-edge/servicetitan";
import type { WriteContext } from "./context.ts";

type S = components["schemas"];

/** Exporting keeps the posting: Pending → Exported, Posted → PostedAndExported; exported bills stay as they are. */
const EXPORTED: Record<string, string> = {
  Pending: "Exported",
  Posted: "PostedAndExported",
  Exported: "Exported",
  PostedAndExported: "PostedAndExported",
};

interface MarkResult {
  id: number;
  success: boolean;
  errorMessage: string | null;
}

function markBill(ctx: WriteContext, id: number): MarkResult {
  const bill: ApBill | undefined = ctx.apBill(id);
  if (!bill) return { id, success: false, errorMessage: `Bill ${id} was not found.` };
  // Refusing canceled bills is our assumption; ServiceTitan's rule is UNCONFIRMED.
  if (bill.status === "Canceled") return { id, success: false, errorMessage: `Bill ${id} is canceled.` };
  const syncStatus = EXPORTED[bill.syncStatus ?? "Pending"] ?? "Exported";
  if (syncStatus !== bill.syncStatus) ctx.commitApBill({ ...bill, syncStatus });
  return { id, success: true, errorMessage: null };
}

/** ApBills_MarkAsExported. */
export function markApBillsExported(
  ctx: WriteContext,
  body: S["Accounting.V2.MarkApBillAsExportedUpdateRequest"],
): S["Accounting.V2.MarkApBillAsExportedUpdateResponse"][] {
  return body.billIds.map((billId) => {
    const { success, errorMessage } = markBill(ctx, billId);
    return { billId, success, errorMessage };
  });
}

/** InventoryBills_MarkAsExported. */
export function markInventoryBillsExported(
  ctx: WriteContext,
  body: S["Accounting.V2.MarkInventoryBillAsExportedUpdateRequest"],
): S["Accounting.V2.MarkInventoryBillAsExportedUpdateResponse"][] {
  return body.inventoryBillIds.map((inventoryBillId) => {
    const { success, errorMessage } = markBill(ctx, inventoryBillId);
    return { inventoryBillId, success, errorMessage };
  });
}

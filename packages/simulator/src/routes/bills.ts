// Bills: AP bills (GET /ap-bills, GET /ap-bills/{billId}, POST /ap-bills/markasexported) and the
// same bills in the older inventory-bill shape (GET /inventory-bills, a bare array;
// GET /inventory-bills/paginated; POST /inventory-bills/markasexported). That inventory bills
// are these bills is our reading (UNCONFIRMED); both lists take the same filters.
import type { ApBill, components } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { notFound, validationProblem } from "../errors.ts";
import { amountBetween, contains, customFieldsMatch, equalTo, inList, within } from "../filters.ts";
import { operation } from "../operation.ts";
import { pageOf, readPaging, sortRecords } from "../paging.ts";
import type { NamedField, TenantData } from "../records.ts";
import { parseQuery, pathId, type Query, readBody } from "../validation.ts";

type S = components["schemas"];
type InventoryBill = S["Accounting.V2.InventoryBillResponse"];
type BillList = "ApBills_GetListPaginated" | "InventoryBills_GetList" | "InventoryBills_GetListPaginated";

/** A bare date as `dateTo` means the whole day ("on or before this date"); a date-time is inclusive to the millisecond. */
const throughDay = (instant: number | undefined, text: string | null): number | undefined =>
  instant === undefined
    ? undefined
    : text !== null && /^\d{4}-\d{2}-\d{2}$/.test(text.trim())
      ? instant + 86_400_000
      : instant + 1;

/** `purchaseOrderTypes`: "Comma-separated list of purchase order types"; we take type names (any case) or ids. */
function purchaseOrderTypes(
  values: string[] | undefined,
  known: readonly NamedField[],
): Set<number> | undefined {
  if (values === undefined) return undefined;
  const ids = values.map(
    (value) =>
      known.find((type) => String(type.id) === value || type.name?.toLowerCase() === value.toLowerCase())?.id,
  );
  const bad = values.filter((_, index) => ids[index] === undefined);
  if (bad.length > 0)
    throw validationProblem({
      purchaseOrderTypes: bad.map(
        (value) => `'${value}' is not a purchase order type (${known.map((type) => type.name).join(", ")}).`,
      ),
    });
  return new Set(ids.filter((id) => id !== undefined));
}

/**
 * `billType`. AP bills: "Filter by bill type (defaults to Procurement)", NotSet read as every
 * type. Inventory bills document no default, so every type; there RecurringBill is an AP-type
 * bill from a recurring source and ApBill the other AP-type bills (UNCONFIRMED).
 */
function billTypeMatches(bill: ApBill, billType: string | undefined, list: "ap" | "inventory"): boolean {
  const wanted = billType ?? (list === "ap" ? "Procurement" : "NotSet");
  if (wanted === "NotSet") return true;
  if (wanted === "RecurringBill") return bill.source === "Recurring";
  if (wanted === "ApBill" && list === "inventory")
    return bill.billType === "ApBill" && bill.source !== "Recurring";
  return bill.billType === wanted;
}

/** The filters both bill lists share, as one predicate. */
function billFilter(q: Query<BillList>, url: URL, data: TenantData, list: "ap" | "inventory") {
  const ids = q.ids("ids");
  const businessUnits = q.ids("businessUnitIds");
  const syncStatuses = q.list("syncStatuses");
  const batchNumber = q.int("batchNumber");
  const discrepancy = q.string("threeWayMatchDiscrepancy");
  const customFields = q.dictionary("customField.Fields");
  const poTypes = purchaseOrderTypes(q.strings("purchaseOrderTypes"), data.purchaseOrderTypes);
  const poTypeOf = new Map(data.purchaseOrders.map((order) => [order.id, order.typeId]));
  const dateTo = throughDay(q.instant("dateTo"), url.searchParams.get("dateTo"));
  return (bill: ApBill) =>
    inList(bill.id, ids) &&
    inList(bill.businessUnit?.id, businessUnits) &&
    inList(bill.syncStatus, syncStatuses) &&
    billTypeMatches(bill, q.string("billType"), list) &&
    equalTo(bill.batch?.id, q.int("batchId")) &&
    equalTo(bill.batch?.number, batchNumber === undefined ? undefined : String(batchNumber)) &&
    contains(bill.referenceNumber, q.string("billNumber")) &&
    contains(bill.jobNumber, q.string("jobNumber")) &&
    contains(
      bill.purchaseOrderId === null || bill.purchaseOrderId === undefined
        ? null
        : String(bill.purchaseOrderId),
      q.string("purchaseOrderNumber"),
    ) &&
    (poTypes === undefined || poTypes.has(poTypeOf.get(bill.purchaseOrderId ?? 0) ?? 0)) &&
    // The spec: dateFrom "Filter bills created on or after this date", dateTo "Filter bills
    // created on or before this date" (AP bills; the inventory list says nothing, read alike).
    within(bill.createdOn, q.instant("dateFrom"), dateTo) &&
    within(bill.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
    within(bill.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")) &&
    within(bill.dateReconciled, q.instant("dateReconciledOnOrAfter"), q.instant("dateReconciledBefore")) &&
    amountBetween(bill.billAmount, q.decimal("minCost"), q.decimal("maxCost")) &&
    (discrepancy === undefined || (bill.status === "Discrepancy") === (discrepancy === "Discrepancy")) &&
    customFieldsMatch(bill.customFields, customFields, q.string("customField.Operator"));
}

/** An AP bill in the inventory-bill shape (which has no status, source, type or expense items). */
export function inventoryBill(bill: ApBill): InventoryBill {
  return {
    id: bill.id,
    purchaseOrderId: bill.purchaseOrderId ?? null,
    syncStatus: bill.syncStatus ?? null,
    referenceNumber: bill.referenceNumber ?? null,
    vendorNumber: bill.vendorNumber ?? null,
    summary: bill.summary ?? null,
    billDate: bill.billDate ?? null,
    billAmount: bill.billAmount ?? null,
    taxAmount: bill.taxAmount ?? null,
    shippingAmount: bill.shippingAmount ?? null,
    landedCostMethod: bill.landedCostMethod,
    otherAmount: bill.otherAmount ?? null,
    createdBy: bill.createdBy ?? null,
    createdOn: bill.createdOn ?? null,
    modifiedOn: bill.modifiedOn ?? null,
    termName: bill.termName ?? null,
    dueDate: bill.dueDate ?? null,
    shipToDescription: bill.shipToDescription ?? null,
    postDate: bill.postDate ?? null,
    batch: bill.batch ?? null,
    businessUnit: bill.businessUnit ?? null,
    taxZone: bill.taxZone ?? null,
    vendor: bill.vendor ?? null,
    shipTo: bill.shipTo ?? null,
    budgetCodeId: bill.budgetCodeId ?? null,
    items: (bill.items ?? []).map((item) => ({
      order: item.order,
      name: item.name ?? null,
      description: item.description ?? null,
      quantity: item.quantity ?? null,
      cost: item.cost ?? null,
      allocatedTax: item.allocatedTax ?? null,
      allocatedShipping: item.allocatedShipping ?? null,
      allocatedOtherCosts: item.allocatedOtherCosts ?? null,
      fullyLandedUnitCost: item.fullyLandedUnitCost ?? null,
      inventoryLocation: item.inventoryLocation?.name ?? null,
      serialNumber: item.serialNumber ?? null,
      generalLedgerAccount: item.generalLedgerAccount ?? null,
      costOfSaleAccount: item.costOfSaleAccount ?? null,
      assetAccount: item.assetAccount ?? null,
      id: item.id,
      skuId: item.skuId,
      receiptItemId: item.receiptItemId ?? null,
      skuType: item.skuType,
      skuCode: item.skuCode,
      budgetCodeId: item.budgetCodeId ?? null,
    })),
    customFields: bill.customFields ?? [],
    jobId: bill.jobId ?? null,
    jobNumber: bill.jobNumber ?? null,
    dateReconciled: bill.dateReconciled ?? null,
  };
}

/** AP bills and inventory bills: lists, get-by-id and export marks. */
export function billRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const { maxPageSize } = state.settings;

  routes.get("/ap-bills", operation(state, "ApBills_GetListPaginated"), (c) => {
    const url = new URL(c.req.url);
    const q = parseQuery("ApBills_GetListPaginated", url);
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      maxPageSize,
    );
    const statuses = q.list("statuses");
    const sources = q.list("sources");
    const shared = billFilter(q, url, c.var.store.data, "ap");
    const bills = c.var.store
      .apBills()
      .filter((bill) => shared(bill) && inList(bill.status, statuses) && inList(bill.source, sources));
    return c.json(
      pageOf(
        sortRecords(bills, undefined, {}),
        paging,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.ApBillResponse"],
    );
  });

  routes.post("/ap-bills/markasexported", operation(state, "ApBills_MarkAsExported"), async (c) => {
    const body = await readBody(c.req.raw, "ApBills_MarkAsExported");
    return c.json(
      c.var.store.apply({
        op: "ApBills_MarkAsExported",
        body,
      }) satisfies S["Accounting.V2.MarkApBillAsExportedUpdateResponse"][],
    );
  });

  routes.get("/ap-bills/:billId", operation(state, "ApBills_GetById"), (c) => {
    const id = pathId("billId", c.req.param("billId"));
    const bill = c.var.store.apBill(id);
    if (!bill) throw notFound(`AP bill ${id}`);
    return c.json(bill satisfies S["Accounting.V2.ApBillResponse"]);
  });

  const inventoryBills = (
    url: URL,
    operationId: "InventoryBills_GetList" | "InventoryBills_GetListPaginated",
    store: ApiEnv["Variables"]["store"],
  ) => {
    const q = parseQuery(operationId, url);
    const paging = readPaging(
      {
        page: q.int("page"),
        pageSize: q.int("pageSize"),
        includeTotal: operationId === "InventoryBills_GetListPaginated" ? q.bool("includeTotal") : false,
      },
      maxPageSize,
    );
    const shared = billFilter(q, url, store.data, "inventory");
    return pageOf(sortRecords(store.apBills().filter(shared), undefined, {}).map(inventoryBill), paging);
  };

  routes.get("/inventory-bills", operation(state, "InventoryBills_GetList"), (c) =>
    // The spec answers a bare array here, not the paged envelope.
    c.json(
      inventoryBills(new URL(c.req.url), "InventoryBills_GetList", c.var.store)
        .data satisfies InventoryBill[],
    ),
  );

  routes.get("/inventory-bills/paginated", operation(state, "InventoryBills_GetListPaginated"), (c) =>
    c.json(
      inventoryBills(
        new URL(c.req.url),
        "InventoryBills_GetListPaginated",
        c.var.store,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.InventoryBillResponse"],
    ),
  );

  routes.post(
    "/inventory-bills/markasexported",
    operation(state, "InventoryBills_MarkAsExported"),
    async (c) => {
      const body = await readBody(c.req.raw, "InventoryBills_MarkAsExported");
      return c.json(
        c.var.store.apply({
          op: "InventoryBills_MarkAsExported",
          body,
        }) satisfies S["Accounting.V2.MarkInventoryBillAsExportedUpdateResponse"][],
      );
    },
  );

  return routes;
}

// The query parameters each list operation honours: the routes filter, page and sort by exactly
// these, and parseQuery refuses (400, naming it) any parameter the spec declares that is not
// listed. A parameter added to the spec is therefore refused until someone implements it here,
// and test/query-parameters.test.ts proves every listed one really filters.
import type { operations } from "@st-edge/servicetitan";
import type { QueryName } from "./validation.ts";

const PAGING = ["page", "pageSize", "includeTotal"] as const;
const CREATED = ["createdOnOrAfter", "createdBefore"] as const;
const MODIFIED = ["modifiedOnOrAfter", "modifiedBefore"] as const;
const CUSTOM_FIELDS = ["customField.Fields", "customField.Operator"] as const;
const FEED = ["from", "includeRecentChanges"] as const;
/** Both bill lists (AP bills and inventory bills) share these. */
const BILL_FILTERS = [
  "ids",
  "batchId",
  "batchNumber",
  "billNumber",
  "businessUnitIds",
  ...CUSTOM_FIELDS,
  "dateFrom",
  "dateTo",
  "jobNumber",
  "purchaseOrderNumber",
  "purchaseOrderTypes",
  "syncStatuses",
  "minCost",
  "maxCost",
  "billType",
  ...CREATED,
  ...MODIFIED,
  "dateReconciledOnOrAfter",
  "dateReconciledBefore",
  "threeWayMatchDiscrepancy",
] as const;

export const HONOURED_QUERY = {
  Invoices_GetList: [
    "ids",
    "activeState",
    ...MODIFIED,
    ...CREATED,
    "statuses",
    "batchId",
    "batchNumber",
    ...CUSTOM_FIELDS,
    "jobId",
    "jobNumber",
    "businessUnitId",
    "customerId",
    "invoicedOnOrAfter",
    "invoicedOnBefore",
    "adjustmentToId",
    "number",
    "totalGreater",
    "totalLess",
    "balanceFilter.Balance",
    "balanceFilter.Comparer",
    "dueDateOnOrAfter",
    "dueDateBefore",
    "reviewStatuses",
    "assignedToIds",
    "invoiceConfigurations",
    "sort",
    "orderBy",
    "orderByDirection",
    ...PAGING,
  ],
  Payments_GetList: [
    "ids",
    "activeState",
    "appliedToInvoiceIds",
    "appliedToReferenceNumber",
    "batchId",
    "batchNumber",
    "businessUnitIds",
    ...CREATED,
    ...MODIFIED,
    "customerId",
    ...CUSTOM_FIELDS,
    "depositIds",
    "paidOnAfter",
    "paidOnBefore",
    "statuses",
    "totalGreater",
    "totalLess",
    "transactionType",
    "sort",
    ...PAGING,
  ],
  PaymentTypes_GetList: ["ids", "active", ...CREATED, ...PAGING],
  PaymentTerms_GetList: ["ids", ...CREATED, ...MODIFIED, "sort", ...PAGING],
  TaxZones_GetList: ["ids", "active", ...CREATED, ...MODIFIED, "sort", ...PAGING],
  Invoices_GetCustomFieldTypes: [...CREATED, ...MODIFIED, "sort", ...PAGING],
  ApBills_GetListPaginated: [...BILL_FILTERS, "statuses", "sources", ...PAGING],
  // The bare-array list has no envelope to carry a total: includeTotal is refused there.
  InventoryBills_GetList: [...BILL_FILTERS, "page", "pageSize"],
  InventoryBills_GetListPaginated: [...BILL_FILTERS, ...PAGING],
  Export_Invoices: FEED,
  Export_Payments: FEED,
  Export_InvoiceItems: FEED,
  Export_InventoryBills: FEED,
} as const satisfies { [Op in keyof operations]?: readonly QueryName<Op>[] };

/** An operation whose query the simulator parses. */
export type ListOperation = keyof typeof HONOURED_QUERY;

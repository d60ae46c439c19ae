// The bills worker's API: route definitions used both to validate requests and to generate
// specs/workers/bills.openapi.json (`pnpm run gen`).
import { defineRoute, problemSpec, schemas } from "@st-edge/edge";
import { BillView, PollItem } from "@st-edge/views/bill";
import * as z from "zod/mini";

export const info = {
  title: "ServiceTitan AP bills",
  version: "1.1.0",
  description:
    "Accounts-payable bills (read-only, as in ServiceTitan), a polling trigger for new or updated " +
    "bills, and export marks for AP bills and inventory bills once your accounting system has them. " +
    'Money is exact decimal text ("1234.50"), ids are integers, dates are ServiceTitan\'s RFC 3339 strings.',
};

export const BillPage = z.object({
  page: z.int(),
  pageSize: z.int(),
  hasMore: z.boolean().check(z.describe("ServiceTitan has more bills after this page (before edge filters)")),
  count: z.int().check(z.describe("Bills in `data`; fewer than pageSize when a vendor filter dropped some")),
  data: z.array(BillView),
});

const STATUSES = ["Unreconciled", "Discrepancy", "Reconciled", "Canceled"] as const;
const SYNC_STATUSES = ["Pending", "Posted", "Exported", "PostedAndExported"] as const;

const SearchText = (description: string) =>
  z.optional(z.string().check(z.minLength(1), z.maxLength(100), z.describe(description)));

const BillType = z.optional(
  z
    .enum(["Procurement", "ApBill", "NotSet"], "must be Procurement, ApBill or NotSet")
    .check(
      z.describe(
        "ServiceTitan returns only Procurement bills unless told otherwise; ApBill for standalone bills; " +
          "NotSet is read by the simulator as every type (UNCONFIRMED on ServiceTitan)",
      ),
    ),
);

const Page = z._default(
  z.pipe(
    z.union([z.string().check(z.regex(/^\d{1,6}$/, "must be a positive integer")), z.number()]),
    z.coerce.number<string | number>().check(z.int(), z.minimum(1), z.maximum(100_000)),
  ),
  1,
);

/** A day or an instant: dateFrom/dateTo are date-times in ServiceTitan's spec; a bare day is the whole day. */
const CreatedBound = z.union(
  [schemas.DateOnly, schemas.DateTime],
  "must be a date (2026-01-31) or an RFC 3339 date-time",
);

const TAGS = ["Bills"];

export const listBills = defineRoute({
  method: "get",
  path: "/bills",
  operationId: "listBills",
  summary: "AP bills, filtered and paged",
  description:
    "Filters go to ServiceTitan's GET /ap-bills, except vendorId and vendorName: ServiceTitan has no " +
    "vendor filter, so those keep only the matching bills of the page ServiceTitan returned. A page " +
    "can then hold fewer than pageSize bills (even none) while hasMore is true: keep paging until " +
    "hasMore is false.",
  tags: TAGS,
  query: z.strictObject({
    ids: z.optional(schemas.IdList(50)),
    vendorId: z.optional(schemas.Id),
    vendorName: SearchText("Vendor name contains this text (case-insensitive; filtered at the edge)"),
    status: z.optional(
      schemas.EnumList(STATUSES, "Bill status(es), repeated or comma-separated", { max: 10 }),
    ),
    syncStatus: z.optional(
      schemas.EnumList(SYNC_STATUSES, "Sync status(es), repeated or comma-separated", { max: 10 }),
    ),
    billNumber: SearchText("Bill (reference) number; ServiceTitan matches partially"),
    billType: BillType,
    jobNumber: SearchText("Job number; ServiceTitan matches partially"),
    purchaseOrderNumber: SearchText("Purchase-order number; ServiceTitan matches partially"),
    dateFrom: z.optional(
      CreatedBound.check(
        z.describe(
          'ServiceTitan: "Filter bills created on or after this date". A day (from its start, UTC) or an RFC 3339 date-time',
        ),
      ),
    ),
    dateTo: z.optional(
      CreatedBound.check(
        z.describe(
          'ServiceTitan: "Filter bills created on or before this date". A day (to its end, UTC) or an RFC 3339 date-time',
        ),
      ),
    ),
    createdOnOrAfter: z.optional(schemas.DateTime),
    createdBefore: z.optional(schemas.DateTime),
    modifiedOnOrAfter: z.optional(schemas.DateTime),
    modifiedBefore: z.optional(schemas.DateTime),
    page: Page,
    pageSize: schemas.PageSize(500, 50),
  }),
  responses: { 200: { description: "One page of bills", schema: BillPage } },
});

export const pollBills = defineRoute({
  method: "get",
  path: "/bills/poll",
  operationId: "pollBills",
  summary: "Polling trigger: the newest bills first, one item per bill version",
  description:
    "For Zapier, n8n and Make polling. Returns a JSON array, newest first by createdOn (mode=new) " +
    "or modifiedOn (mode=updated), at most `limit` items. Each item's `id` is unique per version " +
    '("<billId>-<timestamp>") and `billId` is the bill\'s own id. The lower bound `since` is ' +
    "inclusive (>=), so bills sharing a timestamp are never dropped; callers de-duplicate by `id` " +
    "(Zapier does so automatically). One or two ServiceTitan calls: the first page since `since`, " +
    "and when there are more, the last page (ServiceTitan lists bills by ascending id). " +
    "X-Poll-Since and X-Poll-Truncated headers tell what was read.",
  tags: TAGS,
  query: z.strictObject({
    mode: z._default(
      z
        .enum(["new", "updated"], "must be new or updated")
        .check(z.describe("new: by createdOn (default); updated: new or changed bills, by modifiedOn")),
      "new",
    ),
    since: z.optional(
      schemas.DateTime.check(z.describe("Inclusive lower bound on createdOn/modifiedOn; default 7 days ago")),
    ),
    limit: schemas.PageSize(100, 50),
    vendorId: z.optional(schemas.Id),
    status: z.optional(
      schemas.EnumList(STATUSES, "Bill status(es), repeated or comma-separated", { max: 10 }),
    ),
    billType: BillType,
  }),
  responses: {
    200: {
      description: "The newest bill versions, newest first",
      schema: z.array(PollItem),
      headers: {
        "X-Poll-Since": { description: "The lower bound used (RFC 3339)" },
        "X-Poll-Truncated": {
          description: "true when more bills matched than the two pages read; narrow `since` to see them all",
        },
      },
    },
  },
});

export const getBill = defineRoute({
  method: "get",
  path: "/bills/{id}",
  operationId: "getBill",
  summary: "One AP bill with its items",
  description: "404 `not-found` when the bill is not in this tenant.",
  tags: TAGS,
  params: z.object({ id: schemas.Id }),
  responses: { 200: { description: "The bill", schema: BillView } },
});

/** At most 50 ids per call (ServiceTitan's spec sets no limit; 50 is its limit for `ids` lists). */
export const MAX_MARKS = 50;

const markIds = (what: string) =>
  z.array(schemas.Id).check(
    z.minLength(1, `must list at least one ${what}`),
    z.maxLength(MAX_MARKS, `at most ${MAX_MARKS} ${what}s per call`),
    z.refine((ids) => new Set(ids).size === ids.length, "must not list an id twice"),
  );

const markOutcome = (what: string) => ({
  success: z.boolean().check(z.describe(`ServiceTitan marked this ${what} exported`)),
  errorMessage: z.nullable(z.string().check(z.describe("ServiceTitan's reason when success is false"))),
});

const markResponse = <R extends z.ZodMiniType>(result: R) =>
  z.object({
    results: z.array(result).check(z.describe("One result per id sent, in the order sent")),
    succeeded: z.int().check(z.describe("How many ids ServiceTitan marked")),
    failed: z.int().check(z.describe("How many it did not")),
  });

export const BillMarkResult = z.object({ billId: z.int(), ...markOutcome("bill") });
export const InventoryBillMarkResult = z.object({
  inventoryBillId: z.int(),
  ...markOutcome("inventory bill"),
});

const markDescription = (operation: string, what: string) =>
  `Tells ServiceTitan (${operation}) that your accounting system now holds these ${what}s. ` +
  "One result per id, in the order sent: an id ServiceTitan refuses (unknown, canceled) fails alone and " +
  "never fails the batch. Answers 200 whenever ServiceTitan answered, even if every id failed. " +
  `Marking again is harmless, so a timed-out call can simply be repeated. At most ${MAX_MARKS} ids, each once.`;

export const markBillsExported = defineRoute({
  method: "post",
  path: "/bills/mark-exported",
  operationId: "markBillsExported",
  summary: "Mark AP bills exported",
  description: `${markDescription("POST /ap-bills/markasexported", "AP bill")} ServiceTitan then shows the bill's syncStatus as Exported (or PostedAndExported).`,
  tags: TAGS,
  body: z.strictObject({ billIds: markIds("bill") }),
  bodyLimitBytes: 8 * 1024,
  responses: {
    200: { description: "One result per bill", schema: markResponse(BillMarkResult) },
    400: problemSpec("Invalid request (field errors listed)"),
  },
});

export const markInventoryBillsExported = defineRoute({
  method: "post",
  path: "/inventory-bills/mark-exported",
  operationId: "markInventoryBillsExported",
  summary: "Mark inventory bills exported",
  description: markDescription("POST /inventory-bills/markasexported", "inventory bill"),
  tags: TAGS,
  body: z.strictObject({ inventoryBillIds: markIds("inventory bill") }),
  bodyLimitBytes: 8 * 1024,
  responses: {
    200: { description: "One result per inventory bill", schema: markResponse(InventoryBillMarkResult) },
    400: problemSpec("Invalid request (field errors listed)"),
  },
});

// The order of the OpenAPI document; any mount order works (ids match digits only).
export const routes = [listBills, pollBills, getBill, markBillsExported, markInventoryBillsExported];

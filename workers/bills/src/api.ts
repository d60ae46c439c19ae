// The bills worker's API: route definitions used both to validate requests and to generate
// specs/workers/bills.openapi.json (`pnpm run gen`).
import { defineRoute, schemas } from "@st-edge/edge";
import { BillView, PollItem } from "@st-edge/views/bill";
import * as z from "zod/mini";

export const info = {
  title: "ServiceTitan AP bills",
  version: "1.0.0",
  description:
    "Accounts-payable bills (read-only, as in ServiceTitan) and a polling trigger for new or updated " +
    'bills. Money is exact decimal text ("1234.50"), ids are integers, dates are ServiceTitan\'s ' +
    "RFC 3339 strings.",
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
    dateFrom: z.optional(schemas.DateOnly.check(z.describe("Bills dated on or after this day"))),
    dateTo: z.optional(schemas.DateOnly.check(z.describe("Bills dated on or before this day"))),
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

// poll before {id}: Hono tries routes in registration order.
export const routes = [listBills, pollBills, getBill];

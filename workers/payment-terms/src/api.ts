// The payment-terms worker's API: route definitions used both to validate requests and to
// generate specs/workers/payment-terms.openapi.json (`pnpm run gen`).
import { defineRoute, schemas } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";
import * as z from "zod/mini";

export const DUE_DATE_RULES =
  "NumberOfDays: invoice date + dueDay days. CertainDayOfCurrentMonth: day dueDay of the invoice's " +
  "month, clamped to the month's last day; when that day is before the invoice date, ifDayPassed " +
  "decides (nextMonth, the default: that day of the next month, clamped; invoiceDate: due on the " +
  "invoice date; keep: the earlier day). CertainDayOfFollowingMonth: day dueDay of the next month, " +
  "clamped. The discount deadline follows applyBy the same way (NumberOfDays, DayOfMonth, " +
  "DayOfFollowingMonth with applyByValue). Discount amount (only with `amount`): Percent = amount × " +
  "discount / 100 (× discount where the deployment sets DISCOUNT_PERCENT_UNIT=fraction), Fixed = " +
  "discount capped at the amount; rounded half-up to cents. `amount` should " +
  "be what the term's discountApplyTo names (the invoice total, its subtotal or the remaining balance).";

export const info = {
  title: "ServiceTitan payment terms",
  version: "1.0.0",
  description:
    "Payment terms of the tenant (read-only in ServiceTitan) and due dates computed from them. " +
    `Due-date rules: ${DUE_DATE_RULES}`,
};

const DecimalText = z.string().check(z.describe('An exact decimal number as text, e.g. "2.5"'));
const DateText = z.string().check(z.describe("A calendar date, YYYY-MM-DD"));

export const DiscountView = z.object({
  id: z.nullable(z.int()),
  discountType: z.nullable(z.string().check(z.describe("Percent or Fixed"))),
  discount: z.nullable(DecimalText.check(z.describe("Percent: 2 means 2 %; Fixed: an amount"))),
  discountApplyTo: z.nullable(
    z.string().check(z.describe("ApplyToTotalAmount, ApplyToSubtotalAmount or ApplyToRemainingBalance")),
  ),
  applyBy: z.nullable(z.string().check(z.describe("NumberOfDays, DayOfMonth or DayOfFollowingMonth"))),
  applyByValue: z.nullable(z.int()),
  account: z.nullable(z.string()),
});

export const InterestView = z.object({
  id: z.nullable(z.int()),
  rateType: z.string(),
  flatRateValue: z.nullable(DecimalText),
  percentageRateValue: z.nullable(DecimalText),
  chargeMethod: z.nullable(z.string()),
  frequency: z.string(),
  gracePeriod: z.nullable(z.int()),
  targetInvoices: z.array(z.string()),
  taskId: z.nullable(z.int()),
  taskDisplayName: z.nullable(z.string()),
});

export const PaymentTermView = z.object({
  id: z.int(),
  name: z.nullable(z.string()),
  active: z.boolean(),
  inUse: z.nullable(z.boolean()),
  isCustomerDefault: z.boolean(),
  isVendorDefault: z.boolean(),
  dueDayType: z
    .string()
    .check(z.describe("NumberOfDays, CertainDayOfCurrentMonth or CertainDayOfFollowingMonth")),
  dueDay: z.nullable(z.int()),
  paymentTermDiscountModel: z
    .nullable(DiscountView)
    .check(z.describe("The early-payment discount; null when none")),
  interestSettings: z.nullable(InterestView),
  createdOn: z.string(),
  modifiedOn: z.string(),
});

export const PaymentTermList = z.object({ count: z.int(), data: z.array(PaymentTermView) });

export const DueDateView = z.object({
  paymentTermId: z.int(),
  paymentTermName: z.nullable(z.string()),
  dueDayType: z.string(),
  dueDay: z.nullable(z.int()),
  invoiceDate: DateText,
  dueDate: DateText,
  discount: z.nullable(
    z.object({
      deadline: DateText.check(z.describe("Last day the early-payment discount applies")),
      discountType: z.string(),
      discount: DecimalText,
      discountApplyTo: z.nullable(z.string()),
      base: z.nullable(DecimalText.check(z.describe("The `amount` sent, or null"))),
      amount: z.nullable(DecimalText.check(z.describe("The discount on `base`; null without `amount`"))),
    }),
  ),
});

const ActiveFilter = z._default(
  z
    .enum(["true", "false", "any"], "must be true, false or any")
    .check(z.describe("Active terms (true, the default), inactive ones (false) or both (any)")),
  "true",
);

const AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;

/** Calendar dates ServiceTitan can hold; also keeps two-digit years away from Date.UTC. */
const InvoiceDate = schemas.documentAs(
  schemas.DateOnly.check(
    z.refine(
      (text) => text >= "1900-01-01" && text <= "2999-12-31",
      "must be between 1900-01-01 and 2999-12-31",
    ),
  ),
  { type: "string", format: "date", description: "The invoice date, YYYY-MM-DD", examples: ["2026-01-31"] },
);

const TAGS = ["Payment terms"];

export const listPaymentTerms = defineRoute({
  method: "get",
  path: "/payment-terms",
  operationId: "listPaymentTerms",
  summary: "The tenant's payment terms",
  tags: TAGS,
  query: z.strictObject({
    active: ActiveFilter,
    name: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(100),
          z.describe("Keeps terms whose name contains this text (case-insensitive)"),
        ),
    ),
  }),
  responses: { 200: { description: "The matching terms, by name", schema: PaymentTermList } },
});

export const getPaymentTerm = defineRoute({
  method: "get",
  path: "/payment-terms/{id}",
  operationId: "getPaymentTerm",
  summary: "One payment term",
  description: "404 `not-found` when the term is not in this tenant.",
  tags: TAGS,
  params: z.object({ id: schemas.Id }),
  responses: { 200: { description: "The payment term", schema: PaymentTermView } },
});

export const getDueDate = defineRoute({
  method: "get",
  path: "/payment-terms/{id}/due-date",
  operationId: "getDueDate",
  summary: "The due date (and early-payment discount) for an invoice date under this term",
  description: `Rules: ${DUE_DATE_RULES}`,
  tags: TAGS,
  params: z.object({ id: schemas.Id }),
  query: z.strictObject({
    invoiceDate: InvoiceDate,
    amount: z.optional(
      schemas.documentAs(
        z.pipe(
          z
            .string()
            .check(z.regex(AMOUNT, 'must be an amount ≥ 0 with at most 2 decimal places, e.g. "100.00"')),
          z.transform((text: string) => Decimal.parse(text)),
        ),
        {
          type: "string",
          pattern: AMOUNT.source,
          description:
            "The amount the discount applies to (see discountApplyTo); omit for no discount amount",
          examples: ["100.00"],
        },
      ),
    ),
    ifDayPassed: z._default(
      z
        .enum(["nextMonth", "invoiceDate", "keep"], "must be nextMonth, invoiceDate or keep")
        .check(
          z.describe(
            "For day-of-current-month rules when that day is before the invoice date: nextMonth (default), invoiceDate or keep",
          ),
        ),
      "nextMonth",
    ),
  }),
  responses: { 200: { description: "The due date and discount", schema: DueDateView } },
});

// due-date's path is longer than {id}'s, so the two never compete for a request.
export const routes = [listPaymentTerms, getPaymentTerm, getDueDate];

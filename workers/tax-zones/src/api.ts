// The tax-zones worker's API: route definitions used both to validate requests and to generate
// specs/workers/tax-zones.openapi.json (`pnpm run gen`).
import { defineRoute, schemas } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";
import * as z from "zod/mini";
import { ROUNDING_RULE } from "./quote.ts";

export const info = {
  title: "ServiceTitan tax zones",
  version: "1.0.0",
  description:
    "The tenant's tax zones (read-only in ServiceTitan), the zone that applies to an invoice, and tax " +
    `quotes in exact decimal arithmetic. Rounding: ${ROUNDING_RULE} Rates are decimal strings ` +
    '(fractions: "0.0825" = 8.25 %). The zone list is cached in memory for up to 5 minutes.',
};

const DecimalText = z.string().check(z.describe('An exact decimal number as text, e.g. "8.25"'));

export const TaxRateView = z.object({
  id: z.nullable(z.int()),
  taxName: z.nullable(z.string()),
  taxBaseType: z
    .array(z.string())
    .check(z.describe("What the rate applies to: Subtotal, Labor and/or Material")),
  taxRate: z.string().check(z.describe('The rate as a decimal fraction: "0.0825" is 8.25 %')),
  salesTaxItem: z.nullable(z.string()),
});

export const TaxZoneView = z.object({
  id: z.int(),
  name: z.nullable(z.string()),
  color: z.nullable(z.number()),
  active: z.boolean(),
  isTaxRateSeparated: z.boolean(),
  isMultipleTaxZone: z.boolean(),
  rates: z.array(TaxRateView),
  createdOn: z.string(),
  modifiedOn: z.string(),
});

export const TaxZoneList = z.object({ count: z.int(), data: z.array(TaxZoneView) });

export const Resolution = z.object({
  invoice: z.object({
    id: z.int(),
    referenceNumber: z.nullable(z.string()),
    taxZoneId: z.int(),
    subTotal: z.nullable(DecimalText),
    salesTax: z.nullable(DecimalText),
  }),
  taxZone: TaxZoneView,
});

const AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;
const AMOUNT_JSON = {
  description: "An amount ≥ 0 with at most 2 decimal places, as a string (preferred) or a number",
  oneOf: [
    { type: "string", pattern: AMOUNT.source, examples: ["100.00"] },
    { type: "number", minimum: 0, multipleOf: 0.01 },
  ],
};
const amountText = (value: string | number) => (typeof value === "number" ? String(value) : value.trim());

/** A money amount in a request: a decimal string or a number, ≥ 0, at most 2 decimals. */
const Amount = schemas.documentAs(
  z.pipe(
    z
      .union([z.string(), z.number()], 'must be a decimal string such as "60.00" or a number')
      .check(
        z.refine(
          (value) => AMOUNT.test(amountText(value)),
          'must be an amount ≥ 0 with at most 2 decimal places, e.g. "60.00"',
        ),
      ),
    z.transform((value: string | number) => Decimal.parse(amountText(value))),
  ),
  AMOUNT_JSON,
);

export const QuoteRequest = schemas.documentAs(
  z
    .strictObject({
      subtotal: z.optional(Amount),
      labor: z.optional(Amount),
      material: z.optional(Amount),
    })
    .check(
      z.superRefine((body, ctx) => {
        const split = body.labor !== undefined || body.material !== undefined;
        if (body.subtotal !== undefined && split) {
          ctx.issues.push({
            code: "custom",
            input: body,
            path: ["subtotal"],
            message: "send either subtotal, or labor and material, not both",
          });
        } else if (body.subtotal === undefined && !split) {
          ctx.issues.push({
            code: "custom",
            input: body,
            path: [],
            message: "send subtotal, or labor and material",
          });
        }
      }),
    ),
  {
    type: "object",
    description:
      "Either the subtotal, or labor and material (a missing one counts as 0). Amounts are decimal " +
      "strings (preferred) or numbers, ≥ 0, with at most 2 decimal places.",
    oneOf: [
      {
        type: "object",
        required: ["subtotal"],
        properties: { subtotal: AMOUNT_JSON },
        additionalProperties: false,
      },
      {
        type: "object",
        anyOf: [{ required: ["labor"] }, { required: ["material"] }],
        properties: { labor: AMOUNT_JSON, material: AMOUNT_JSON },
        additionalProperties: false,
      },
    ],
    examples: [{ subtotal: "100.00" }, { labor: "60.00", material: "40.00" }],
  },
);

export const QuoteLineView = z.object({
  rateId: z.nullable(z.int()),
  taxName: z.nullable(z.string()),
  taxRate: DecimalText,
  basis: z.enum(["subtotal", "labor", "material", "none"]),
  taxableAmount: DecimalText,
  tax: DecimalText,
});

export const QuoteView = z.object({
  taxZoneId: z.int(),
  taxZoneName: z.nullable(z.string()),
  isTaxRateSeparated: z.boolean(),
  labor: z.nullable(DecimalText),
  material: z.nullable(DecimalText),
  subtotal: DecimalText,
  lines: z.array(QuoteLineView),
  totalTax: DecimalText,
  total: DecimalText,
  rounding: z.string(),
});

const TAGS = ["Tax zones"];

export const listTaxZones = defineRoute({
  method: "get",
  path: "/tax-zones",
  operationId: "listTaxZones",
  summary: "The tenant's tax zones, filtered by name and active state",
  tags: TAGS,
  query: z.strictObject({
    name: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(100),
          z.describe("Keeps zones whose name contains this text (case-insensitive)"),
        ),
    ),
    active: z._default(
      z
        .enum(["true", "false", "any"], "must be true, false or any")
        .check(z.describe("Active zones (true, the default), inactive ones (false) or both (any)")),
      "true",
    ),
  }),
  responses: { 200: { description: "The matching zones, by name", schema: TaxZoneList } },
});

export const resolveTaxZone = defineRoute({
  method: "get",
  path: "/tax-zones/resolve",
  operationId: "resolveTaxZone",
  summary: "The tax zone that applies to an invoice, with its rates",
  description:
    "Reads the invoice's `taxZoneId` (ServiceTitan copies it from the customer location onto the " +
    "invoice). 404 `not-found` when the invoice is not in this tenant; 422 `unprocessable` when " +
    "the invoice has no tax zone or its zone no longer exists.",
  tags: TAGS,
  query: z.strictObject({ invoiceId: schemas.Id }),
  responses: { 200: { description: "The invoice and its tax zone", schema: Resolution } },
});

export const getTaxZone = defineRoute({
  method: "get",
  path: "/tax-zones/{id}",
  operationId: "getTaxZone",
  summary: "One tax zone (active or not), with its rates",
  tags: TAGS,
  params: z.object({ id: schemas.Id }),
  responses: { 200: { description: "The tax zone", schema: TaxZoneView } },
});

export const quoteTaxZone = defineRoute({
  method: "post",
  path: "/tax-zones/{id}/quote",
  operationId: "quoteTax",
  summary: "Tax on an amount in this zone, per rate and in total",
  description:
    "Applies each rate to what its `taxBaseType` names: Subtotal (labor + material), Labor or " +
    "Material; each line reports the `basis` used. Send taxable amounts. A subtotal alone is refused " +
    "(422 `unprocessable`) when the split matters: a rate taxes labor or material only, or the zone " +
    "is `isTaxRateSeparated` (how ServiceTitan combines that flag with `taxBaseType` is not " +
    `documented). Rounding: ${ROUNDING_RULE}`,
  tags: TAGS,
  params: z.object({ id: schemas.Id }),
  body: QuoteRequest,
  bodyLimitBytes: 4 * 1024,
  responses: { 200: { description: "The quote", schema: QuoteView } },
});

// The order of the OpenAPI document; any mount order works (ids match digits only).
export const routes = [listTaxZones, resolveTaxZone, getTaxZone, quoteTaxZone];

// Input and output building blocks shared by every worker's API, so ids, amounts and dates are
// validated the same way everywhere.
import * as z from "zod/mini";
import { type AmountRules, amountProblem, dateProblem, lengthProblem, placeholderProblem } from "./inputs.ts";

const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * How a schema should read in the OpenAPI document when zod's own conversion is not what a
 * caller needs to see (e.g. an id accepted as text or number is documented as an integer).
 */
export const documented = new WeakMap<z.core.$ZodType, Record<string, unknown>>();

/**
 * Response shapes documented once, under `components.schemas` by name, and referenced wherever
 * they appear (an invoice answered by eight routes is described once).
 */
export const components = new WeakMap<z.core.$ZodType, string>();

/** Names `schema` as a component of the OpenAPI document; returns `schema`. */
export function component<S extends z.ZodMiniType>(name: string, schema: S): S {
  components.set(schema, name);
  return schema;
}

/** Objects made by `extendComponent`: documented as the base component plus the added fields. */
export const extensions = new WeakMap<z.core.$ZodType, { base: z.ZodMiniType; added: z.ZodMiniType }>();

/**
 * `base` (a component) with more fields, documented as `allOf: [base, the added fields]`.
 *
 * @example const Created = extendComponent(InvoiceView, { idempotencyKey: z.string() });
 */
export function extendComponent<B extends z.ZodMiniObject, const S extends z.core.$ZodLooseShape>(
  base: B,
  shape: S,
) {
  const extended = z.extend(base, shape);
  extensions.set(extended, { base, added: z.object(shape) });
  return extended;
}

/** Attaches the JSON Schema a caller should see for `schema`; returns `schema`. */
export function documentAs<S extends z.ZodMiniType>(schema: S, jsonSchema: Record<string, unknown>): S {
  documented.set(schema, jsonSchema);
  // Request schemas are documented by their input side, which for a pipe is its first stage.
  if (schema instanceof z.ZodMiniPipe) documented.set(schema._zod.def.in, jsonSchema);
  return schema;
}

/** A ServiceTitan id in a path or query: a positive integer no larger than 2^53 - 1. */
export const Id = documentAs(
  z.pipe(
    z.union([z.string().check(z.regex(/^\d{1,16}$/, "must be a positive integer")), z.number()]),
    z.coerce
      .number<string | number>()
      .check(
        z.int("must be a positive integer"),
        z.positive("must be a positive integer"),
        z.maximum(MAX_ID, "is larger than ServiceTitan ids can be"),
      ),
  ),
  { type: "integer", minimum: 1, maximum: MAX_ID, description: "A ServiceTitan id" },
);

/** A comma-separated id list (`?ids=1,2,3`), de-duplicated, at most `max` ids. */
export const IdList = (max: number) =>
  z.pipe(
    z
      .string()
      .check(z.regex(/^\s*\d{1,16}(\s*,\s*\d{1,16})*\s*$/, "must be comma-separated positive integers")),
    z.pipe(
      z.transform((text: string) => [...new Set(text.split(",").map((part) => Number(part.trim())))]),
      z
        .array(
          z
            .number()
            .check(z.int(), z.positive(), z.maximum(MAX_ID, "is larger than ServiceTitan ids can be")),
        )
        .check(z.minLength(1), z.maxLength(max, `at most ${max} ids`)),
    ),
  );

/**
 * Free text that must be a real value (not empty, not a placeholder an automation left behind) of
 * at most `max` UTF-16 code units: the way ServiceTitan, a .NET service, most likely counts a
 * field's length (UNCONFIRMED), so an emoji counts as two. zod's own `maxLength` counts
 * code points (zod 4.6), which let a memo of 232 emoji (464 units) through a 232 limit. The
 * document says `maxLength: max`, which JSON Schema counts in code points: a bound, not the rule.
 *
 * @example memo: z.optional(schemas.Text(232))
 */
export const Text = (max: number) =>
  z.string().check(
    rule((value: string) => lengthProblem(value, max) ?? placeholderProblem(value)),
    z.meta({ maxLength: max }),
  );

/** An RFC 3339 date-time with an offset, e.g. 2026-01-31T00:00:00Z. */
export const DateTime = z
  .string()
  .check(
    z.iso.datetime({ offset: true, message: "must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z" }),
  );

/** A calendar date, e.g. 2026-01-31. */
export const DateOnly = z.string().check(z.iso.date("must be a date such as 2026-01-31"));

/** Page size for list endpoints. */
export const PageSize = (max: number, fallback: number) =>
  z._default(
    z.pipe(
      z.union([z.string().check(z.regex(/^\d{1,6}$/, "must be a positive integer")), z.number()]),
      z.coerce.number<string | number>().check(z.int(), z.minimum(1), z.maximum(max)),
    ),
    fallback,
  );

/** An RFC 9457 problem, as every error answer is (one component of every OpenAPI document). */
export const Problem = component(
  "Problem",
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ in: z.string(), field: z.string(), message: z.string() }))),
    traceId: z.optional(z.string()),
    requestId: z.optional(z.string()),
  }),
);

/**
 * A list query parameter sent repeated (`?status=A&status=B`) or comma-separated
 * (`?status=A,B`), each value one of `values`. With `anyCase`, values match in any letter case
 * and come out as written in `values`.
 *
 * @example status: z.optional(EnumList(["Pending", "Posted"], "Status(es)", { anyCase: true }))
 */
export const EnumList = <const T extends readonly [string, ...string[]]>(
  values: T,
  description: string,
  { anyCase = false, max }: { anyCase?: boolean; max?: number } = {},
) => {
  const canonical = (part: string) =>
    anyCase ? (values.find((known) => known.toLowerCase() === part.toLowerCase()) ?? part) : part;
  const list = z.array(z.enum(values, `must be one of ${values.join(", ")}`));
  return documentAs(
    z.pipe(
      z.union([z.string(), z.array(z.string())]),
      z.pipe(
        z.transform((value: string | string[]) =>
          (Array.isArray(value) ? value : [value])
            .flatMap((part) => part.split(","))
            .map((part) => canonical(part.trim()))
            .filter((part) => part !== ""),
        ),
        max === undefined ? list.check(z.minLength(1)) : list.check(z.minLength(1), z.maxLength(max)),
      ),
    ),
    { type: "array", items: { type: "string", enum: [...values] }, description },
  );
};

/** A zod check from a rule of inputs.ts: the rule's message becomes the field's error. */
export const rule = <T>(problem: (value: T) => string | undefined) =>
  z.superRefine((value: T, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message, input: value } as never);
  });

/**
 * An amount as a decimal string ("12.30") or a number (12.3), at most two decimals; positive unless
 * `sign: "any"` (a price may be a discount).
 */
export const Amount = (rules: AmountRules = {}) =>
  documentAs(
    z.union([z.string(), z.number()]).check(rule((value: string | number) => amountProblem(value, rules))),
    rules.sign === "any"
      ? {
          description:
            "Amount with at most two decimals (negative for a discount), as text (preferred) or a number",
          oneOf: [{ type: "string", pattern: "^-?\\d+(\\.\\d{1,2})?$" }, { type: "number" }],
          examples: ["125.50", "-20.00"],
        }
      : {
          description: "Positive amount with at most two decimals, as text (preferred) or a number",
          oneOf: [
            { type: "string", pattern: "^\\d+(\\.\\d{1,2})?$" },
            { type: "number", exclusiveMinimum: 0 },
          ],
          examples: ["125.50"],
        },
  );

/** A business date: a date (midnight UTC) or an RFC 3339 date-time; with `dateOnly`, a date only. */
export const BusinessDate = (options: { dateOnly?: boolean } = {}) =>
  z.string().check(
    rule((value: string) => dateProblem(value, options)),
    z.describe(
      options.dateOnly
        ? "A date such as 2026-01-31"
        : "Date (2026-01-31, midnight UTC) or RFC 3339 date-time",
    ),
  );

/** true/false, as a JSON boolean or the text automation tools send. */
export const Flag = z.union([z.boolean(), z.enum(["true", "false"])], "must be true or false");

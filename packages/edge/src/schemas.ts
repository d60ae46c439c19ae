// Input and output building blocks shared by every worker's API, so ids, amounts and dates are
// validated the same way everywhere.
import * as z from "zod/mini";

const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * How a schema should read in the OpenAPI document when zod's own conversion is not what a
 * caller needs to see (e.g. an id accepted as text or number is documented as an integer).
 */
export const documented = new WeakMap<z.core.$ZodType, Record<string, unknown>>();

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
 * Text of at most `max` UTF-16 code units: the way ServiceTitan, a .NET service, most likely
 * counts a field's length (UNCONFIRMED), so an emoji counts as two. zod's own `maxLength` counts
 * code points (zod 4.6), which let a memo of 232 emoji (464 units) through a 232 limit. The
 * document says `maxLength: max`, which JSON Schema counts in code points: a bound, not the rule.
 *
 * @example memo: z.optional(schemas.Text(232))
 */
export const Text = (max: number, message = `must be at most ${max} characters (an emoji counts as 2)`) =>
  z.string().check(
    z.refine((text: string) => text.length <= max, message),
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

/** An RFC 9457 problem, as every error answer is. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ in: z.string(), field: z.string(), message: z.string() }))),
  traceId: z.optional(z.string()),
  requestId: z.optional(z.string()),
});

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

// Small predicates the list routes combine. Each returns true when its filter is absent, so a
// route reads as a list of the filters ServiceTitan documents for it.
import type { Decimal } from "@st-edge/servicetitan";
import { validationProblem } from "./errors.ts";
import { money } from "./money.ts";
import { parseDateTime } from "./time.ts";

/** Epoch milliseconds of a response timestamp, or undefined. */
export const instantOf = (value: string | null | undefined): number | undefined =>
  value ? parseDateTime(value) : undefined;

/** "OnOrAfter" is inclusive and "Before" exclusive, as the parameter names say (FACTS.md §2.7). */
export function within(
  value: string | null | undefined,
  onOrAfter: number | undefined,
  before: number | undefined,
): boolean {
  if (onOrAfter === undefined && before === undefined) return true;
  const at = instantOf(value);
  if (at === undefined) return false;
  return (onOrAfter === undefined || at >= onOrAfter) && (before === undefined || at < before);
}

export const inList = <T>(value: T | null | undefined, list: readonly T[] | undefined): boolean =>
  list === undefined || (value !== null && value !== undefined && list.includes(value));

export const equalTo = <T>(value: T | null | undefined, wanted: T | undefined): boolean =>
  wanted === undefined || value === wanted;

/** Case-insensitive substring, for filters the spec calls "partial match supported". */
export const contains = (value: string | null | undefined, wanted: string | undefined): boolean =>
  wanted === undefined || (value ?? "").toLowerCase().includes(wanted.toLowerCase());

/** `activeState`: ActiveOnly (the default), InactiveOnly or All. */
export function activeState(active: boolean, state: string | undefined): boolean {
  if (state === "All") return true;
  if (state === "InactiveOnly") return !active;
  return active;
}

/** `active`: True (the default), False or Any. */
export function activeArg(active: boolean, arg: string | undefined): boolean {
  if (arg === "Any") return true;
  if (arg === "False") return !active;
  return active;
}

/** Money range, inclusive on both ends ("greater than or equal", "less than or equal" in the spec). */
export function amountBetween(
  value: string | null | undefined,
  min: Decimal | undefined,
  max: Decimal | undefined,
): boolean {
  if (min === undefined && max === undefined) return true;
  if (value === null || value === undefined) return false;
  const amount = money(value);
  return (min === undefined || amount.compare(min) >= 0) && (max === undefined || amount.compare(max) <= 0);
}

/** Checks values of a plain-string parameter against the values it stands for (400 otherwise). */
export function enumValues(
  name: string,
  values: string[] | undefined,
  allowed: readonly string[],
): string[] | undefined {
  if (values === undefined) return undefined;
  const bad = values.filter(
    (value) => !allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase()),
  );
  if (bad.length > 0)
    throw validationProblem({ [name]: bad.map((value) => `The value '${value}' is not valid for ${name}.`) });
  return values.map(
    (value) => allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase()) ?? value,
  );
}

/**
 * `customField.Fields[Name]=Value` with `customField.Operator` And (default) or Or: a record
 * matches when all (any) of the named fields hold the value. Names and values compare without
 * regard to case, as SQL Server's default collation does (UNCONFIRMED for ServiceTitan).
 */
export function customFieldsMatch(
  fields: readonly { name?: string | null; value?: string | null }[] | null | undefined,
  wanted: ReadonlyMap<string, string> | undefined,
  operator: string | undefined,
): boolean {
  if (wanted === undefined) return true;
  const holds = ([name, value]: [string, string]) =>
    (fields ?? []).some(
      (field) =>
        (field.name ?? "").toLowerCase() === name.toLowerCase() &&
        (field.value ?? "").toLowerCase() === value.toLowerCase(),
    );
  const pairs = [...wanted];
  return operator === "Or" ? pairs.some(holds) : pairs.every(holds);
}

/**
 * The form invoice numbers are compared in: without regard to letter case. ServiceTitan keeps
 * invoices in SQL Server, whose default collation ignores case (UNCONFIRMED; the workers compare
 * numbers the same way). The `number` filter, payment splits by number and the uniqueness of
 * numbers all use it.
 */
export const invoiceNumberKey = (number: string): string => number.toLowerCase();

// What every export-mark write shares (AP bills, invoices): a list of at most 50 records, each
// once; a preview that says how many are marked already; and an audit line with the ids and the
// worker's per-record counts. Marking sets a value: marking again is harmless.
import * as z from "zod";
import type { Outcome } from "./define.ts";
import type { AuditFields } from "./two-step.ts";

/** The bills and invoice-changes workers mark at most 50 records per call. */
export const MAX_MARKS = 50;

/** A mark's list: 1 to MAX_MARKS items, no record twice. */
export const markList = <S extends z.ZodType>(item: S, idOf: (item: z.output<S>) => number, noun: string) =>
  z
    .array(item)
    .min(1)
    .max(MAX_MARKS)
    .refine((items) => new Set(items.map(idOf)).size === items.length, `must not list ${noun} twice`);

/** The records of `ids` in the order asked, and the ids not among them. */
export function inOrderOf<T extends { id: number }>(
  ids: number[],
  records: T[],
): { found: T[]; missing: number[] } {
  const byId = new Map(records.map((record) => [record.id, record]));
  return {
    found: ids.flatMap((id) => byId.get(id) ?? []),
    missing: ids.filter((id) => !byId.has(id)),
  };
}

/** The preview's one-line summary. */
export const markSummary = (noun: string, count: number, already: number): string =>
  `Mark ${count} ${noun}${count > 1 ? "s" : ""} exported (${already} already are)`;

const count = (outcome: Outcome<Record<string, unknown>>, key: "succeeded" | "failed") =>
  outcome.ok && typeof outcome.data[key] === "number" ? outcome.data[key] : undefined;

/** The audit line of a mark: the ids under `field`, and how many the worker marked and refused. */
export const markAudit =
  <R>(field: string, idsOf: (request: R) => number[]) =>
  (request: R, outcome: Outcome<Record<string, unknown>>): AuditFields => ({
    [field]: idsOf(request).join(","),
    succeeded: count(outcome, "succeeded"),
    failed: count(outcome, "failed"),
  });

// One outcome per id of a batch call whose answer ServiceTitan gives per record (the export marks
// of invoices, AP bills and inventory bills): the caller gets exactly one result per id it sent,
// in its order, even if ServiceTitan's answer leaves one out, and never one failure for the batch.
import { ProblemError } from "./problem.ts";

export interface Outcome {
  id: number;
  success: boolean;
  errorMessage: string | null;
}

/**
 * One outcome per requested id, in request order: ServiceTitan's own where it gave one, a
 * failure saying so where it did not. Anything but a list from ServiceTitan is unreadable.
 */
export function outcomesFor<R>(
  ids: readonly number[],
  answer: readonly R[] | undefined,
  read: (result: R) => { id: number | undefined; success: boolean | undefined; errorMessage?: string | null },
): Outcome[] {
  // The generated type says a list; what arrived may still be something else.
  if (!Array.isArray(answer))
    throw new ProblemError({
      type: "upstream-invalid-response",
      detail: "ServiceTitan answered the export mark with something other than a list of results",
    });
  const byId = new Map<number, Omit<Outcome, "id">>();
  for (const result of answer) {
    const { id, success, errorMessage } = read(result);
    if (id !== undefined && !byId.has(id))
      byId.set(id, { success: success === true, errorMessage: errorMessage ?? null });
  }
  return ids.map((id) => ({
    id,
    ...(byId.get(id) ?? { success: false, errorMessage: "ServiceTitan's answer did not report on this id" }),
  }));
}

/**
 * The results with how many succeeded and failed: the answer every export-mark route gives.
 *
 * @example c.json(counted(outcomes)) // { results, succeeded: 2, failed: 1 }
 */
export const counted = <T extends { success: boolean }>(results: T[]) => ({
  results,
  succeeded: results.filter((result) => result.success).length,
  failed: results.filter((result) => !result.success).length,
});

// Export marks: tell ServiceTitan that AP bills or inventory bills now live in the accounting
// system (POST /ap-bills/markasexported, POST /inventory-bills/markasexported). ServiceTitan
// answers per bill; the caller gets exactly one result per id it sent, in its order, even if
// ServiceTitan's answer leaves one out.
import { mount, ProblemError, serviceTitanFor, type WorkerEnv } from "@st-edge/edge";
import type { Hono } from "hono";
import { markBillsExported, markInventoryBillsExported } from "../api.ts";

interface Outcome {
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

const counted = <T extends { success: boolean }>(results: T[]) => ({
  results,
  succeeded: results.filter((result) => result.success).length,
  failed: results.filter((result) => !result.success).length,
});

/**
 * Mounts POST /bills/mark-exported and POST /inventory-bills/mark-exported.
 *
 * @example registerExportMarkRoutes(createWorkerApp<Env>({ name: "bills", openapi }));
 */
export function registerExportMarkRoutes<E extends WorkerEnv>(app: Hono<E>): void {
  mount(app, markBillsExported, async (c, { body }) => {
    const { client } = await serviceTitanFor(c);
    const { data } = await client.POST("/tenant/{tenant}/ap-bills/markasexported", {
      body: { billIds: body.billIds },
    });
    const outcomes = outcomesFor(body.billIds, data, (result) => ({
      id: result.billId,
      success: result.success,
      errorMessage: result.errorMessage,
    }));
    return c.json(counted(outcomes.map(({ id, ...outcome }) => ({ billId: id, ...outcome }))));
  });

  mount(app, markInventoryBillsExported, async (c, { body }) => {
    const { client } = await serviceTitanFor(c);
    const { data } = await client.POST("/tenant/{tenant}/inventory-bills/markasexported", {
      body: { inventoryBillIds: body.inventoryBillIds },
    });
    const outcomes = outcomesFor(body.inventoryBillIds, data, (result) => ({
      id: result.inventoryBillId,
      success: result.success,
      errorMessage: result.errorMessage,
    }));
    return c.json(counted(outcomes.map(({ id, ...outcome }) => ({ inventoryBillId: id, ...outcome }))));
  });
}

// Export marks: tell ServiceTitan that AP bills or inventory bills now live in the accounting
// system (POST /ap-bills/markasexported, POST /inventory-bills/markasexported). ServiceTitan
// answers per bill; the caller gets exactly one result per id it sent, in its order, even if
// ServiceTitan's answer leaves one out.
import { counted, mount, outcomesFor, serviceTitanFor, type WorkerEnv } from "@st-edge/edge";
import type { Hono } from "hono";
import { markBillsExported, markInventoryBillsExported } from "../api.ts";

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

// The HTTP side of every route: each handler reads its validated input, runs the change (changes/,
// adjustments/, custom-fields.ts, export/), announces what changed, and answers the invoice as read.
import { mount, ProblemError, serviceTitanFor, type WorkerEnv } from "@st-edge/edge";
import type { Invoice } from "@st-edge/servicetitan";
import { toInvoiceView } from "@st-edge/views/invoice";
import type { Hono } from "hono";
import { announce } from "../announce.ts";
import {
  addInvoiceItem,
  changeInvoiceItem,
  deleteInvoiceItem,
  exportDrift,
  listCustomFieldTypes,
  markInvoicesExported,
  setCustomFields,
  updateInvoice,
} from "../api.ts";
import { addItem, changeItem, deleteItem } from "../changes/items.ts";
import { updateInvoice as applyUpdate } from "../changes/update.ts";
import { type Ctx, changeFor } from "../context.ts";
import { setCustomFields as applyCustomFields, customFieldTypes } from "../custom-fields.ts";
import { exportDrift as findDrift } from "../export/drift.ts";
import { markExported } from "../export/marks.ts";
import type { InvoiceChangeBindings } from "../settings.ts";

/** Answers a changed invoice and announces it. */
function changed(c: Ctx<InvoiceChangeBindings>, invoice: Invoice, extra: object = {}): Response {
  announce(c, "invoice.updated", invoice);
  return c.json({ ...toInvoiceView(invoice), ...extra });
}

/**
 * Mounts every route of api.ts (literal paths before `/invoices/{id}`).
 *
 * @example registerInvoiceRoutes(createWorkerApp<InvoiceChangeBindings>({ name: "invoice-changes", openapi }));
 */
export function registerInvoiceRoutes(app: Hono<WorkerEnv<InvoiceChangeBindings>>): void {
  mount(app, listCustomFieldTypes, async (c) => {
    const { client } = await serviceTitanFor(c);
    const types = await customFieldTypes(client);
    return c.json({
      data: types.map((type) => ({
        id: type.id,
        name: type.name,
        dataType: type.dataType,
        dataTypeOptions: type.dataTypeOptions ?? null,
        createdOn: type.createdOn,
        modifiedOn: type.modifiedOn,
      })),
    });
  });

  mount(app, exportDrift, async (c, { query }) => {
    const { items, complete } = await findDrift(c, await changeFor(c), query.limit);
    if (!complete) {
      // An empty answer would read as "nothing drifted"; say ServiceTitan was too slow instead.
      if (items.length === 0)
        throw new ProblemError({
          type: "upstream-timeout",
          detail: "ServiceTitan did not answer in time to list recently modified exported invoices",
          retryAfterSeconds: 30,
        });
      c.header("X-Search-Complete", "false");
    }
    return c.json(items);
  });

  mount(app, markInvoicesExported, async (c, { body }) =>
    c.json(await markExported(c, await changeFor(c), body)),
  );

  mount(app, updateInvoice, async (c, { params, body }) =>
    changed(c, await applyUpdate(await changeFor(c), params.id, body)),
  );

  mount(app, addInvoiceItem, async (c, { params, body }) => {
    const { after, itemId } = await addItem(await changeFor(c), params.id, body);
    return changed(c, after, { itemId });
  });

  mount(app, changeInvoiceItem, async (c, { params, body }) => {
    const { after, itemId } = await changeItem(await changeFor(c), params.id, params.itemId, body);
    return changed(c, after, { itemId });
  });

  mount(app, deleteInvoiceItem, async (c, { params }) => {
    const { after, itemId } = await deleteItem(await changeFor(c), params.id, params.itemId);
    return changed(c, after, { itemId });
  });

  mount(app, setCustomFields, async (c, { params, body }) =>
    changed(c, await applyCustomFields(await changeFor(c), params.id, body)),
  );
}

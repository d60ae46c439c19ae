// Subscribing to and unsubscribing from the events worker's REST hooks: one hook per event.
import type { IDataObject, IHookFunctions } from "n8n-workflow";
import { callWorker } from "./transport";

export interface HookRoutes {
  worker: string;
  subscribePath: string;
  unsubscribePath: string;
}

/** Creates one subscription per event for `targetUrl`; answers their ids. */
export async function subscribeHooks(
  ctx: IHookFunctions,
  hooks: HookRoutes,
  events: string[],
  targetUrl: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (const event of events) {
    const { body } = await callWorker(
      ctx,
      { worker: hooks.worker, idempotent: false, key: "subscribe" },
      { method: "POST", path: hooks.subscribePath, query: {}, body: { event, targetUrl } },
    );
    ids.push(String((body as IDataObject).id));
  }
  return ids;
}

/** Deletes the subscriptions; one already gone (404) counts as deleted. */
export async function unsubscribeHooks(ctx: IHookFunctions, hooks: HookRoutes, ids: string[]): Promise<void> {
  for (const id of ids) {
    const path = hooks.unsubscribePath.replace("{id}", encodeURIComponent(id));
    await callWorker(
      ctx,
      { worker: hooks.worker, idempotent: false, key: "unsubscribe" },
      { method: "DELETE", path, query: {} },
    );
  }
}

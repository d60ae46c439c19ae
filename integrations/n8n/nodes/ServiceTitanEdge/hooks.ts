// Subscribing to and unsubscribing from the events worker's REST hooks: one hook per event.
import type { IDataObject, IHookFunctions } from "n8n-workflow";
import type { HookRoutes } from "./generated/runtime";
import { callWorker } from "./transport";

/** Creates one subscription per event for `targetUrl`; answers their ids (the same again for a URL already subscribed). */
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
      { notFound: "error" },
    );
    ids.push(String((body as IDataObject).id));
  }
  return ids;
}

/**
 * Whether every one of `ids` is still subscribed to `targetUrl` (a target answering 410, or an
 * operator, may have removed one). Without a list route, the ids are taken on trust.
 */
export async function hooksExist(
  ctx: IHookFunctions,
  hooks: HookRoutes,
  ids: string[],
  targetUrl: string,
): Promise<boolean> {
  if (ids.length === 0) return false;
  if (!hooks.listPath) return true;
  const { body } = await callWorker(
    ctx,
    { worker: hooks.worker, idempotent: false, key: "listHooks" },
    { method: "GET", path: hooks.listPath, query: {} },
  );
  const live = new Set(
    ((body as { data?: IDataObject[] } | undefined)?.data ?? [])
      .filter((hook) => hook.targetUrl === targetUrl)
      .map((hook) => String(hook.id)),
  );
  return ids.every((id) => live.has(id));
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

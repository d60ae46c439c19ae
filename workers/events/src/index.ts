// The events worker's HTTP API: REST hook subscriptions, ServiceTitan's webhook receiver,
// publishing by reference, operator routes. The state lives in the tenant's TenantEvents Durable
// Object, which the watcher worker owns (src/watcher.ts: the class, the queue consumers, the
// Cron Trigger); this worker binds it by script name.
import { createWorkerApp, mount } from "@st-edge/edge";
import {
  createHook,
  deleteHook,
  getWatcher,
  listDeadLetters,
  listHooks,
  publishChange,
  receiveServiceTitanWebhook,
  replayDeadLetter,
} from "./api.ts";
import { publishChangeHandler } from "./routes/events.ts";
import { createHookHandler, deleteHookHandler, listHooksHandler } from "./routes/hooks.ts";
import { getWatcherHandler, listDeadLettersHandler, replayDeadLetterHandler } from "./routes/operations.ts";
import { receiveWebhookHandler, servicetitanSignature } from "./routes/webhooks.ts";
import type { EventsBindings } from "./settings.ts";

const app = createWorkerApp<EventsBindings>({
  name: "events",
  openapiAsset: "/events.openapi.json",
  open: [receiveServiceTitanWebhook.path],
});

mount(app, createHook, createHookHandler);
mount(app, listHooks, listHooksHandler);
mount(app, deleteHook, deleteHookHandler);
app.use(receiveServiceTitanWebhook.path, servicetitanSignature());
mount(app, receiveServiceTitanWebhook, receiveWebhookHandler);
mount(app, publishChange, publishChangeHandler);
mount(app, listDeadLetters, listDeadLettersHandler);
mount(app, replayDeadLetter, replayDeadLetterHandler);
mount(app, getWatcher, getWatcherHandler);

export default app;

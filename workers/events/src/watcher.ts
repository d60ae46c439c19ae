// The events watcher: a Worker of its own (wrangler.watcher.jsonc) beside the HTTP API
// (src/index.ts), so each stays within the bundle budget. It owns the TenantEvents Durable Object
// class (whose alarm polls, see watcher/store.ts), consumes the queues (consumers.ts), and has
// the Cron Trigger, which only makes sure the tenant's watcher alarm is armed.
import { handleQueue } from "./consumers.ts";
import { type EventsBindings, ensureWatching } from "./settings.ts";

export { TenantEvents } from "./watcher/store.ts";

export default {
  queue: handleQueue,
  async scheduled(_controller, env) {
    await ensureWatching(env);
  },
} satisfies ExportedHandler<EventsBindings>;

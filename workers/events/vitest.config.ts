// Tests run in workerd with the real local Durable Object, KV and Queue producer bindings of the
// watcher (wrangler.watcher.jsonc, the main worker here: it owns the Durable Object class; the
// API's handlers are called directly). Tests drive the queue consumers themselves
// (createMessageBatch + getQueueResult, test/support.ts), so the config they run with has no
// consumers: nothing else takes the messages. Durable Object alarms fire on their own; the
// bindings they see (below) hold a simulator running in this Node process, so an alarm's poll
// has a ServiceTitan to read (test/alarm.test.ts), and a poll interval of an hour, so no alarm
// fires during other tests unless run.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { createSimulator, DEMO_APP_KEY, DEMO_TENANTS } from "@st-edge/simulator";
import { defineConfig } from "vitest/config";
import { wranglerConfigWithoutConsumers } from "./test/wrangler-config.mjs";

const alarmSimulator = createSimulator();
const [demo] = DEMO_TENANTS;

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: wranglerConfigWithoutConsumers() },
      miniflare: {
        bindings: {
          ST_APP_KEY: DEMO_APP_KEY,
          ST_CLIENT_ID: demo?.clientId ?? "",
          ST_CLIENT_SECRET: demo?.clientSecret ?? "",
          POLL_INTERVAL_SECONDS: "3600",
          // The chaos run's size (`pnpm test:chaos --full` sets 200).
          CHAOS_EVENTS: process.env.CHAOS_EVENTS ?? "",
        },
        serviceBindings: {
          SERVICETITAN: async (request: Request) => {
            const body =
              request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
            const answer = await alarmSimulator.fetch(
              new Request(request.url, { method: request.method, headers: request.headers, body }),
            );
            return new Response(await answer.arrayBuffer(), {
              status: answer.status,
              headers: answer.headers,
            });
          },
        },
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // The worker logs every delivery as a JSON line; keep test output readable.
    onConsoleLog: (log) => !log.startsWith('{"level"'),
  },
});

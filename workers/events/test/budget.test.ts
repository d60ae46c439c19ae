// The request budget other workers keep with ServiceTitan silent (edge test-support/budget.ts)
// holds here by design: no route of this API waits on ServiceTitan (reading records happens in the
// queue consumers, each message under its own budget), so with ServiceTitan hanging every route
// still answers at once, and never with a 5xx.
import { faultBinding } from "@st-edge/edge/testing";
import { describe, expect, it } from "vitest";
import { routes } from "../src/api.ts";
import { call, cloudEvent, sendWebhook, setup } from "./support.ts";

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describe("events: ServiceTitan silent", () => {
  const requests: Record<string, { path: string; init?: RequestInit }> = {
    createHook: {
      path: "/hooks",
      init: json({ event: "payment.created", targetUrl: "https://hooks.example.com/b" }),
    },
    listHooks: { path: "/hooks" },
    deleteHook: { path: "/hooks/hk_0123456789abcdef0123", init: { method: "DELETE" } },
    publishChange: { path: "/events", init: json({ event: "payment.created", recordId: 13000001 }) },
    listDeadLetters: { path: "/dead-letters" },
    replayDeadLetter: {
      path: "/dead-letters/dl_0123456789abcdef0123456789abcdef/replay",
      init: { method: "POST" },
    },
    getWatcher: { path: "/watcher" },
  };

  it.each(routes.map((route) => [route.operationId, route] as const))(
    "%s answers at once",
    async (operationId) => {
      const s = await setup();
      const silent = {
        ...s,
        env: { ...s.env, SERVICETITAN: faultBinding(s.sim, "hang"), REQUEST_BUDGET_MS: "2000" },
      };
      const started = Date.now();
      const response =
        operationId === "receiveServiceTitanWebhook"
          ? await sendWebhook(silent, cloudEvent(silent, 1))
          : await call(silent.env, requests[operationId]?.path ?? "/", requests[operationId]?.init);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(response.status).toBeLessThan(500);
    },
  );
});

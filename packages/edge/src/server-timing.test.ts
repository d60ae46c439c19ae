// Server-Timing is opt-in twice (the deployment's SERVER_TIMING and the caller's header), tells
// only span names, durations and counts, and costs nothing when off: the handler's timing is the
// no-op and bindings are handed over unwrapped.
import { describe, expect, it } from "vitest";
import { createWorkerApp } from "./app.ts";
import { hashApiKey } from "./caller-auth.ts";
import type { EdgeBindings } from "./config.ts";
import { countCalls, countedNamespace, NO_TIMING, recordTiming } from "./server-timing.ts";

const KEY = "caller-key-timing";

async function app(serverTimingSetting?: string) {
  const worker = createWorkerApp<EdgeBindings>({ name: "test" });
  const seen: unknown[] = [];
  worker.get("/work", async (c) => {
    seen.push(c.var.timing);
    await c.var.timing.span("st-GET-invoices", () => new Promise((resolve) => setTimeout(resolve, 5)));
    c.var.timing.count("upstream");
    c.var.timing.count("do", 2);
    return c.json({ ok: true });
  });
  const env = {
    API_KEY_HASHES: await hashApiKey(KEY),
    ...(serverTimingSetting === undefined ? {} : { SERVER_TIMING: serverTimingSetting }),
  } as EdgeBindings;
  const call = (headers: Record<string, string>) =>
    worker.request(new Request("https://w.test/work", { headers }), undefined, env);
  return { call, seen };
}

describe("Server-Timing", () => {
  it("is off by default: a caller asking for it gets no header, and the handler's timing is the no-op", async () => {
    const { call, seen } = await app();
    const response = await call({ Authorization: `Bearer ${KEY}`, "X-Server-Timing": "on" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Server-Timing")).toBeNull();
    expect(seen).toEqual([NO_TIMING]);
  });

  it("needs the caller to ask even where the deployment allows it", async () => {
    const { call, seen } = await app("on");
    const response = await call({ Authorization: `Bearer ${KEY}` });
    expect(response.headers.get("Server-Timing")).toBeNull();
    expect(seen).toEqual([NO_TIMING]);
    const other = await call({ Authorization: `Bearer ${KEY}`, "X-Server-Timing": "yes" });
    expect(other.headers.get("Server-Timing")).toBeNull();
  });

  it("answers an unauthenticated caller without it (it runs after caller authentication)", async () => {
    const { call, seen } = await app("on");
    const response = await call({ Authorization: "Bearer wrong-key", "X-Server-Timing": "on" });
    expect(response.status).toBe(401);
    expect(response.headers.get("Server-Timing")).toBeNull();
    expect(seen).toEqual([]);
  });

  it("tells spans and counts, and nothing else, when both ask", async () => {
    const { call } = await app("on");
    const response = await call({ Authorization: `Bearer ${KEY}`, "X-Server-Timing": "on" });
    const header = response.headers.get("Server-Timing") ?? "";
    const entries = header.split(", ");
    expect(entries.map((entry) => entry.split(";")[0])).toEqual([
      "total",
      "st-GET-invoices",
      "n-upstream",
      "n-do",
    ]);
    expect(entries[1]).toMatch(/^st-GET-invoices;dur=\d+\.\d;desc="1"$/);
    expect(entries.slice(2)).toEqual(['n-upstream;desc="1"', 'n-do;desc="2"']);
    expect(header).not.toContain(KEY);
  });

  it("keeps metric names tokens: a span name cannot add entries or parameters", () => {
    const timing = recordTiming();
    return timing
      .span('a, b;dur=9;desc="x"', async () => undefined)
      .then(() => {
        const header = timing.header(1);
        expect(header.split(", ")).toHaveLength(2);
        expect(header).toMatch(/^total;dur=1\.0, a-b-dur-9-desc-x-;dur=\d+\.\d;desc="1"$/);
      });
  });

  it("counts each call on a binding and hands back what the binding answered", async () => {
    const calls: string[] = [];
    const store = new Map<string, string>([["k", "v"]]);
    const kv = countCalls(
      {
        get: async (key: string) => store.get(key) ?? null,
        put: async (key: string, value: string) => void store.set(key, value),
      },
      (method) => calls.push(method),
    );
    expect(await kv.get("k")).toBe("v");
    await kv.put("k2", "v2");
    expect(store.get("k2")).toBe("v2");
    expect(calls).toEqual(["get", "put"]);
  });

  it("hands a namespace over unwrapped when nothing is timed", () => {
    const namespace = { get: () => ({}) } as unknown as DurableObjectNamespace;
    expect(countedNamespace(namespace, NO_TIMING, "key")).toBe(namespace);
  });

  it("counts and times each call on a namespace's stubs when timed", async () => {
    const timing = recordTiming();
    const stub = { begin: async (n: number) => n + 1 };
    const namespace = {
      idFromName: (name: string) => name,
      get: () => stub,
    } as unknown as DurableObjectNamespace;
    const counted = countedNamespace(namespace, timing, "key") as unknown as {
      idFromName(name: string): string;
      get(id: string): typeof stub;
    };
    expect(await counted.get(counted.idFromName("a")).begin(1)).toBe(2);
    expect(timing.header(0)).toMatch(/^total;dur=0\.0, key-begin;dur=\d+\.\d;desc="1", n-do;desc="1"$/);
  });
});

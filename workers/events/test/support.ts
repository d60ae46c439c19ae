// Test helpers for this worker: a tenant of its own per test (a simulator with one tenant, so
// every test has its own Durable Object), the worker's bindings with the real local Queue
// producers wrapped to keep what is sent, a stand-in for subscribers' servers (and for a
// DNS-over-HTTPS resolver), and `drain`, which hands what was queued to the worker's queue
// handler (createMessageBatch / getQueueResult) until nothing is left. Test-only.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import {
  callWorker,
  readServiceTitan,
  readServiceTitanJson,
  simulatorEnv,
  tenantBindings,
} from "@st-edge/edge/testing";
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimulatorTenant,
} from "@st-edge/simulator";
import worker from "../src/index.ts";
import type { EventsBindings } from "../src/settings.ts";
import watcher from "../src/watcher.ts";

export const SIGNING_SECRET = "test-hook-signing-secret-6b1f2e";
export const WEBHOOK_KEY = "test-servicetitan-hmac-key-0123456789abcdef";

export type TestEnv = typeof env & EventsBindings;

/** A sent queue message, as the test queue keeps it. */
export interface Sent {
  body: unknown;
  delaySeconds: number;
}

/** A queue producer binding that keeps every message (and passes it on to the real binding). */
export class RecordingQueue implements Queue {
  readonly sent: Sent[] = [];
  /** Messages sent since the queue was made (take() leaves it as it is). */
  count = 0;
  /** Sends fail while this is above 0 (counted down per call): a queue outage. */
  failures = 0;

  private readonly real: Queue;

  constructor(real: Queue) {
    this.real = real;
  }

  private check() {
    if (this.failures > 0) {
      this.failures--;
      throw new Error("Queue send failed");
    }
  }

  metrics() {
    return this.real.metrics();
  }

  async send(message: unknown, options?: QueueSendOptions) {
    this.check();
    const answer = await this.real.send(message, options);
    this.sent.push({ body: message, delaySeconds: options?.delaySeconds ?? 0 });
    this.count++;
    return answer;
  }

  async sendBatch(messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
    this.check();
    const list = [...messages];
    const answer = await this.real.sendBatch(list, options);
    for (const m of list)
      this.sent.push({ body: m.body, delaySeconds: m.delaySeconds ?? options?.delaySeconds ?? 0 });
    this.count += list.length;
    return answer;
  }

  /** Everything sent since the last take. */
  take(): Sent[] {
    return this.sent.splice(0);
  }
}

/** A request a subscriber's server received. */
export interface Received {
  url: string;
  headers: Headers;
  body: string;
  at: number;
}

/**
 * Subscribers' servers (and a DNS-over-HTTPS resolver): every request the worker sends out goes
 * here. `answer` decides the reply (default 200); `dns` maps host names to addresses.
 */
export class Targets {
  readonly received: Received[] = [];
  readonly dns = new Map<string, string[]>();
  answer: (request: Request, received: Received) => Response | Promise<Response> = () => new Response("ok");

  readonly binding: Fetcher = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.hostname === "dns.test") {
        const name = url.searchParams.get("name") ?? "";
        const type = url.searchParams.get("type") === "AAAA" ? 28 : 1;
        const addresses = (this.dns.get(name) ?? []).filter((a) => (type === 28) === a.includes(":"));
        return Response.json({
          Status: this.dns.has(name) ? 0 : 3,
          Answer: addresses.map((data) => ({ type, data })),
        });
      }
      const received = {
        url: request.url,
        headers: request.headers,
        body: await request.text(),
        at: Date.now(),
      };
      this.received.push(received);
      return this.answer(request, received);
    },
    connect: () => {
      throw new Error("no sockets");
    },
  };

  /** Requests to `url`. */
  to(url: string): Received[] {
    return this.received.filter((r) => r.url === url);
  }
}

let tenantSerial = 0;

/** A tenant no other test uses (Durable Object storage is shared within a test file). */
function freshTenant(): SimulatorTenant {
  const n = ++tenantSerial;
  return {
    tenantId: 5_000_000 + n * 1000 + Math.floor(Math.random() * 1000),
    name: `Events Test Co ${n}`,
    clientId: `events-client-${n}-${crypto.randomUUID()}`,
    clientSecret: `events-secret-${n}`,
    invoiceCount: 30,
  };
}

export interface Setup {
  sim: Simulator;
  tenant: SimulatorTenant;
  env: TestEnv;
  events: RecordingQueue;
  deliveries: RecordingQueue;
  targets: Targets;
}

type SimulatorChoices = Pick<SimulatorOptions, "clock" | "exportBatchSize">;

/** This worker's own settings for tests, on top of a simulator env: queues, targets, secrets. */
export function eventsBindings(
  shared: Pick<Setup, "events" | "deliveries" | "targets">,
): Partial<EventsBindings> {
  return {
    EVENTS: shared.events,
    DELIVERIES: shared.deliveries,
    HOOK_EGRESS: shared.targets.binding,
    HOOK_SIGNING_SECRET: SIGNING_SECRET,
    ST_WEBHOOK_KEY: WEBHOOK_KEY,
    HOOK_TARGET_POLICY: "deployed",
    HOOK_DNS_RESOLVER: "https://dns.test/dns-query",
    HOOK_RETRY_DELAYS_SECONDS: "1,2,4",
    HOOK_TIMEOUT_MS: "500",
  };
}

/** The worker deployed for `tenant` of `sim`, with the given queues and targets. */
async function deploy(
  sim: Simulator,
  tenant: SimulatorTenant,
  shared: Pick<Setup, "events" | "deliveries" | "targets">,
  overrides: Partial<EventsBindings>,
): Promise<Setup> {
  const base = await simulatorEnv(env as TestEnv, sim, tenantBindings(tenant));
  return {
    sim,
    tenant,
    ...shared,
    env: { ...base, ...eventsBindings(shared), ...overrides },
  };
}

export function sharedBindings(): Pick<Setup, "events" | "deliveries" | "targets"> {
  const targets = new Targets();
  // Public addresses (example.com's) for the names tests subscribe.
  for (const host of ["hooks.example.com", "other.example.com"]) {
    targets.dns.set(host, ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]);
  }
  return { targets, events: new RecordingQueue(env.EVENTS), deliveries: new RecordingQueue(env.DELIVERIES) };
}

/**
 * A simulator with one fresh tenant (30 invoices) and the worker deployed for it: HTTP targets
 * and loopback refused ("deployed" policy), DNS answered by `targets.dns`, short retry delays.
 */
export async function setup(
  overrides: Partial<EventsBindings> = {},
  simulator: SimulatorChoices = {},
): Promise<Setup> {
  const tenant = freshTenant();
  const sim = createSimulator({ tenants: [tenant], exportBatchSize: 50, ...simulator });
  return deploy(sim, tenant, sharedBindings(), overrides);
}

/**
 * Two tenants of one simulator, each with its own deployment, sharing every binding (the
 * Durable Object namespace, KV, the queues, the targets): what must never cross between them.
 */
export async function setupPair(): Promise<[Setup, Setup]> {
  const tenants = [freshTenant(), freshTenant()] as const;
  const sim = createSimulator({ tenants: [...tenants], exportBatchSize: 50 });
  const shared = sharedBindings();
  return [await deploy(sim, tenants[0], shared, {}), await deploy(sim, tenants[1], shared, {})];
}

/** Calls the worker (with the test API key). */
export function call(e: TestEnv, path: string, init: RequestInit & { key?: string | null } = {}) {
  return callWorker(worker, e, path, init);
}

/** POST /hooks, expecting a subscription. */
export async function subscribe(e: TestEnv, event: string, targetUrl: string): Promise<{ id: string }> {
  const response = await call(e, "/hooks", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event, targetUrl }),
  });
  if (response.status !== 201)
    throw new Error(`subscribe answered ${response.status}: ${await response.text()}`);
  return response.json();
}

let messageSerial = 0;

/** Runs the watcher's queue handler over `messages` of `queue`; returns those it asked to retry. */
export async function consume(e: TestEnv, queue: string, messages: Sent[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: `m${++messageSerial}`, timestamp: Date.now(), attempts, body: m.body })),
  );
  const ctx = createExecutionContext();
  await watcher.queue(batch, e);
  const result = await getQueueResult(batch, ctx);
  const retried = new Set(result.retryMessages.map((m) => m.msgId));
  return batch.messages.flatMap((m, i) => (retried.has(m.id) ? [messages[i] as Sent] : []));
}

export interface DrainOptions {
  /** Rounds at most (each runs every queued message once). */
  rounds?: number;
  /** Leave deliveries delayed longer than this queued (default: run everything, delays ignored). */
  maxDelaySeconds?: number;
}

/**
 * Plays the queues: every EVENTS message, then every DELIVERIES message, again and again until
 * nothing is left. Delays are not waited out (a retry runs in the next round), which the worker
 * allows: the Durable Object decides by attempt number, not by the clock.
 */
export async function drain(
  s: Setup,
  { rounds = 20, maxDelaySeconds = Number.POSITIVE_INFINITY }: DrainOptions = {},
) {
  let held: Sent[] = [];
  for (let round = 0; round < rounds; round++) {
    const events = s.events.take();
    const deliveries = [...held, ...s.deliveries.take()];
    held = deliveries.filter((d) => d.delaySeconds > maxDelaySeconds);
    const due = deliveries.filter((d) => d.delaySeconds <= maxDelaySeconds);
    if (events.length === 0 && due.length === 0) return held;
    if (events.length > 0) s.events.sent.push(...(await consume(s.env, "st-events", events)));
    if (due.length > 0) s.deliveries.sent.push(...(await consume(s.env, "st-deliveries", due)));
  }
  throw new Error(`queues still busy after ${rounds} rounds`);
}

/** A ServiceTitan client's GET of the tenant's data, for expected values. */
export function readTenant<T>(s: Setup, path: string): Promise<T> {
  return readServiceTitanJson<T>(s.sim, path, { tenant: s.tenant });
}

/** A write to the tenant's simulated ServiceTitan, as another integration would make it. */
export async function writeTenant(s: Setup, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await readServiceTitan(s.sim, path, {
    tenant: s.tenant,
    init: { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
  });
  if (!response.ok)
    throw new Error(`simulator answered ${response.status} to ${method} ${path}: ${await response.text()}`);
  const text = await response.text();
  return text === "" ? undefined : JSON.parse(text);
}

const encoder = new TextEncoder();

/** HMAC-SHA256 of `text` with `key`, as hex (computed here, independently of the worker's code). */
export async function hmacHex(key: string, text: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A ServiceTitan CloudEvent about an invoice, as the March 2026 document describes it. */
export function cloudEvent(
  s: Setup,
  invoiceId: number,
  fields: { type?: string; id?: string; userassignedid?: string; time?: string; tenantId?: number } = {},
) {
  return {
    specversion: "1.0",
    id: fields.id ?? crypto.randomUUID(),
    type: fields.type ?? "tn.acc.invoice-updated",
    time: fields.time ?? new Date().toISOString(),
    source: "https://webhooks.servicetitan.io",
    userassignedid: fields.userassignedid ?? crypto.randomUUID(),
    datacontenttype: "application/json",
    data: {
      invoice: {
        id: invoiceId,
        createdOn: "2026-01-01T00:00:00Z",
        sentStatus: "Sent",
        reviewStatus: "Reviewed",
      },
      tenantId: fields.tenantId ?? s.tenant.tenantId,
      tenantName: s.tenant.name,
    },
  };
}

/** POSTs a webhook to the receiver, signed with `key` (hex) unless `signature` says otherwise. */
export async function sendWebhook(
  s: Setup,
  event: unknown,
  { key = WEBHOOK_KEY, signature }: { key?: string; signature?: string | null } = {},
): Promise<Response> {
  const body = JSON.stringify(event);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const value = signature === undefined ? await hmacHex(key, body) : signature;
  if (value !== null) headers["X-ServiceTitan-Signature"] = value;
  return call(s.env, "/webhooks/servicetitan", { method: "POST", headers, body, key: null });
}

interface Page<T> {
  data: T[];
}

/** Pays 1.00 on an open invoice of the tenant, straight in ServiceTitan: the invoice changes too. */
export async function payInvoice(s: Setup, skip: readonly number[] = []) {
  const types = await readTenant<Page<{ id: number; name: string }>>(s, "/payment-types");
  const invoices = await readTenant<Page<{ id: number; active: boolean; balance: string | null }>>(
    s,
    "/invoices?pageSize=50",
  );
  const invoice = invoices.data.find((i) => i.active && Number(i.balance) >= 5 && !skip.includes(i.id));
  const type = types.data[0];
  if (!invoice || !type) throw new Error("the simulator has no open invoice or payment type");
  const payment = (await writeTenant(s, "POST", "/payments", {
    typeId: type.id,
    amount: 1,
    splits: [{ invoiceId: invoice.id, amount: 1 }],
  })) as { id: number };
  return { invoiceId: invoice.id, paymentId: payment.id, typeId: type.id };
}

/** Publishes a change by reference (POST /events), as an automation that wrote to ServiceTitan would. */
export async function publish(e: TestEnv, event: string, recordId: number): Promise<Response> {
  return call(e, "/events", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event, recordId }),
  });
}

/** A new payment in ServiceTitan, published as payment.created: one delivery per subscriber. */
export async function newPayment(s: Setup): Promise<number> {
  const { paymentId } = await payInvoice(s);
  const response = await publish(s.env, "payment.created", paymentId);
  if (response.status !== 202) throw new Error(`publish answered ${response.status}`);
  return paymentId;
}

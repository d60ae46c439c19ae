// This worker's bindings and knobs. Every knob is an optional var with a safe default (deployed
// behaviour); `pnpm start` loosens them in wrangler.jsonc and tests shrink them. Secrets are read
// here and nowhere else, and never logged.
import { ConfigError, readConfig } from "@st-edge/edge";

/** Optional vars (unset means the default) and the test-only egress stand-in. */
export interface EventsKnobs {
  /** Header carrying ServiceTitan's signature (UNCONFIRMED upstream; default X-ServiceTitan-Signature). */
  ST_WEBHOOK_SIGNATURE_HEADER?: string;
  /** Oldest ServiceTitan event accepted, by its CloudEvent `time` (default 900 s). */
  ST_WEBHOOK_MAX_AGE_SECONDS?: string;
  /** "deployed" (default: https only, public addresses only) or "local" (http and loopback allowed too). */
  HOOK_TARGET_POLICY?: string;
  /** DNS-over-HTTPS endpoint (JSON API) to check where a target's name points; "off" to skip. */
  HOOK_DNS_RESOLVER?: string;
  /** Per-attempt timeout of a delivery (default 10000 ms). */
  HOOK_TIMEOUT_MS?: string;
  /** Delays before each retry, in seconds (default 10,30,120,600,1800,3600,10800,21600). */
  HOOK_RETRY_DELAYS_SECONDS?: string;
  /** Deliveries in flight to one target origin at once (default 4). */
  HOOK_TARGET_CONCURRENCY?: string;
  /** Seconds between polls of the export feeds and AP bills (default 60). */
  POLL_INTERVAL_SECONDS?: string;
  /** Feeds to watch, comma-separated (default payments,invoices,ap-bills). */
  POLL_FEEDS?: string;
  /** Local runs and tests only: where deliveries and DNS-over-HTTPS queries go instead of the network. */
  HOOK_EGRESS?: Fetcher;
}

/**
 * The bindings, from the generated Env (worker-configuration.d.ts, from wrangler.watcher.jsonc:
 * the watcher has every binding the API has): TENANT_EVENTS (one TenantEvents Durable Object per
 * environment + tenant), the EVENTS queue (changes: our own writes, ServiceTitan webhooks,
 * replays), the DELIVERIES queue (one message per delivery attempt), and the secrets
 * HOOK_SIGNING_SECRET (signs every delivery) and ST_WEBHOOK_KEY (the app's ServiceTitan webhook
 * HMAC key, 32–64 characters).
 */
export type EventsBindings = Env & EventsKnobs;

export const FEED_NAMES = ["payments", "invoices", "ap-bills"] as const;
export type FeedName = (typeof FEED_NAMES)[number];

export interface DeliverySettings {
  signingSecret: string;
  policy: "deployed" | "local";
  /** null: no DNS check. */
  dnsResolver: string | null;
  timeoutMs: number;
  retryDelaysSeconds: number[];
  targetConcurrency: number;
}

export interface WebhookSettings {
  key: string;
  signatureHeader: string;
  maxAgeSeconds: number;
}

export interface PollSettings {
  intervalSeconds: number;
  feeds: FeedName[];
}

export const DEFAULT_RETRY_DELAYS_SECONDS = [10, 30, 120, 600, 1800, 3600, 10_800, 21_600];
/** Cloudflare Queues delay a message by at most 12 hours. */
const MAX_QUEUE_DELAY_SECONDS = 43_200;

function integer(env: EventsBindings, name: keyof EventsBindings, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}`);
  return value;
}

/** Which tenant's events these bindings are: the Durable Object's name and the messages' address. */
export function tenantOf(env: EventsBindings): { environment: string; tenantId: number; key: string } {
  const config = readConfig(env);
  return {
    environment: config.environmentName,
    tenantId: config.tenantId,
    key: `${config.environmentName}:${config.tenantId}`,
  };
}

/** The tenant's TenantEvents Durable Object. */
export function tenantStore(env: EventsBindings) {
  const { key } = tenantOf(env);
  return env.TENANT_EVENTS.get(env.TENANT_EVENTS.idFromName(key));
}

/** Makes sure the tenant's watcher is armed (its alarm polls). Cheap: one Durable Object call. */
export function ensureWatching(env: EventsBindings): Promise<void> {
  return tenantStore(env).ensureWatching({
    tenant: tenantOf(env).key,
    intervalSeconds: pollSettings(env).intervalSeconds,
  });
}

export function targetPolicy(env: EventsBindings): "deployed" | "local" {
  const policy = env.HOOK_TARGET_POLICY ?? "deployed";
  if (policy !== "deployed" && policy !== "local") {
    throw new ConfigError("HOOK_TARGET_POLICY must be deployed or local");
  }
  return policy;
}

export function dnsResolver(env: EventsBindings): string | null {
  const policy = targetPolicy(env);
  const resolver =
    env.HOOK_DNS_RESOLVER ?? (policy === "local" ? "off" : "https://cloudflare-dns.com/dns-query");
  if (resolver === "off") return null;
  if (!/^https:\/\/[^\s/]+\/\S*$/.test(resolver)) {
    throw new ConfigError("HOOK_DNS_RESOLVER must be an https URL or off");
  }
  return resolver;
}

export function deliverySettings(env: EventsBindings): DeliverySettings {
  if (!env.HOOK_SIGNING_SECRET || env.HOOK_SIGNING_SECRET.length < 16) {
    throw new ConfigError("HOOK_SIGNING_SECRET is missing or shorter than 16 characters");
  }
  const delays = (env.HOOK_RETRY_DELAYS_SECONDS ?? DEFAULT_RETRY_DELAYS_SECONDS.join(","))
    .split(",")
    .map((part) => part.trim());
  const retryDelaysSeconds = delays.map(Number);
  if (
    delays.length > 20 ||
    retryDelaysSeconds.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_QUEUE_DELAY_SECONDS)
  ) {
    throw new ConfigError(
      `HOOK_RETRY_DELAYS_SECONDS must list at most 20 integers 0–${MAX_QUEUE_DELAY_SECONDS}`,
    );
  }
  return {
    signingSecret: env.HOOK_SIGNING_SECRET,
    policy: targetPolicy(env),
    dnsResolver: dnsResolver(env),
    timeoutMs: integer(env, "HOOK_TIMEOUT_MS", 10_000, 100),
    retryDelaysSeconds,
    targetConcurrency: targetConcurrency(env),
  };
}

/** Requests in flight per target origin at most (HOOK_TARGET_CONCURRENCY). */
export function targetConcurrency(env: EventsBindings): number {
  return integer(env, "HOOK_TARGET_CONCURRENCY", 4, 1);
}

export function webhookSettings(env: EventsBindings): WebhookSettings {
  if (!env.ST_WEBHOOK_KEY || env.ST_WEBHOOK_KEY.length < 32) {
    throw new ConfigError("ST_WEBHOOK_KEY is missing or shorter than ServiceTitan's 32 characters");
  }
  const header = env.ST_WEBHOOK_SIGNATURE_HEADER ?? "X-ServiceTitan-Signature";
  if (!/^[A-Za-z0-9-]{1,64}$/.test(header))
    throw new ConfigError("ST_WEBHOOK_SIGNATURE_HEADER is not a header name");
  return {
    key: env.ST_WEBHOOK_KEY,
    signatureHeader: header,
    maxAgeSeconds: integer(env, "ST_WEBHOOK_MAX_AGE_SECONDS", 900, 10),
  };
}

export function pollSettings(env: EventsBindings): PollSettings {
  const names = (env.POLL_FEEDS ?? FEED_NAMES.join(","))
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(FEED_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new ConfigError(`POLL_FEEDS names unknown feeds: ${unknown.join(", ")}`);
  return {
    intervalSeconds: integer(env, "POLL_INTERVAL_SECONDS", 60, 1),
    feeds: FEED_NAMES.filter((name) => names.includes(name)),
  };
}

/** Where deliveries and DNS queries go: the network, or the local stand-in. */
export function egress(env: EventsBindings): (request: Request) => Promise<Response> {
  const stand = env.HOOK_EGRESS;
  return stand ? (request) => stand.fetch(request) : (request) => fetch(request);
}

// The simulator's options, their defaults, and the demo tenants every local run starts with.
import type { Clock, ServiceTitanHosts } from "@st-edge/servicetitan";
import type { WebhookOptions } from "./webhooks.ts";
import type { TenantWrite } from "./writes/index.ts";

/**
 * A simulated ServiceTitan tenant and the client credentials its admin would have issued.
 *
 * @example
 * { tenantId: 3000003, name: "Third Co", clientId: "third-client", clientSecret: "third-secret", invoiceCount: 50 }
 */
export interface SimulatorTenant {
  tenantId: number;
  name: string;
  clientId: string;
  clientSecret: string;
  /** How many invoices to seed (default 300). */
  invoiceCount?: number;
}

/**
 * @example
 * createSimulator({ seed: 7, clock: manualClock(), tokenLifetimeSeconds: 60, exportLagSeconds: 0 })
 */
export interface SimulatorOptions {
  /** Seed of every generated record and fault draw (default 42). */
  seed?: number;
  /** Default DEMO_TENANTS. */
  tenants?: SimulatorTenant[];
  /** Accepted `ST-App-Key` values (default [DEMO_APP_KEY]). */
  appKeys?: string[];
  /** Default systemClock; inject a fake one for expiry, lag and latency tests. */
  clock?: Clock;
  /** `expires_in` of issued tokens (default 900, as ServiceTitan). */
  tokenLifetimeSeconds?: number;
  /** Token requests allowed per client id in a sliding window (default 20 per 60 s; ServiceTitan's numbers are unpublished). */
  tokenRateLimit?: { requests: number; perSeconds: number };
  /** Largest accepted `pageSize` (default 5000, the practical limit FACTS.md §2.7 records). */
  maxPageSize?: number;
  /** Export feeds hide changes younger than this unless `includeRecentChanges=true` (default 900). */
  exportLagSeconds?: number;
  /** Records per export call (default 100, so the default seed takes several calls). */
  exportBatchSize?: number;
  /**
   * Which invoices ServiceTitan refuses to change (UNCONFIRMED): `items` for adding, changing or
   * deleting items and for setting subtotal, tax or tax zone; `fields` for the other fields of
   * PATCH /invoices/{id}. Default: items locked once Posted or Exported, fields never locked.
   */
  invoiceLocks?: Partial<InvoiceLocks>;
  /** Midnight UTC that seeded dates count back from (default: the start of today on `clock`); a restored simulator passes the original's. */
  anchor?: number;
  /** Told of every committed write, in order, so it can be replayed later (see `restore`). */
  journal?: SimulatorJournal;
  /** Writes to replay, as a journal recorded them, before the simulator serves anything. */
  restore?: readonly JournalEntry[];
  /**
   * Operations answered as if ServiceTitan had removed them (404, before authentication), e.g.
   * `["Payments_Create"]`: the May 2026 spec lacks it (FACTS.md §2.10). Default none.
   */
  retiredOperations?: string[];
  /** Webhooks for invoice changes, signed like ServiceTitan's (off unless a url and key are given). */
  webhooks?: WebhookOptions;
}

/**
 * An invoice state that locks it against a kind of change: `Posted` and `Exported` are its
 * syncStatus, `Paid` a balance of zero or less with at least one payment applied.
 */
export type InvoiceLock = "Posted" | "Exported" | "Paid";

export const INVOICE_LOCKS: readonly InvoiceLock[] = ["Posted", "Exported", "Paid"];

/** What locks an invoice's items (and money) and its other fields. */
export interface InvoiceLocks {
  items: InvoiceLock[];
  fields: InvoiceLock[];
}

export const DEFAULT_INVOICE_LOCKS: InvoiceLocks = { items: ["Posted", "Exported"], fields: [] };

/**
 * Where a simulator's writes go to survive it (the wrangler-dev entry keeps them in a Durable
 * Object). Both calls happen synchronously, right after the change they report.
 */
export interface SimulatorJournal {
  append(entry: JournalEntry): void;
  /** The simulator was reset: what was journaled so far no longer applies. */
  clear(): void;
}

/** One committed write, as the journal keeps it (plain JSON). `at` is when it happened (epoch ms). */
export type JournalEntry =
  | { at: number; tenantId: number; write: TenantWrite }
  | { at: number; configure: Partial<RuntimeSettings> };

/** The app key every local run accepts (`ST-App-Key: demo-app-key`). */
export const DEMO_APP_KEY = "demo-app-key";

/**
 * The tenants a simulator has unless told otherwise: one to work with and one to prove that
 * tenants stay apart.
 *
 * @example
 * const [demo] = DEMO_TENANTS; // { tenantId: 1000001, clientId: "demo-client", ... }
 */
export const DEMO_TENANTS: SimulatorTenant[] = [
  { tenantId: 1000001, name: "Demo Plumbing & Air", clientId: "demo-client", clientSecret: "demo-secret" },
  { tenantId: 2000002, name: "Other Heating Co", clientId: "other-client", clientSecret: "other-secret" },
];

/**
 * Where the simulator answers: both hosts are one origin, and in process any origin works.
 *
 * @example
 * createServiceTitanClient({ environment: SIMULATOR_HOSTS, fetch: sim.fetch, ... })
 */
export const SIMULATOR_HOSTS = {
  name: "simulator",
  apiBaseUrl: "https://servicetitan.simulator",
  authBaseUrl: "https://servicetitan.simulator",
} as const satisfies ServiceTitanHosts;

/** Invoices seeded per tenant when `invoiceCount` is not given. */
export const DEFAULT_INVOICE_COUNT = 300;

/** Options with their defaults applied (token settings live apart: they can change at run time). */
export interface Settings {
  seed: number;
  tenants: SimulatorTenant[];
  appKeys: string[];
  maxPageSize: number;
  exportLagSeconds: number;
  exportBatchSize: number;
  retiredOperations: string[];
}

/** Token settings, which `configure()` and `PUT /__sim/config` can change. */
export interface TokenSettings {
  tokenLifetimeSeconds: number;
  tokenRateLimit: { requests: number; perSeconds: number };
}

/** Everything `configure()` and `PUT /__sim/config` can change while the simulator runs. */
export interface RuntimeSettings extends TokenSettings {
  invoiceLocks: InvoiceLocks;
}

const positiveInteger = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
};

function checkLocks(name: string, locks: readonly unknown[]): InvoiceLock[] {
  const known = (lock: unknown): lock is InvoiceLock => INVOICE_LOCKS.some((candidate) => candidate === lock);
  const bad = locks.filter((lock) => !known(lock));
  if (bad.length > 0)
    throw new RangeError(`${name} takes ${INVOICE_LOCKS.join(", ")}; got ${bad.map(String).join(", ")}`);
  return [...new Set(locks.filter(known))];
}

/** Checks run-time settings (from options, the admin endpoint or env vars) before they take effect. */
export function checkRuntimeSettings(settings: RuntimeSettings): RuntimeSettings {
  positiveInteger("tokenLifetimeSeconds", settings.tokenLifetimeSeconds);
  positiveInteger("tokenRateLimit.requests", settings.tokenRateLimit.requests);
  positiveInteger("tokenRateLimit.perSeconds", settings.tokenRateLimit.perSeconds);
  return {
    tokenLifetimeSeconds: settings.tokenLifetimeSeconds,
    tokenRateLimit: { ...settings.tokenRateLimit },
    invoiceLocks: {
      items: checkLocks("invoiceLocks.items", settings.invoiceLocks.items),
      fields: checkLocks("invoiceLocks.fields", settings.invoiceLocks.fields),
    },
  };
}

/** Applies defaults and refuses duplicate tenants or client ids and non-positive sizes. */
export function resolveSettings(options: SimulatorOptions): Settings {
  const tenants = (options.tenants ?? DEMO_TENANTS).map((tenant) => ({ ...tenant }));
  const seen = new Set<string>();
  for (const tenant of tenants) {
    positiveInteger("tenantId", tenant.tenantId);
    positiveInteger("invoiceCount", tenant.invoiceCount ?? DEFAULT_INVOICE_COUNT);
    for (const key of [`tenant:${tenant.tenantId}`, `client:${tenant.clientId}`]) {
      if (seen.has(key)) throw new RangeError(`duplicate ${key}`);
      seen.add(key);
    }
  }
  return {
    seed: options.seed ?? 42,
    tenants,
    appKeys: [...(options.appKeys ?? [DEMO_APP_KEY])],
    maxPageSize: positiveInteger("maxPageSize", options.maxPageSize ?? 5000),
    exportLagSeconds: Math.max(0, options.exportLagSeconds ?? 900),
    exportBatchSize: positiveInteger("exportBatchSize", options.exportBatchSize ?? 100),
    retiredOperations: [...(options.retiredOperations ?? [])],
  };
}

// The `wrangler dev` entry: one simulator, held by a Durable Object so that its data outlives the
// process. Every committed write is journaled in the object's SQLite storage together with the
// seed's anchor day; on start the simulator is seeded for that day and the journal replayed, so
// after a restart it holds exactly what it held before (the same records, ids and timestamps),
// in step with the workers' own persisted state (idempotency records, token caches).
// `POST /__sim/reset` empties the journal; `pnpm start --reset` wipes all local state at once.
// Tokens, fault rules and stats are not kept: a restart revokes tokens, as a token outage would.
// Invoice webhooks (SIM_WEBHOOK_*) due are sent after each request the simulator answers.
import { DurableObject } from "cloudflare:workers";
import {
  createSimulator,
  DEMO_TENANTS,
  parseWebhookFaults,
  type Simulator,
  type SimulatorOptions,
} from "./index.ts";
import type { InvoiceLock, JournalEntry } from "./options.ts";
import { INVOICE_LOCKS } from "./options.ts";
import { formatDate } from "./time.ts";

/** All optional strings: `wrangler dev --var SIM_SEED:7`, or `vars` in wrangler.jsonc. */
export interface SimulatorEnv {
  /** Holds the simulator and its journal. */
  SIMULATOR?: DurableObjectNamespace<PersistentSimulator>;
  /** Seed of the generated data (default 42). */
  SIM_SEED?: string;
  /** Comma-separated ST-App-Key values (default "demo-app-key"). */
  SIM_APP_KEYS?: string;
  /** Token `expires_in` (default 900). */
  SIM_TOKEN_LIFETIME_SECONDS?: string;
  /** Token requests per client id and window, "requests/seconds" (default "20/60"). */
  SIM_TOKEN_RATE_LIMIT?: string;
  /** Largest accepted pageSize (default 5000). */
  SIM_MAX_PAGE_SIZE?: string;
  /** Export lag for changes without includeRecentChanges (default 900). */
  SIM_EXPORT_LAG_SECONDS?: string;
  /** Records per export call (default 100). */
  SIM_EXPORT_BATCH_SIZE?: string;
  /** Invoices seeded per demo tenant (default 300). */
  SIM_INVOICE_COUNT?: string;
  /** Invoice states that lock items and amounts, comma-separated Posted/Exported/Paid, or "none" (default "Posted,Exported"). */
  SIM_INVOICE_ITEM_LOCKS?: string;
  /** Invoice states that lock the other invoice fields, as above (default "none"). */
  SIM_INVOICE_FIELD_LOCKS?: string;
  /** A fault on every accounting call of every tenant, in X-Sim-Fault syntax (e.g. "latency=50" for benchmarks). */
  SIM_FAULTS?: string;
  /** Comma-separated operation ids answered as removed (404), e.g. "Payments_Create". */
  SIM_RETIRED_OPERATIONS?: string;
  /** Where invoice webhooks go (the events worker's /webhooks/servicetitan); unset: none are sent. */
  SIM_WEBHOOK_URL?: string;
  /** The HMAC key webhooks are signed with (the events worker's ST_WEBHOOK_KEY). */
  SIM_WEBHOOK_KEY?: string;
  /** The signature header (default X-ServiceTitan-Signature). */
  SIM_WEBHOOK_HEADER?: string;
  /** Retry delays in seconds, comma-separated (default 10,30,60,300, as ServiceTitan). */
  SIM_WEBHOOK_RETRY_SECONDS?: string;
  /** Webhook faults: drop=<0..1>, repeat=<0..1>, reorder, delay=<ms>, comma-separated. */
  SIM_WEBHOOK_FAULTS?: string;
}

const number = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new RangeError(`${name} must be a number, got '${value}'`);
  return parsed;
};

function locks(name: string, value: string | undefined): InvoiceLock[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (value.trim().toLowerCase() === "none") return [];
  const names = value.split(",").map((part) => part.trim());
  return names.map((lock) => {
    const known = INVOICE_LOCKS.find((candidate) => candidate.toLowerCase() === lock.toLowerCase());
    if (!known) throw new RangeError(`${name} takes ${INVOICE_LOCKS.join(", ")} or none; got '${lock}'`);
    return known;
  });
}

/** The simulator's options from env vars; unknown or empty vars keep the defaults. */
export function optionsFromEnv(env: SimulatorEnv): SimulatorOptions {
  const rate = env.SIM_TOKEN_RATE_LIMIT?.split("/");
  const invoiceCount = number("SIM_INVOICE_COUNT", env.SIM_INVOICE_COUNT);
  const items = locks("SIM_INVOICE_ITEM_LOCKS", env.SIM_INVOICE_ITEM_LOCKS);
  const fields = locks("SIM_INVOICE_FIELD_LOCKS", env.SIM_INVOICE_FIELD_LOCKS);
  return {
    seed: number("SIM_SEED", env.SIM_SEED),
    appKeys: env.SIM_APP_KEYS?.split(",")
      .map((key) => key.trim())
      .filter(Boolean),
    tokenLifetimeSeconds: number("SIM_TOKEN_LIFETIME_SECONDS", env.SIM_TOKEN_LIFETIME_SECONDS),
    tokenRateLimit:
      rate?.length === 2
        ? {
            requests: number("SIM_TOKEN_RATE_LIMIT", rate[0]) ?? 20,
            perSeconds: number("SIM_TOKEN_RATE_LIMIT", rate[1]) ?? 60,
          }
        : undefined,
    maxPageSize: number("SIM_MAX_PAGE_SIZE", env.SIM_MAX_PAGE_SIZE),
    exportLagSeconds: number("SIM_EXPORT_LAG_SECONDS", env.SIM_EXPORT_LAG_SECONDS),
    exportBatchSize: number("SIM_EXPORT_BATCH_SIZE", env.SIM_EXPORT_BATCH_SIZE),
    retiredOperations: env.SIM_RETIRED_OPERATIONS?.split(",")
      .map((id) => id.trim())
      .filter(Boolean),
    tenants:
      invoiceCount === undefined ? undefined : DEMO_TENANTS.map((tenant) => ({ ...tenant, invoiceCount })),
    invoiceLocks: { ...(items ? { items } : {}), ...(fields ? { fields } : {}) },
    webhooks: {
      url: env.SIM_WEBHOOK_URL || undefined,
      key: env.SIM_WEBHOOK_KEY || undefined,
      signatureHeader: env.SIM_WEBHOOK_HEADER || undefined,
      retryDelaysSeconds: env.SIM_WEBHOOK_RETRY_SECONDS?.split(",").map(
        (part) => number("SIM_WEBHOOK_RETRY_SECONDS", part) ?? 0,
      ),
      faults: env.SIM_WEBHOOK_FAULTS ? parseWebhookFaults(env.SIM_WEBHOOK_FAULTS) : undefined,
    },
  };
}

/** A simulator built from env vars (and extra options, such as a journal), with SIM_FAULTS set. */
export function simulatorFromEnv(env: SimulatorEnv, extra: SimulatorOptions = {}): Simulator {
  const simulator = createSimulator({ ...optionsFromEnv(env), ...extra });
  const fault = env.SIM_FAULTS?.trim();
  if (fault) for (const tenant of DEMO_TENANTS) simulator.setFaults(tenant.tenantId, [{ fault }]);
  return simulator;
}

/** What the seed depends on besides the anchor: a journal only replays onto the same seed. */
function seedSettings(env: SimulatorEnv): string {
  const { seed, tenants } = optionsFromEnv(env);
  return JSON.stringify({
    seed: seed ?? 42,
    tenants: (tenants ?? DEMO_TENANTS).map(({ tenantId, invoiceCount }) => [tenantId, invoiceCount ?? null]),
  });
}

type Started = { ok: true; simulator: Simulator; replayed: number } | { ok: false; reason: string };

const envelope = (status: number, title: string) =>
  Response.json(
    { type: "about:blank", title, status, traceId: crypto.randomUUID(), errors: {}, data: {} },
    { status },
  );

/**
 * The simulator and its journal. Tables: `meta` (the anchor day and the seed settings it was
 * made with) and `journal` (one JSON entry per committed write, in order).
 */
export class PersistentSimulator extends DurableObject<SimulatorEnv> {
  readonly #sql: SqlStorage;
  #started: Started;

  constructor(ctx: DurableObjectState, env: SimulatorEnv) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)",
    );
    this.#started = this.#start();
  }

  #meta(key: string): string | undefined {
    const [row] = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray();
    return row?.value;
  }

  /** Seeds for the stored anchor (or today, first time) and replays the journal. */
  #start(): Started {
    const settings = seedSettings(this.env);
    const stored = this.#meta("seed-settings");
    if (stored !== undefined && stored !== settings) {
      return {
        ok: false,
        reason: `The saved simulator state was made with other seed settings (${stored}, now ${settings}). POST /__sim/reset or run \`pnpm start --reset\` to start over.`,
      };
    }
    const anchorText = this.#meta("anchor");
    const entries = this.#sql
      .exec<{ entry: string }>("SELECT entry FROM journal ORDER BY seq")
      .toArray()
      .map((row): JournalEntry => JSON.parse(row.entry));
    try {
      const simulator = simulatorFromEnv(this.env, {
        ...(anchorText === undefined ? {} : { anchor: Number(anchorText) }),
        restore: entries,
        journal: {
          append: (entry) => {
            this.#sql.exec("INSERT INTO journal (entry) VALUES (?)", JSON.stringify(entry));
          },
          clear: () => {
            this.#sql.exec("DELETE FROM journal");
          },
        },
      });
      if (anchorText === undefined) {
        this.#sql.exec("INSERT OR REPLACE INTO meta VALUES ('anchor', ?)", String(simulator.anchor));
        this.#sql.exec("INSERT OR REPLACE INTO meta VALUES ('seed-settings', ?)", settings);
      }
      return { ok: true, simulator, replayed: entries.length };
    } catch (error) {
      return {
        ok: false,
        reason: `The saved simulator state could not be replayed (${String(error)}). POST /__sim/reset or run \`pnpm start --reset\` to start over.`,
      };
    }
  }

  /** Forgets everything saved and seeds afresh for today. */
  #wipe(): void {
    this.#sql.exec("DELETE FROM journal");
    this.#sql.exec("DELETE FROM meta");
    this.#started = this.#start();
  }

  override async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/__sim/persistence" && request.method === "GET")
      return Response.json(this.persistence());
    const started = this.#started;
    if (!started.ok) {
      if (pathname === "/__sim/reset" && request.method === "POST") {
        this.#wipe();
        return Response.json({ reset: true });
      }
      return envelope(500, started.reason);
    }
    const response = await started.simulator.fetch(request);
    this.ctx.waitUntil(started.simulator.deliverWebhooks());
    return response;
  }

  /** What was restored at start and what the journal holds now (`GET /__sim/persistence`). */
  persistence(): { anchor: string | null; replayed: number; journaled: number; problem: string | null } {
    const [row] = this.#sql.exec<{ count: number }>("SELECT count(*) AS count FROM journal").toArray();
    const anchor = this.#meta("anchor");
    return {
      anchor: anchor === undefined ? null : formatDate(Number(anchor)).slice(0, 10),
      replayed: this.#started.ok ? this.#started.replayed : 0,
      journaled: row?.count ?? 0,
      problem: this.#started.ok ? null : this.#started.reason,
    };
  }
}

// Over HTTP a simulated drop (commit-then-drop) surfaces as the runtime's plain-text 500: a
// worker cannot cut its own connection, and a response with a broken-off body would make
// wrangler dev's proxy retry the request, applying the write again.
//
// Webhooks ride on requests: after each one, what is due is sent in its waitUntil (a Worker
// cannot send on its own), so retries go out with later traffic.
export default {
  fetch(request: Request, env: SimulatorEnv): Promise<Response> {
    if (!env.SIMULATOR)
      throw new Error("the SIMULATOR Durable Object binding is missing (see wrangler.jsonc)");
    return env.SIMULATOR.get(env.SIMULATOR.idFromName("servicetitan")).fetch(request);
  },
} satisfies ExportedHandler<SimulatorEnv>;

// createSimulator: seeds every tenant, wires tokens, faults and stats into one state, and
// exposes the admin operations as methods. The /__sim/ HTTP endpoints call these same methods.
// A journal (options.journal) hears of every committed write; `restore` replays one, with each
// write at the time it first happened, so a simulator can be rebuilt exactly.
import { systemClock } from "@st-edge/servicetitan";
import type { Hono } from "hono";
import { createApp } from "./app.ts";
import type { SimulatorState } from "./context.ts";
import { FaultBook, type FaultRule } from "./faults.ts";
import {
  checkRuntimeSettings,
  DEFAULT_INVOICE_COUNT,
  DEFAULT_INVOICE_LOCKS,
  type JournalEntry,
  type RuntimeSettings,
  resolveSettings,
  type SimulatorOptions,
} from "./options.ts";
import { seededTenant } from "./seed.ts";
import { type SimulatorStats, StatsRecorder } from "./stats.ts";
import { type SimulatorLedger, TenantStore } from "./store.ts";
import { startOfUtcDay } from "./time.ts";
import { TokenService } from "./tokens.ts";
import { type WebhookOptions, WebhookSender, type WebhookStats } from "./webhooks.ts";

/**
 * A running simulator. Methods and the `/__sim/` HTTP endpoints are one mechanism: the
 * endpoints call these methods.
 *
 * @example
 * const sim = createSimulator({ clock });
 * sim.setFaults(1000001, [{ fault: "status=503", operationId: "Payments_Create", times: 1 }]);
 * sim.ledger(1000001).payments.filter((p) => p.origin === "api");
 */
export interface Simulator {
  /** In-process fetch: what tests inject as the ServiceTitan client's `fetch`. Any origin works. */
  fetch(request: Request): Promise<Response>;
  readonly app: Hono;
  /** Midnight UTC that the seed's dates count back from; a simulator restored from a journal needs the same. */
  readonly anchor: number;
  /** Seed data back, fault rules and stats cleared, throttle windows emptied, settings restored, journal cleared. Issued tokens stay valid. */
  reset(): void;
  stats(): SimulatorStats;
  /** Every payment with its splits and every invoice's seeded and current balance. Throws for an unknown tenant. */
  ledger(tenantId: number): SimulatorLedger;
  /** Replaces the tenant's fault rules (an empty list clears them). Throws FaultSyntaxError on a bad rule. */
  setFaults(tenantId: number, rules: FaultRule[]): void;
  /** Drops issued tokens of one tenant, or of all, so cached tokens get a 401. */
  revokeTokens(tenantId?: number): void;
  /** Changes token settings or invoice locks from now on. Throws RangeError on a bad value. */
  configure(changes: Partial<RuntimeSettings>): void;
  /** The settings `configure` changes, as they are now. */
  settings(): RuntimeSettings;
  /** Sends the invoice webhooks that are due (first attempts and retries); see webhooks.ts. */
  deliverWebhooks(): Promise<void>;
  /** Changes webhook settings (url, key, header, retries, faults) from now on. */
  configureWebhooks(changes: WebhookOptions): void;
  webhookStats(): WebhookStats;
}

/**
 * @example
 * const sim = createSimulator({ clock: manualClock() });
 * const client = createServiceTitanClient({ environment: SIMULATOR_HOSTS, fetch: sim.fetch, ... });
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const settings = resolveSettings(options);
  const clock = options.clock ?? systemClock;
  const initialRuntime = checkRuntimeSettings({
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 900,
    tokenRateLimit: options.tokenRateLimit ?? { requests: 20, perSeconds: 60 },
    invoiceLocks: { ...DEFAULT_INVOICE_LOCKS, ...options.invoiceLocks },
  });
  // Dates are anchored to the start of the day the simulator is created, so two simulators
  // created the same day with the same seed hold identical data even on the system clock.
  const anchor = options.anchor ?? startOfUtcDay(clock.now());
  // While a journal is replayed, writes happen at the time they first did, and are not journaled again.
  let replayingAt: number | undefined;
  const journal = (entry: JournalEntry) => {
    if (replayingAt === undefined) options.journal?.append(entry);
  };
  const webhooks = new WebhookSender(options.webhooks ?? {}, clock, settings.seed);
  const stores = new Map(
    settings.tenants.map((tenant, tenantIndex) => [
      tenant.tenantId,
      new TenantStore(
        seededTenant({
          tenantId: tenant.tenantId,
          tenantIndex,
          seed: settings.seed,
          anchor,
          invoiceCount: tenant.invoiceCount ?? DEFAULT_INVOICE_COUNT,
        }),
        {
          now: () => replayingAt ?? clock.now(),
          locks: () => state.runtime.invoiceLocks,
          onWrite: (write, at) => journal({ at, tenantId: tenant.tenantId, write }),
          // A replayed write was announced when it first happened.
          onInvoiceChange: (invoice, previous) => {
            if (replayingAt === undefined) webhooks.invoiceChanged(tenant, invoice, previous);
          },
        },
      ),
    ]),
  );
  const state: SimulatorState = {
    clock,
    settings,
    stores,
    tokens: new TokenService(settings.tenants, clock, () => ({
      lifetimeSeconds: state.runtime.tokenLifetimeSeconds,
      rateLimit: state.runtime.tokenRateLimit,
    })),
    faults: new FaultBook(settings.seed),
    stats: new StatsRecorder(),
    runtime: initialRuntime,
  };
  const storeOf = (tenantId: number): TenantStore => {
    const store = stores.get(tenantId);
    if (!store) throw new RangeError(`unknown tenant ${tenantId}`);
    return store;
  };

  const simulator: Simulator = {
    fetch: async (request) => app.fetch(request),
    get app() {
      return app;
    },
    anchor,
    reset() {
      for (const store of stores.values()) store.reset();
      state.faults.clear();
      state.stats.reset();
      state.tokens.resetThrottle();
      state.runtime = checkRuntimeSettings(initialRuntime);
      options.journal?.clear();
      webhooks.reset();
    },
    stats: () => state.stats.snapshot(),
    ledger: (tenantId) => storeOf(tenantId).ledger(),
    setFaults(tenantId, rules) {
      storeOf(tenantId);
      state.faults.set(tenantId, rules);
    },
    revokeTokens(tenantId) {
      state.tokens.revoke(tenantId);
    },
    configure(changes) {
      state.runtime = checkRuntimeSettings({ ...state.runtime, ...changes });
      journal({ at: replayingAt ?? clock.now(), configure: changes });
    },
    settings: () => checkRuntimeSettings(state.runtime),
    deliverWebhooks: () => webhooks.deliver(),
    configureWebhooks: (changes) => webhooks.configure(changes),
    webhookStats: () => webhooks.stats(),
  };
  const app = createApp(state, simulator);
  for (const [index, entry] of (options.restore ?? []).entries()) {
    replayingAt = entry.at;
    try {
      if ("configure" in entry) simulator.configure(entry.configure);
      else storeOf(entry.tenantId).apply(entry.write, entry.at);
    } catch (error) {
      throw new Error(`journal entry ${index + 1} no longer applies: ${String(error)}`);
    } finally {
      replayingAt = undefined;
    }
  }
  return simulator;
}

// The `wrangler dev` entry: one simulator per isolate, configured from env vars on the first
// request (env is only available then). Writes live as long as the isolate.
import { createSimulator, DEMO_TENANTS, parseWebhookFaults, type Simulator } from "./index.ts";

/** All optional strings: `wrangler dev --var SIM_SEED:7`, or `vars` in wrangler.jsonc. */
export interface SimulatorEnv {
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
  /** A fault on every accounting call of every tenant, in X-Sim-Fault syntax (e.g. "latency=50" for benchmarks). */
  SIM_FAULTS?: string;
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

/** Builds the simulator's options from env vars; unknown or empty vars keep the defaults. */
export function simulatorFromEnv(env: SimulatorEnv): Simulator {
  const rate = env.SIM_TOKEN_RATE_LIMIT?.split("/");
  const invoiceCount = number("SIM_INVOICE_COUNT", env.SIM_INVOICE_COUNT);
  const simulator = createSimulator({
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
    tenants:
      invoiceCount === undefined ? undefined : DEMO_TENANTS.map((tenant) => ({ ...tenant, invoiceCount })),
    webhooks: {
      url: env.SIM_WEBHOOK_URL || undefined,
      key: env.SIM_WEBHOOK_KEY || undefined,
      signatureHeader: env.SIM_WEBHOOK_HEADER || undefined,
      retryDelaysSeconds: env.SIM_WEBHOOK_RETRY_SECONDS?.split(",").map(
        (part) => number("SIM_WEBHOOK_RETRY_SECONDS", part) ?? 0,
      ),
      faults: env.SIM_WEBHOOK_FAULTS ? parseWebhookFaults(env.SIM_WEBHOOK_FAULTS) : undefined,
    },
  });
  const fault = env.SIM_FAULTS?.trim();
  if (fault) for (const tenant of DEMO_TENANTS) simulator.setFaults(tenant.tenantId, [{ fault }]);
  return simulator;
}

let simulator: Simulator | undefined;

// Over HTTP a simulated drop (commit-then-drop) surfaces as the runtime's plain-text 500: a
// worker cannot cut its own connection, and a response with a broken-off body would make
// wrangler dev's proxy retry the request, applying the write again.
//
// Webhooks ride on requests: after each one, what is due is sent in its waitUntil (a Worker
// cannot send on its own), so retries go out with later traffic.
export default {
  async fetch(request: Request, env: SimulatorEnv, ctx?: ExecutionContext): Promise<Response> {
    simulator ??= simulatorFromEnv(env);
    const sim = simulator;
    const response = await sim.fetch(request);
    ctx?.waitUntil(sim.deliverWebhooks());
    return response;
  },
} satisfies ExportedHandler<SimulatorEnv>;

// What routes share: the simulator's state (clock, settings, tokens, faults, stats, tenant
// stores) and the Hono environment of accounting routes, whose auth middleware puts the
// caller's tenant store in `c.var.store`.
import type { Clock } from "@st-edge/servicetitan";
import type { FaultBook } from "./faults.ts";
import type { RuntimeSettings, Settings } from "./options.ts";
import type { StatsRecorder } from "./stats.ts";
import type { TenantStore } from "./store.ts";
import type { TokenService } from "./tokens.ts";

/** Everything a route may read or change; one per simulator. */
export interface SimulatorState {
  readonly clock: Clock;
  readonly settings: Settings;
  readonly tokens: TokenService;
  readonly faults: FaultBook;
  readonly stats: StatsRecorder;
  readonly stores: ReadonlyMap<number, TenantStore>;
  /** What `configure()` changes: token settings and invoice locks. */
  runtime: RuntimeSettings;
}

/** Hono environment of accounting routes: `c.var.store` is the authenticated tenant's store. */
export interface ApiEnv {
  Variables: { store: TenantStore };
}

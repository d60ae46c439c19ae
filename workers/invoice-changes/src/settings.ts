// This worker's bindings and tuning knobs. Bindings come from the generated Env
// (worker-configuration.d.ts, `pnpm gen`); the knobs are the exactly-once ones
// (@st-edge/exactly-once settings.ts), optional vars with safe defaults.
import type { CreateOnceKnobs } from "@st-edge/exactly-once";

export interface InvoiceChangeKnobs extends CreateOnceKnobs {
  REQUEST_BUDGET_MS?: string;
}

export type InvoiceChangeBindings = Env & InvoiceChangeKnobs;

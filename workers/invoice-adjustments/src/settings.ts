// This worker's bindings and tuning knobs. Bindings come from the generated Env
// (worker-configuration.d.ts, `pnpm gen`); the knobs are the exactly-once ones
// (@st-edge/exactly-once settings.ts), optional vars with safe defaults.
import type { CreateOnceKnobs, InvoiceGate } from "@st-edge/exactly-once";

export interface AdjustmentKnobs extends CreateOnceKnobs {
  REQUEST_BUDGET_MS?: string;
}

/**
 * The generated Env with INVOICE_GATES typed by its class: wrangler types cannot see a class
 * another script hosts (payment-posting's InvoiceGate), so it leaves the namespace untyped.
 */
export type AdjustmentBindings = Omit<Env, "INVOICE_GATES"> & {
  INVOICE_GATES: DurableObjectNamespace<InvoiceGate>;
} & AdjustmentKnobs;

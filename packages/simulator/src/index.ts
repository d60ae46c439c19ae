// @st-edge/simulator: a local stand-in for ServiceTitan's token endpoint and the Accounting v2
// endpoints the product uses. Seeded and deterministic, with faults on demand; the default for
// every local run and every test (nothing in this product reaches the real ServiceTitan).
export type { Fault, FaultRule } from "./faults.ts";
export { FAULT_HEADER, FaultSyntaxError, parseFaults } from "./faults.ts";
export { IMPLEMENTED_OPERATIONS } from "./implemented.ts";
export type {
  InvoiceLock,
  InvoiceLocks,
  JournalEntry,
  RuntimeSettings,
  SimulatorJournal,
  SimulatorOptions,
  SimulatorTenant,
} from "./options.ts";
export { DEFAULT_INVOICE_LOCKS, DEMO_APP_KEY, DEMO_TENANTS, SIMULATOR_HOSTS } from "./options.ts";
export { type Draw, mulberry32 } from "./random.ts";
export type { Simulator } from "./simulator.ts";
export { createSimulator } from "./simulator.ts";
export type { SimulatorStats } from "./stats.ts";
export type { LedgerInvoice, LedgerPayment, LedgerSplit, SimulatorLedger } from "./store.ts";
export type { WebhookFaults, WebhookOptions, WebhookStats } from "./webhooks.ts";
export { parseWebhookFaults } from "./webhooks.ts";
export type { TenantWrite, WriteOperation } from "./writes/index.ts";

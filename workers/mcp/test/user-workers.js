// The capability workers the MCP server's tools call, as its service bindings see them: fetch
// handlers. Plain JavaScript with a declaration beside it (user-workers.d.ts), so this worker's
// type check does not compile the other workers' sources against its own generated Env.
export { default as bills } from "@st-edge/worker-bills/src/index.ts";
export { default as invoiceAdjustments } from "@st-edge/worker-invoice-adjustments/src/index.ts";
export { default as invoiceChanges, ExportMarks } from "@st-edge/worker-invoice-changes/src/index.ts";
export { default as invoiceLookup } from "@st-edge/worker-invoice-lookup/src/index.ts";
export { default as paymentPosting } from "@st-edge/worker-payment-posting/src/index.ts";
export { default as paymentTerms } from "@st-edge/worker-payment-terms/src/index.ts";
export { default as taxZones } from "@st-edge/worker-tax-zones/src/index.ts";

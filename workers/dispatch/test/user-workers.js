// The capability workers a tenant's dispatch namespace holds, as the dispatcher sees them: fetch
// handlers. Plain JavaScript with a declaration beside it (user-workers.d.ts), so this worker's
// type check does not compile the other workers' sources against its own generated Env.
export { default as invoiceLookup } from "@st-edge/worker-invoice-lookup/src/index.ts";

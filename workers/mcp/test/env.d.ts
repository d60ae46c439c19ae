// Bindings only the tests have (vitest.config.ts): what the capability workers under test use.
declare namespace Cloudflare {
  interface Env {
    TOKENS: KVNamespace;
    IDEMPOTENCY: DurableObjectNamespace;
    INVOICE_GATES: DurableObjectNamespace;
    ADJUSTMENT_IDEMPOTENCY: DurableObjectNamespace;
    EXPORT_MARKS: DurableObjectNamespace;
    EVENTS: Queue;
    /** The agents' chaos run's size (test/chaos.test.ts). */
    AGENT_PAYMENTS: string;
  }
}

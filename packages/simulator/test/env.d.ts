// The bindings tests get from `cloudflare:test` (wrangler.jsonc): the simulator's own env.
import type { SimulatorEnv } from "../src/worker.ts";

declare global {
  namespace Cloudflare {
    interface Env extends SimulatorEnv {}
  }
}

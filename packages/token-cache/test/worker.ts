// The worker the token-cache tests run in: it hosts the token broker Durable Objects that
// vitest.config.ts binds. ENCRYPTING_TOKEN_BROKER is the broker of a deployment with
// TOKEN_ENCRYPTION_KEY set; MISBOUND_TOKEN_BROKER is a binding to a class that is no broker (a
// wrong `script_name` or class), which callers must survive.
import { DurableObject } from "cloudflare:workers";
import type { TokenBrokerEnv } from "../src/index.ts";
import { TokenBroker } from "../src/token-broker.ts";
import { TEST_ENCRYPTION_KEY } from "./keys.ts";

export { TokenBroker };

export class EncryptingTokenBroker extends TokenBroker {
  constructor(ctx: DurableObjectState, env: TokenBrokerEnv) {
    super(ctx, { ...env, TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  }
}

export class NotATokenBroker extends DurableObject {}

export default {
  fetch: () => new Response("token-cache tests", { status: 404 }),
} satisfies ExportedHandler;

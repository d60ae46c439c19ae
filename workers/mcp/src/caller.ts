// Who is calling, for one MCP request: the API key they presented (forwarded to the capability
// workers, which check it again; never logged), the id logs and audit lines name them by (the
// first 8 hex of the key's SHA-256 digest, as API_KEY_HASHES lists it), and the request's id and
// deadline, which every worker call carries.
import { hashApiKey } from "@st-edge/edge";
import type { Deadline } from "@st-edge/servicetitan";

export interface Caller {
  /** The caller's own API key: sent to the workers as `Authorization: Bearer`, nowhere else. */
  apiKey: string;
  /** First 8 hex of the key's SHA-256 digest: safe to log, and enough to tell keys apart. */
  keyId: string;
  requestId: string;
  deadline: Deadline;
  env: Env;
}

/**
 * @example const caller = await callerOf(key, { requestId, deadline, env });
 */
export async function callerOf(apiKey: string, context: Omit<Caller, "apiKey" | "keyId">): Promise<Caller> {
  return { apiKey, keyId: (await hashApiKey(apiKey)).slice(0, 8), ...context };
}

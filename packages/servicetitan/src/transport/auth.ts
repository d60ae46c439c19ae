// Signs every attempt with the current token and the app key. A 401 means ServiceTitan no longer
// accepts that token (revoked, expired early): drop exactly that token and try once more with a
// fresh one. Safe for writes too: a 401 is refused before anything is applied.
import { type Deadline, unlessAborted } from "../deadline.ts";
import { ServiceTitanError } from "../errors.ts";
import type { TokenProvider } from "../token-provider.ts";
import type { Fetch } from "./fetch.ts";

/**
 * How the token goes into `Authorization`. ServiceTitan's own example sends the raw token; many
 * clients send `Bearer <token>` and report it works. Which one ServiceTitan treats as canonical
 * is UNCONFIRMED (FACTS.md §1), so it is configurable; the default follows the official example.
 */
export type AuthorizationScheme = "raw" | "bearer";

export interface AuthOptions {
  tokens: TokenProvider;
  appKey: string;
  scheme?: AuthorizationScheme;
  /** The request's deadline: a slow token endpoint is not waited for past it. */
  deadline?: Deadline;
}

export function withAuth(next: Fetch, { tokens, appKey, scheme = "raw", deadline }: AuthOptions): Fetch {
  // In place: the request is this client's own (each attempt is signed again, overwriting), and a
  // copy per attempt would be one more Request for the runtime to build on every call.
  const sign = (request: Request, token: string): Request => {
    request.headers.set("Authorization", scheme === "bearer" ? `Bearer ${token}` : token);
    request.headers.set("ST-App-Key", appKey);
    return request;
  };
  // The refresh may be shared with other requests: stop waiting for it, never cancel it.
  const tokenFor = async (request: Request) => {
    try {
      return await unlessAborted(tokens.getToken(), [request.signal, deadline?.signal]);
    } catch (error) {
      if (request.signal.aborted || !deadline?.signal.aborted) throw error;
      throw new ServiceTitanError({
        failure: "timeout",
        method: request.method,
        budgetMs: deadline.budgetMs,
        cause: error,
      });
    }
  };
  return async (request) => {
    // The 401 retry sends the request again: one without a body as it is (signed anew), one with
    // a body from a clone made first (the send reads the body once).
    const spare = request.body === null ? request : request.clone();
    const token = await tokenFor(request);
    const response = await next(sign(request, token));
    if (response.status !== 401) return response;
    await response.body?.cancel();
    await tokens.invalidate(token);
    return next(sign(spare, await tokenFor(spare)));
  };
}

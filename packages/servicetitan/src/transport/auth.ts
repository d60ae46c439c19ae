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
  const sign = (request: Request, token: string): Request => {
    const signed = new Request(request);
    signed.headers.set("Authorization", scheme === "bearer" ? `Bearer ${token}` : token);
    signed.headers.set("ST-App-Key", appKey);
    return signed;
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
    // The 401 retry sends the request again. sign() copies it, so a request without a body stays
    // usable as it is; a body is read once by the copy, so the retry needs a clone made first.
    const spare = request.body === null ? request : request.clone();
    const token = await tokenFor(request);
    const response = await next(sign(request, token));
    if (response.status !== 401) return response;
    await response.body?.cancel();
    await tokens.invalidate(token);
    return next(sign(spare, await tokenFor(spare)));
  };
}

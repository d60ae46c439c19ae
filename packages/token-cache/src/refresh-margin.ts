// How close to expiry a worker stops handing out a token, and why that much.

/**
 * The refresh margin the workers use: a token with less life left is never handed out.
 *
 * - 25 s: the longest a route works (every route answers within 25 s). A token is fetched per
 *   upstream attempt and checked by ServiceTitan when that attempt arrives, so in practice it
 *   is used within milliseconds; 25 s bounds even a request that held it from its first line.
 * - 5 s: clock skew. A token's expiry is counted on our clock from the moment we *sent* the
 *   request that got it (`requestToken`), so the network time between ServiceTitan issuing it
 *   and our receiving it is already inside the lifetime we assume; what is left is the skew
 *   between ServiceTitan's validating servers and its issuing one, and between the machine that
 *   fetched the token (the broker's) and the one that uses it (Cloudflare's clocks agree within
 *   milliseconds; 5 s is generous for both).
 *
 * With the 5 s refresh spread, a 900 s token is used for ~865 s: over 24 h that is at most 100
 * tokens against 96 at one per 900 s (≤ 1.042×; see the token-economy benchmark). The package
 * default (60 s) stays for callers with no known deadline.
 */
export const WORKER_REFRESH_MARGIN_MS = 30_000;

// One delivery attempt: POST the event's poll item to the subscriber's URL, signed, within the
// timeout, following redirects ourselves so every hop is checked against the target policy
// (fetch's own redirect following would not ask), and say how it ended (state.ts decides what
// that means for the delivery).
import { parseRetryAfter } from "@st-edge/servicetitan";
import type { DeliverySettings } from "./settings.ts";
import { deliverySignature } from "./signing.ts";
import { checkResolved, checkTarget } from "./targets.ts";
import type { Outcome } from "./watcher/state.ts";

/** Redirects followed at most; each is checked like the target itself. */
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 307, 308]);
const RETRYABLE = new Set([408, 425, 429]);

export interface Attempt {
  deliveryId: string;
  event: string;
  targetUrl: string;
  body: string;
}

/**
 * Sends one attempt and classifies the answer: 2xx delivered; 410 gone (unsubscribe); 5xx, 408,
 * 425, 429, a timeout or a network error retryable; a refused target (or a redirect to one) and
 * any other answer rejected.
 *
 * @example const outcome = await deliver(attempt, settings, egress(env));
 */
export async function deliver(
  attempt: Attempt,
  settings: DeliverySettings,
  send: (request: Request) => Promise<Response>,
): Promise<Outcome> {
  const deadline = Date.now() + settings.timeoutMs;
  let url: URL;
  try {
    url = new URL(attempt.targetUrl);
  } catch {
    return { kind: "rejected", error: "target is not a URL" };
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const verdict = checkTarget(url.href, settings.policy);
    if (!verdict.ok) return { kind: "rejected", error: `target ${verdict.reason}` };
    const resolved = await checkResolved(url, {
      resolver: settings.dnsResolver,
      send,
      policy: settings.policy,
    });
    if (!resolved.ok) {
      // The resolver being down is no verdict on the target: try again later.
      const transient = resolved.reason?.includes("resolver") ?? false;
      return { kind: transient ? "retryable" : "rejected", error: `target ${resolved.reason}` };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { kind: "retryable", error: "timeout" };
    let response: Response;
    try {
      response = await send(
        new Request(url, {
          method: "POST",
          redirect: "manual",
          headers: {
            "Content-Type": "application/json",
            "User-Agent": "st-edge-events/1",
            "X-Delivery-Id": attempt.deliveryId,
            "X-Event": attempt.event,
            "X-Signature": await deliverySignature(settings.signingSecret, attempt.body, Date.now() / 1000),
          },
          body: attempt.body,
          signal: AbortSignal.timeout(remaining),
        }),
      );
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      return { kind: "retryable", error: timedOut ? "timeout" : "network error" };
    }
    // Only the status matters; the body is not read (and must not keep the connection).
    await response.body?.cancel();
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: "delivered", status };
    if (status === 410) return { kind: "gone", status };
    if (REDIRECTS.has(status)) {
      const location = response.headers.get("Location");
      if (!location) return { kind: "rejected", status, error: "redirect without a Location" };
      try {
        const next = new URL(location, url);
        if (url.protocol === "https:" && next.protocol !== "https:") {
          return { kind: "rejected", status, error: "redirect from https to http" };
        }
        url = next;
      } catch {
        return { kind: "rejected", status, error: "redirect to an invalid URL" };
      }
      continue;
    }
    if (status >= 500 || RETRYABLE.has(status)) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get("Retry-After"), Date.now());
      return {
        kind: "retryable",
        status,
        error: `target answered ${status}`,
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      };
    }
    return { kind: "rejected", status, error: `target answered ${status}` };
  }
  return { kind: "rejected", error: `more than ${MAX_REDIRECTS} redirects` };
}

// Problem types only this worker answers with. They are part of the API (automations and
// operators branch on the `type` URN): each is stable and listed in the README.
import type { ProblemInit } from "@st-edge/edge";

const urn = (name: string) => `urn:st-edge:problem:${name}` as const;

/** The webhook carries no signature header. */
export const SIGNATURE_MISSING = urn("webhook-signature-missing");
/** The signature is not ServiceTitan's HMAC of this body with this deployment's webhook key. */
export const SIGNATURE_INVALID = urn("webhook-signature-invalid");
/** Signed, but its `time` is too old (a replay) or too far ahead. */
export const WEBHOOK_STALE = urn("webhook-stale");
/** Another delivery of the same occurrence is being queued now. */
export const WEBHOOK_IN_PROGRESS = urn("webhook-in-progress");
/** The target URL is not one deliveries may go to. */
export const TARGET_REFUSED = urn("hook-target-refused");
export const HOOK_LIMIT = urn("hook-limit-reached");
export const HOOK_NOT_FOUND = urn("hook-not-found");
export const DEAD_LETTER_NOT_FOUND = urn("dead-letter-not-found");
/** The events queue did not take the message. */
export const QUEUE_UNAVAILABLE = urn("events-queue-unavailable");

const EVENTS_PROBLEMS: Record<string, { status: number; title: string }> = {
  [SIGNATURE_MISSING]: { status: 401, title: "The webhook is not signed" },
  [SIGNATURE_INVALID]: { status: 401, title: "The webhook's signature does not match" },
  [WEBHOOK_STALE]: { status: 401, title: "The webhook is too old or from the future" },
  [WEBHOOK_IN_PROGRESS]: { status: 503, title: "This event is being received; retry shortly" },
  [TARGET_REFUSED]: { status: 422, title: "Deliveries cannot go to this URL" },
  [HOOK_LIMIT]: { status: 422, title: "This tenant has as many subscriptions as allowed" },
  [HOOK_NOT_FOUND]: { status: 404, title: "No such subscription" },
  [DEAD_LETTER_NOT_FOUND]: { status: 404, title: "No such dead letter" },
  [QUEUE_UNAVAILABLE]: { status: 503, title: "The events queue is unavailable; retry shortly" },
};

/**
 * A ProblemInit of one of this worker's types, with its fixed status and title.
 *
 * @example throw new ProblemError(eventsProblem(HOOK_NOT_FOUND, "No hook hk_… in this tenant"));
 */
export function eventsProblem(
  type: ReturnType<typeof urn>,
  detail: string,
  extra: Partial<ProblemInit> = {},
): ProblemInit {
  const known = EVENTS_PROBLEMS[type];
  return { type, status: known?.status, title: known?.title, detail, ...extra };
}

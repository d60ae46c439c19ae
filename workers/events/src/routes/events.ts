// POST /events: a change made in ServiceTitan outside our workers, published by reference (the
// worker reads the record itself, so a caller cannot make it deliver a payload of its own).
import { ProblemError } from "@st-edge/edge";
import { publishEvent } from "@st-edge/events";
import type { publishChange } from "../api.ts";
import { eventsProblem, QUEUE_UNAVAILABLE } from "../problems.ts";
import { ensureWatching } from "../settings.ts";
import type { Handler } from "./context.ts";

export const publishChangeHandler: Handler<typeof publishChange> = async (c, { body }) => {
  if (!(await publishEvent(c.env, { event: body.event, recordId: body.recordId }))) {
    throw new ProblemError(eventsProblem(QUEUE_UNAVAILABLE, "Nothing was queued", { retryAfterSeconds: 5 }));
  }
  await ensureWatching(c.env);
  return c.json({ queued: true }, 202);
};

// For operators: the dead-letter list and replay, and the watcher's status.
import { ProblemError } from "@st-edge/edge";
import type { getWatcher, listDeadLetters, replayDeadLetter } from "../api.ts";
import { dispatch } from "../dispatch.ts";
import { DEAD_LETTER_NOT_FOUND, eventsProblem } from "../problems.ts";
import { tenantOf, tenantStore } from "../settings.ts";
import type { Handler } from "./context.ts";

export const listDeadLettersHandler: Handler<typeof listDeadLetters> = async (c, { query }) =>
  c.json({ data: await tenantStore(c.env).deadLetters({ limit: query.limit }) });

export const replayDeadLetterHandler: Handler<typeof replayDeadLetter> = async (c, { params }) => {
  const replay = await tenantStore(c.env).replayDeadLetter(params.id);
  if (replay.kind === "none") {
    throw new ProblemError(
      eventsProblem(
        DEAD_LETTER_NOT_FOUND,
        `No dead letter ${params.id} in this tenant (or its subscription is gone)`,
      ),
    );
  }
  if (replay.kind === "delivery") await dispatch(c.env.DELIVERIES, tenantOf(c.env).key, [replay.ref]);
  else await c.env.EVENTS.send(JSON.parse(replay.body), { contentType: "json" });
  return c.json({ replayed: params.id }, 202);
};

export const getWatcherHandler: Handler<typeof getWatcher> = async (c) =>
  c.json(await tenantStore(c.env).status());

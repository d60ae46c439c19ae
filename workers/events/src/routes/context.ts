// The types every handler of this worker shares.
import type { RouteInput, RouteSpec, WorkerEnv } from "@st-edge/edge";
import type { Context } from "hono";
import type { EventsBindings } from "../settings.ts";

export type AppContext = Context<WorkerEnv<EventsBindings>>;

/** A handler for one route definition of api.ts, as `mount` calls it. */
export type Handler<R extends RouteSpec> = (c: AppContext, input: RouteInput<R>) => Promise<Response>;

// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
import { env } from "cloudflare:test";
import type { EdgeBindings } from "@st-edge/edge";
import { describeWorkerFuzz } from "@st-edge/edge/testing";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { sim } from "./helpers.ts";

describeWorkerFuzz({ name: "invoice-lookup", worker, base: env as EdgeBindings, sim, routes });

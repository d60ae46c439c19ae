import { describeWorkerContract } from "@st-edge/edge/testing";
import openapi from "../../../specs/workers/events.openapi.json";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { setup } from "./support.ts";

describeWorkerContract({ name: "events", worker, env: async () => (await setup()).env, routes, openapi });

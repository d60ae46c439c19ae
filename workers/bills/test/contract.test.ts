import { env } from "cloudflare:test";
import { describeWorkerContract, simulatorEnv } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import openapi from "../../../specs/workers/bills.openapi.json";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

describeWorkerContract({ name: "bills", worker, env: () => simulatorEnv(env, sim), routes, openapi });

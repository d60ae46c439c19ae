// The contract every worker keeps (auth, unknown routes, problem shape, request ids, OpenAPI).
import { describeWorkerContract } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import openapi from "../../../specs/workers/invoice-adjustments.openapi.json";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { testEnv } from "./support.ts";

const sim = createSimulator();

describeWorkerContract({ name: "invoice-adjustments", worker, env: () => testEnv(sim), routes, openapi });

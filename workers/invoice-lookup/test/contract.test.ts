// The contract every worker keeps: auth, unknown routes, problem shape, the OpenAPI document.
import { describeWorkerContract } from "@st-edge/edge/testing";
import openapi from "../../../specs/workers/invoice-lookup.openapi.json";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { testEnv } from "./helpers.ts";

describeWorkerContract({ name: "invoice-lookup", worker, env: testEnv, routes, openapi });

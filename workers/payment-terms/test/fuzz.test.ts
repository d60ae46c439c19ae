// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
import { env } from "cloudflare:test";
import { describeWorkerFuzz, OTHER_TENANT, readServiceTitanJson } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

// Real term ids of this tenant and of another, so paths reach the handlers and the tenant check.
const termIds = async (tenant?: typeof OTHER_TENANT) =>
  (await readServiceTitanJson<{ data: { id: number }[] }>(sim, "/payment-terms", { tenant })).data
    .slice(0, 3)
    .map((term) => String(term.id));
const samples = [...(await termIds()), ...(await termIds(OTHER_TENANT))];

describeWorkerFuzz({ name: "payment-terms", worker, base: env, sim, routes, samples });

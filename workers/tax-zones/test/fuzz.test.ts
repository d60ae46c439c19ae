// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
import { env } from "cloudflare:test";
import { describeWorkerFuzz, OTHER_TENANT, readServiceTitanJson } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

// Real zone ids of this tenant and of another, so paths reach the handlers and the tenant check.
const zoneIds = async (tenant?: typeof OTHER_TENANT) =>
  (await readServiceTitanJson<{ data: { id: number }[] }>(sim, "/tax-zones?active=Any", { tenant })).data
    .slice(0, 3)
    .map((zone) => String(zone.id));
const samples = [...(await zoneIds()), ...(await zoneIds(OTHER_TENANT))];

// Valid quote bodies the harness sends as they are or bent one field at a time.
const bodies = { quoteTax: [{ subtotal: "100.00" }, { labor: "40.50", material: 12 }] };

describeWorkerFuzz({ name: "tax-zones", worker, base: env, sim, routes, samples, bodies });

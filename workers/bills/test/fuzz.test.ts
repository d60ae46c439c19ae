// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
import { env } from "cloudflare:test";
import { describeWorkerFuzz, OTHER_TENANT, readServiceTitanJson } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";

const sim = createSimulator();

// Real bill ids of this tenant and of another, so paths reach the handlers and the tenant check.
const billIds = async (tenant?: typeof OTHER_TENANT) =>
  (
    await readServiceTitanJson<{ data: { id: number }[] }>(sim, "/ap-bills?pageSize=3&billType=NotSet", {
      tenant,
    })
  ).data.map((bill) => String(bill.id));
const samples = [...(await billIds()), ...(await billIds(OTHER_TENANT))];

describeWorkerFuzz({ name: "bills", worker, base: env, sim, routes, samples });

// Random input against every route (the shared fuzz property): no 5xx, problems only, no secret.
// Its own simulator: the cases that do create adjustments change nobody else's invoices.
import { env } from "cloudflare:test";
import { describeWorkerFuzz } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { writeOff } from "./support.ts";

const sim = createSimulator();

// SKU codes as callers send them (invoice ids of both tenants are added by the harness).
const samples = ["SVC-DIAG", "PM-PROMO", "write-off-1"];

// Valid bodies the harness sends as they are or bent one field at a time.
const bodies = {
  createAdjustment: [
    writeOff("10.00"),
    { summary: "Charge found after export", reviewStatus: "NeedsReview" },
  ],
};

describeWorkerFuzz({ name: "invoice-adjustments", worker, base: env, sim, routes, samples, bodies });

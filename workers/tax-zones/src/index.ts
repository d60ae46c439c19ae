// The tax-zones worker: tax zones, the zone of an invoice, and tax quotes in exact decimals.
import { createWorkerApp } from "@st-edge/edge";
import openapi from "../../../specs/workers/tax-zones.openapi.json";
import { registerTaxZoneRoutes } from "./routes/tax-zones.ts";

const app = createWorkerApp<Env>({ name: "tax-zones", openapi });

registerTaxZoneRoutes(app);

export default app;

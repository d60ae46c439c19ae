// The tax-zones worker: tax zones, the zone of an invoice, and tax quotes in exact decimals.
import { createWorkerApp } from "@st-edge/edge";
import { registerTaxZoneRoutes } from "./routes/tax-zones.ts";

const app = createWorkerApp<Env>({ name: "tax-zones", openapiAsset: "/tax-zones.openapi.json" });

registerTaxZoneRoutes(app);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

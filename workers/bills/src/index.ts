// The bills worker: AP bills (read-only), a polling trigger for new or updated bills, and export
// marks for AP bills and inventory bills.
import { createWorkerApp } from "@st-edge/edge";
import { registerBillRoutes } from "./routes/bills.ts";
import { registerExportMarkRoutes } from "./routes/export-marks.ts";

const app = createWorkerApp<Env>({ name: "bills", openapiAsset: "/bills.openapi.json" });

registerBillRoutes(app);
registerExportMarkRoutes(app);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

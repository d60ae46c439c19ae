// The bills worker: AP bills (read-only) and a polling trigger for new or updated bills.
import { createWorkerApp, type EdgeBindings } from "@st-edge/edge";
import openapi from "../../../specs/workers/bills.openapi.json";
import { registerBillRoutes } from "./routes/bills.ts";

const app = createWorkerApp<EdgeBindings>({ name: "bills", openapi });

registerBillRoutes(app);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

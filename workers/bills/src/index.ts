// The bills worker: AP bills (read-only) and a polling trigger for new or updated bills.
import { createWorkerApp } from "@st-edge/edge";
import openapi from "../../../specs/workers/bills.openapi.json";
import { registerBillRoutes } from "./routes/bills.ts";

const app = createWorkerApp<Env>({ name: "bills", openapi });

registerBillRoutes(app);

export default app;

// The payment-terms worker: payment terms and due dates computed from them.
import { createWorkerApp } from "@st-edge/edge";
import openapi from "../../../specs/workers/payment-terms.openapi.json";
import { type PaymentTermsBindings, registerPaymentTermRoutes } from "./routes/payment-terms.ts";

const app = createWorkerApp<PaymentTermsBindings>({ name: "payment-terms", openapi });

registerPaymentTermRoutes(app);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

// The payment-terms worker: payment terms and due dates computed from them.
import { createWorkerApp } from "@st-edge/edge";
import { type PaymentTermsBindings, registerPaymentTermRoutes } from "./routes/payment-terms.ts";

const app = createWorkerApp<PaymentTermsBindings>({
  name: "payment-terms",
  openapiAsset: "/payment-terms.openapi.json",
});

registerPaymentTermRoutes(app);

export { TokenBroker } from "@st-edge/edge/token-broker";

export default app;

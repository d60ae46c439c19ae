// The payment-terms worker.
import { createWorkerApp, type EdgeBindings, mount, serviceTitanFor } from "@st-edge/edge";
import { unwrap } from "@st-edge/servicetitan";
import openapi from "../../../specs/workers/payment-terms.openapi.json";
import { getPaymentTerm } from "./api.ts";

const app = createWorkerApp<EdgeBindings>({ name: "payment-terms", openapi });

mount(app, getPaymentTerm, async (c, { params }) => {
  const { client } = await serviceTitanFor(c.env);
  const term = unwrap(
    await client.GET("/tenant/{tenant}/payment-terms/{paymentTermId}", {
      params: { path: { paymentTermId: params.id } },
    }),
  );
  return c.json({
    id: term.id ?? params.id,
    name: term.name ?? null,
    dueDayType: term.dueDayType,
    dueDay: term.dueDay ?? null,
    active: term.active,
  });
});

export default app;

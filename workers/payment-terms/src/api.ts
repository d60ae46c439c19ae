// The payment-terms worker's API: route definitions used both to validate requests and to
// generate specs/workers/payment-terms.openapi.json.
import { defineRoute, schemas } from "@st-edge/edge";
import * as z from "zod/mini";

export const info = {
  title: "ServiceTitan payment terms",
  version: "1.0.0",
  description: "Payment terms of the tenant (read-only in ServiceTitan) and due dates computed from them.",
};

export const PaymentTermView = z.object({
  id: z.number(),
  name: z.nullable(z.string()),
  dueDayType: z.string(),
  dueDay: z.nullable(z.number()),
  active: z.boolean(),
});

export const getPaymentTerm = defineRoute({
  method: "get",
  path: "/payment-terms/{id}",
  operationId: "getPaymentTerm",
  summary: "One payment term",
  tags: ["Payment terms"],
  params: z.object({ id: schemas.Id }),
  responses: { 200: { description: "The payment term", schema: PaymentTermView } },
});

export const routes = [getPaymentTerm];

import { describeWorkerContract } from "@st-edge/edge/testing";
import openapi from "../../../specs/workers/events.openapi.json";
import { routes } from "../src/api.ts";
import worker from "../src/index.ts";
import { hmacHex, setup, WEBHOOK_KEY } from "./support.ts";

describeWorkerContract({
  name: "events",
  worker,
  env: async () => (await setup()).env,
  routes,
  openapi,
  // The webhook receiver is open to ServiceTitan alone, signed: sign as it does, so the input
  // checks reach the receiver's own validation.
  sign: async (_route, request) => {
    const signature = await hmacHex(WEBHOOK_KEY, await request.clone().text());
    const signed = new Request(request);
    signed.headers.set("X-ServiceTitan-Signature", signature);
    return signed;
  },
});

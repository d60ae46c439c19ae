// POST /payments and POST /payments/check: the HTTP side of posting a payment. The body is validated by its route
// definition (api.ts) and canonicalized here; posting/create.ts posts it exactly once. The work
// finishes, and its outcome is recorded, even if the caller hangs up mid-way.
import type { RouteInput } from "@st-edge/edge";
import type { checkPayment, createPayment } from "../api.ts";
import { toCanonicalPayment } from "../payment-request.ts";
import type { Ctx } from "../posting/context.ts";
import { checkPayment as checkOnly, postPayment } from "../posting/create.ts";

export function createPaymentHandler(
  c: Ctx,
  { headers, body }: RouteInput<typeof createPayment>,
): Promise<Response> {
  const work = postPayment(c, headers["idempotency-key"], toCanonicalPayment(body));
  try {
    c.executionCtx.waitUntil(
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
  } catch {
    // No execution context (plain app.request in unit tests): nothing to extend.
  }
  return work;
}

/** POST /payments/check: every check of a post, nothing written. */
export async function checkPaymentHandler(
  c: Ctx,
  { body }: RouteInput<typeof checkPayment>,
): Promise<Response> {
  return c.json(await checkOnly(c, toCanonicalPayment(body)));
}

// Sending delivery messages: one small message per attempt (the delivery's id and attempt
// number; target and body stay in the Durable Object), in batches of at most 100 as Cloudflare
// Queues allow, each after its own delay.
import * as z from "zod/mini";

/** A delivery attempt to queue. */
export interface DeliveryRef {
  deliveryId: string;
  attempt: number;
  /** Wait this long before the attempt (a retry's back-off). */
  delaySeconds?: number;
}

/** The DELIVERIES queue message. `tenant` is "<environment>:<tenantId>", whose Durable Object holds it. */
export const DeliveryMessage = z.object({
  v: z.literal(1),
  tenant: z.string(),
  deliveryId: z.string().check(z.regex(/^dl_[0-9a-f]{32}$/)),
  attempt: z.number().check(z.int(), z.minimum(1), z.maximum(100)),
});
export type DeliveryMessage = z.output<typeof DeliveryMessage>;

const BATCH = 100;

/**
 * Queues the attempts. Resolves once all are durably queued; a failure leaves the deliveries
 * pending in the Durable Object, where the sweeper finds them (so it is safe to let it throw).
 *
 * @example await dispatch(env.DELIVERIES, "simulator:1000001", refs);
 */
export async function dispatch(queue: Queue, tenant: string, refs: readonly DeliveryRef[]): Promise<void> {
  for (let start = 0; start < refs.length; start += BATCH) {
    await queue.sendBatch(
      refs.slice(start, start + BATCH).map((ref) => ({
        body: { v: 1, tenant, deliveryId: ref.deliveryId, attempt: ref.attempt } satisfies DeliveryMessage,
        contentType: "json" as const,
        ...(ref.delaySeconds ? { delaySeconds: ref.delaySeconds } : {}),
      })),
    );
  }
}

// Settles a create whose answer was lost: did ServiceTitan record the payment or not?
//
// Every payment we create carries our marker in its memo, so we search the payments applied to
// the same invoices since the first attempt (minus clock skew) for it. Found: the payment exists.
// Not found: we look again, the last time at least `waitMs` after the create can last have been
// in flight, and only then call it absent. That rests on two assumptions (UNCONFIRMED, see
// README): a committed payment shows up in GET /payments within `waitMs`, and ServiceTitan does
// not commit a create later than that after our side gave up on it. A failing search throws:
// the outcome stays unknown and nobody may post again until a later search settles it.
import type { DetailedPayment, ServiceTitanClient } from "@st-edge/servicetitan";
import { searchPayments } from "./lookups.ts";
import { hasMarker } from "./marker.ts";

export interface ReconcileInput {
  client: ServiceTitanClient;
  marker: string;
  invoiceIds: readonly number[];
  /** When the first create was recorded as attempted (ms). */
  firstAttemptAt: number;
  /** When the last create can no longer have been in flight on our side (ms). */
  settledAt: number;
  waitMs: number;
  skewMs: number;
  /** Extends the caller's lease before each look; false when the lease is gone. */
  renew: () => Promise<boolean>;
  sleep?: (ms: number) => Promise<void>;
}

export type ReconcileResult =
  | { kind: "found"; payment: DetailedPayment; others: number[]; checks: number }
  | { kind: "absent"; checks: number }
  | { kind: "lease-lost"; checks: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Searches for our marker; see the file header for when "absent" is trusted. */
export async function reconcile(input: ReconcileInput): Promise<ReconcileResult> {
  const sleep = input.sleep ?? defaultSleep;
  const since = new Date(input.firstAttemptAt - input.skewMs).toISOString();
  let checks = 0;
  const look = async () => {
    checks++;
    const candidates = await searchPayments(input.client, {
      ...(input.invoiceIds.length > 0 ? { appliedToInvoiceIds: input.invoiceIds } : {}),
      createdOnOrAfter: since,
    });
    const ours = candidates
      .filter((payment) => hasMarker(payment.memo, input.marker))
      .sort((a, b) => a.id - b.id);
    const [payment, ...others] = ours;
    return payment
      ? ({ kind: "found", payment, others: others.map((p) => p.id), checks } as const)
      : undefined;
  };

  const first = await look();
  if (first) return first;
  const last = input.settledAt + input.waitMs;
  for (const at of [input.settledAt + input.waitMs / 2, last]) {
    const delay = at - Date.now();
    // A re-check whose time has passed is covered by the later one.
    if (delay <= 0 && at !== last) continue;
    if (delay > 0) await sleep(delay);
    if (!(await input.renew())) return { kind: "lease-lost", checks };
    const found = await look();
    if (found) return found;
  }
  return { kind: "absent", checks };
}

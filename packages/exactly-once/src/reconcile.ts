// Settles a create whose answer was lost: did ServiceTitan record it or not?
//
// Every create carries our marker (see marker.ts), so we search what was made since the first
// attempt (minus clock skew) for it. Found: the record exists. Not found: we look again, the last
// time at least `waitMs` after the create stopped sending (its `sendBy`), and only then call it
// absent. That rests on two assumptions (UNCONFIRMED, see payment-posting's README): a committed
// record shows up in ServiceTitan's reads within `waitMs`, and ServiceTitan does not commit a
// create later than that after its request stopped. A failing search throws: the outcome stays
// unknown and nobody may create again until a later search settles it.

export interface ReconcileInput<T extends { id: number }> {
  /** Records made since `since` (ISO date-time) that carry the marker, oldest id first or in any order. */
  find: (since: string) => Promise<T[]>;
  /** When the first create was recorded as attempted (ms). */
  firstAttemptAt: number;
  /** When the last create had stopped sending, at the latest (ms). */
  settledAt: number;
  waitMs: number;
  skewMs: number;
  /** Extends the caller's lease before each look; false when the lease is gone. */
  renew: () => Promise<boolean>;
  /** When the request's own work must be over (ms): a look that cannot finish by then is not waited for. */
  deadlineAt: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type ReconcileResult<T> =
  | { kind: "found"; record: T; others: number[]; checks: number }
  | { kind: "absent"; checks: number }
  | { kind: "lease-lost"; checks: number }
  /** The request's deadline came before absence could be proven: the outcome stays unknown. */
  | { kind: "out-of-time"; checks: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Searches for our marker; see the file header for when "absent" is trusted. */
export async function reconcile<T extends { id: number }>(
  input: ReconcileInput<T>,
): Promise<ReconcileResult<T>> {
  const sleep = input.sleep ?? defaultSleep;
  const now = input.now ?? Date.now;
  const since = new Date(input.firstAttemptAt - input.skewMs).toISOString();
  let checks = 0;
  const look = async () => {
    checks++;
    const [record, ...others] = (await input.find(since)).sort((a, b) => a.id - b.id);
    return record ? ({ kind: "found", record, others: others.map((r) => r.id), checks } as const) : undefined;
  };

  const first = await look();
  if (first) return first;
  const last = input.settledAt + input.waitMs;
  for (const at of [input.settledAt + input.waitMs / 2, last]) {
    const delay = at - now();
    // A re-check whose time has passed is covered by the later one.
    if (delay <= 0 && at !== last) continue;
    if (at > input.deadlineAt) return { kind: "out-of-time", checks };
    if (delay > 0) await sleep(delay);
    if (!(await input.renew())) return { kind: "lease-lost", checks };
    const found = await look();
    if (found) return found;
  }
  return { kind: "absent", checks };
}

// The client side of a chaos run (payment posting, adjustment invoices): one automation delivering
// one create under an Idempotency-Key until it gets a final answer, as Zapier or n8n would: retry
// the same key on any retryable answer, honour Retry-After (at a quarter scale, so runs stay short),
// and now and then "lose" a 201 and retry anyway. The tally says what happened across all clients.
import { expect } from "vitest";

export interface ChaosTally {
  attempts: number;
  retries: number;
  giveUps: number;
  /** Answers by `<status>:<problem type>` ("201" for a success). */
  statuses: Record<string, number>;
}

export const newTally = (): ChaosTally => ({ attempts: 0, retries: 0, giveUps: 0, statuses: {} });

export interface DeliverOptions<C extends { id: number }> {
  /** Sends the create once (the same key every time). */
  send: () => Promise<Response>;
  /** The first acknowledged answer per key: a later 201 must name the same record. */
  acknowledged: Map<string, C>;
  key: string;
  /** A refusal that is a right answer for this job (e.g. an overpayment when racing): ends it. */
  refusedRightly?: (status: number, type: string) => boolean;
  tally: ChaosTally;
  /** Seeded randomness: lost answers and retry jitter. */
  rand: () => number;
  /** Share of 201 answers the client pretends it never received. */
  lostAnswer: number;
  maxAttempts: number;
}

const RETRYABLE = [409, 429, 500, 502, 503, 504];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Delivers one create until its answer is final; "refused" when `refusedRightly` ended it, "gave-up"
 * after `maxAttempts` (a run must never need that). Throws on any other final answer.
 *
 * @example const outcome = await deliver({ send: () => post(e, key, body), key, acknowledged, tally, rand, lostAnswer: 0.05, maxAttempts: 60 });
 */
export async function deliver<C extends { id: number }>(
  options: DeliverOptions<C>,
): Promise<"created" | "refused" | "gave-up"> {
  const { tally, rand } = options;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    tally.attempts++;
    if (attempt > 1) tally.retries++;
    const response = await options.send();
    const type =
      response.status === 201
        ? ""
        : String(((await response.clone().json()) as { type?: string }).type).replace(
            "urn:st-edge:problem:",
            "",
          );
    const kind = response.status === 201 ? "201" : `${response.status}:${type}`;
    tally.statuses[kind] = (tally.statuses[kind] ?? 0) + 1;
    if (response.status === 201) {
      const created: C = await response.json();
      // Sometimes the answer "never arrives": the client must retry and get the same record.
      if (rand() < options.lostAnswer) continue;
      const earlier = options.acknowledged.get(options.key);
      if (earlier) expect(created.id).toBe(earlier.id);
      options.acknowledged.set(options.key, created);
      return "created";
    }
    if (options.refusedRightly?.(response.status, type)) return "refused";
    if (!RETRYABLE.includes(response.status)) {
      throw new Error(`final ${response.status} for ${options.key}: ${await response.text()}`);
    }
    const retryAfter = Number(response.headers.get("Retry-After") ?? "0");
    await response.body?.cancel();
    await sleep(Math.min(retryAfter * 250, 2_000) + 5 + Math.floor(rand() * 20));
  }
  tally.giveUps++;
  return "gave-up";
}

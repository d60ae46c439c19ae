// Bounded chaos for adjustment invoices: created by 6 concurrent clients that retry with the same
// key on any non-final answer, some fired twice at once (automations double-fire), some answers
// "lost" on the client side, several per original invoice (so reconciliation must tell them apart
// by marker) — while ServiceTitan misbehaves on a seeded mix of faults: 429s, 5xx, 401s on the
// create, latency, hangs, commit-then-fail, commit-then-drop and cut-off answers on the create,
// failing, hanging and unreadable reads, a slow and throttled token endpoint, and a token outage after tokens are revoked mid-run.
// Whatever happens: no adjustment twice, none acknowledged and lost, none created that no key asked
// for. Clients honour Retry-After at a quarter scale so the run stays short.
//
// CHAOS_ADJUSTMENTS sets the size (CI runs the default, seeded; `pnpm test:chaos --full` runs 300).
import { env } from "cloudflare:test";
import { deliver, newTally } from "@st-edge/edge/testing";
import { createSimulator, DEMO_TENANTS, type FaultRule, mulberry32 } from "@st-edge/simulator";
import { expect, it } from "vitest";
import { adjustmentMarker } from "../src/marker.ts";
import { adjust, type CreatedBody, invoices, TENANT, testEnv, writeOff } from "./support.ts";

const SEED = 20_261_201;
const ADJUSTMENTS = Number((env as { CHAOS_ADJUSTMENTS?: string }).CHAOS_ADJUSTMENTS || 60);
const CLIENTS = 6;
const MAX_ATTEMPTS = 60;
const DOUBLE_FIRE = 0.1;
const LOST_ANSWER = 0.05;
/** Adjustments per original invoice: reconciliation finds ours among its siblings. */
const PER_ORIGINAL = 3;

const CREATE = "Invoices_CreateAdjustmentInvoice";
const FAULTS: FaultRule[] = [
  // Every kind the run claims to survive, met at least once whatever the interleaving: the first
  // creates hang, drop and fail; then the seeded mix.
  { fault: "hang", operationId: CREATE, times: 2 },
  { fault: "commit-then-drop", operationId: CREATE, times: 2 },
  { fault: "commit-then-fail=502", operationId: CREATE, times: 1 },
  { fault: "status=429;retry-after=1", operationId: CREATE, times: 1 },
  // Answers cut off or unreadable after the create was applied: settled like lost answers.
  { fault: "truncate-body", operationId: CREATE, times: 1 },
  { fault: "truncate-body", operationId: CREATE, probability: 0.03 },
  { fault: "invalid-json", operationId: "Invoices_GetList", probability: 0.02 },
  { fault: "commit-then-fail=500", operationId: CREATE, probability: 0.08 },
  { fault: "commit-then-fail=502", operationId: CREATE, probability: 0.04 },
  { fault: "commit-then-drop", operationId: CREATE, probability: 0.08 },
  { fault: "status=503", operationId: CREATE, probability: 0.05 },
  { fault: "status=500", operationId: CREATE, probability: 0.03 },
  { fault: "status=429;retry-after=1", operationId: CREATE, probability: 0.05 },
  { fault: "status=401", operationId: CREATE, probability: 0.04 },
  { fault: "hang", operationId: CREATE, probability: 0.03 },
  { fault: "latency=40", operationId: CREATE, probability: 0.1 },
  { fault: "status=503", operationId: "Invoices_GetList", probability: 0.06 },
  { fault: "status=429;retry-after=0", operationId: "Invoices_GetList", probability: 0.04 },
  { fault: "status=502", operationId: "Invoices_GetList", probability: 0.03 },
  { fault: "hang", operationId: "Invoices_GetList", probability: 0.01 },
  { fault: "latency=25", operationId: "Invoices_GetList", probability: 0.1 },
  { fault: "latency=150", operationId: "OAuth_Token", probability: 0.3 },
  { fault: "status=429;retry-after=1", operationId: "OAuth_Token", probability: 0.15 },
];

interface Job {
  key: string;
  originalId: number;
  body: ReturnType<typeof writeOff>;
}

it(`chaos: ${ADJUSTMENTS} adjustments, ${CLIENTS} clients, seeded faults`, { timeout: 600_000 }, async () => {
  const started = Date.now();
  const sim = createSimulator({
    seed: SEED,
    tenants: DEMO_TENANTS.map((tenant) => ({ ...tenant, invoiceCount: Math.max(300, ADJUSTMENTS) })),
    tokenRateLimit: { requests: 60, perSeconds: 60 },
  });
  const e = await testEnv(sim, { ST_TIMEOUT_MS: "250", RECONCILE_WAIT_MS: "30" });
  const rand = mulberry32(SEED);
  const originals = (await invoices(sim)).filter(
    (invoice) => invoice.active && invoice.adjustmentToId == null,
  );
  const jobs: Job[] = Array.from({ length: ADJUSTMENTS }, (_, n) => {
    const original = originals[Math.floor(n / PER_ORIGINAL) % originals.length];
    if (!original) throw new Error("no original invoices");
    const cents = `${1 + Math.floor(rand() * 40)}.${String(Math.floor(rand() * 100)).padStart(2, "0")}`;
    return {
      key: `chaos-${SEED}-${n}-${crypto.randomUUID()}`,
      originalId: original.id,
      body: writeOff(cents, `chaos ${n}`),
    };
  });
  const queue = [...jobs];

  const tally = newTally();
  const acknowledged = new Map<string, CreatedBody>();
  const deliverJob = (job: Job) =>
    deliver({
      send: () => adjust(e, job.originalId, job.key, job.body),
      key: job.key,
      acknowledged,
      tally,
      rand,
      lostAnswer: LOST_ANSWER,
      maxAttempts: MAX_ATTEMPTS,
    });

  sim.setFaults(TENANT, FAULTS);
  let done = 0;
  const client = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      await Promise.all(rand() < DOUBLE_FIRE ? [deliverJob(job), deliverJob(job)] : [deliverJob(job)]);
      if (++done === Math.floor(ADJUSTMENTS / 2)) {
        sim.setFaults(TENANT, [...FAULTS, { fault: "token-outage", operationId: "OAuth_Token", times: 3 }]);
        sim.revokeTokens(TENANT);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  sim.setFaults(TENANT, []);

  // Count with what ServiceTitan holds: every adjustment carrying one of our markers.
  const keyOf = new Map<string, string>();
  for (const job of jobs) keyOf.set(await adjustmentMarker(TENANT, job.key), job.key);
  const byKey = new Map<string, number[]>();
  let unknownMarkers = 0;
  for (const invoice of await invoices(sim)) {
    const marker = invoice.royalty?.memo?.match(/\[ste:[0-9a-f]{16}\]/)?.[0];
    if (!marker) continue;
    const key = keyOf.get(marker);
    if (!key) unknownMarkers++;
    else byKey.set(key, [...(byKey.get(key) ?? []), invoice.id]);
  }
  const duplicates = [...byKey.values()].filter((ids) => ids.length > 1).length;
  const lost = [...acknowledged].filter(([key, created]) => byKey.get(key)?.[0] !== created.id).length;
  const faults = sim.stats().faults;
  console.log(
    `chaos: adjustments=${ADJUSTMENTS} attempts=${tally.attempts} retries=${tally.retries} faults=${JSON.stringify(faults)} ` +
      `created=${[...byKey.values()].flat().length} duplicates=${duplicates} lost=${lost + unknownMarkers}`,
  );
  console.log(
    `chaos detail: acknowledged=${acknowledged.size} giveUps=${tally.giveUps} statuses=${JSON.stringify(tally.statuses)} elapsedMs=${Date.now() - started}`,
  );

  expect(duplicates).toBe(0);
  expect(lost).toBe(0);
  expect(unknownMarkers).toBe(0);
  expect(tally.giveUps).toBe(0);
  expect(acknowledged.size).toBe(ADJUSTMENTS);
  expect(byKey.size).toBe(ADJUSTMENTS);
  for (const kind of [
    "commit-then-fail",
    "commit-then-drop",
    "hang",
    "status:429",
    "status:503",
    "token-outage",
    "latency",
  ]) {
    expect(faults[kind] ?? 0, kind).toBeGreaterThan(0);
  }
});

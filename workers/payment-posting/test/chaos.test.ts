// Bounded chaos: payments posted by 8 concurrent clients that retry with the same key on any
// non-final answer, some fired twice at once (automations double-fire), some answers "lost" on the
// client side, and a share of them racing with other keys on shared invoices for more than those
// invoices hold — while ServiceTitan misbehaves on a seeded mix of faults: 429s, 5xx, 401s on the
// create, latency, hangs, commit-then-fail, commit-then-drop, answers cut off or unreadable after
// the write, on the create and on reads, a slow and throttled token endpoint, and a token outage
// after tokens are revoked mid-run. Whatever happens:
// no payment twice, no acknowledged payment lost, no refused payment posted, no invoice overpaid,
// balances exact. Clients honour Retry-After at a quarter scale so the run stays short.
//
// CHAOS_PAYMENTS sets the size (CI runs the default, seeded; `pnpm test:chaos --full` runs 1,000).
// Run alone with `pnpm test:chaos`.
import { env } from "cloudflare:test";
import { deliver, newTally } from "@st-edge/edge/testing";
import { markerFor } from "@st-edge/exactly-once";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator, DEMO_TENANTS, type FaultRule, mulberry32 } from "@st-edge/simulator";
import { expect, it } from "vitest";
import {
  type CreatedBody,
  invoiceOf,
  openInvoices,
  post,
  sameCustomerInvoices,
  TENANT,
  testEnv,
} from "./support.ts";

const SEED = 20_260_518;
const PAYMENTS = Number((env as { CHAOS_PAYMENTS?: string }).CHAOS_PAYMENTS || 200);
const CLIENTS = 8;
/** Attempts per payment before a client gives up (it never should). */
const MAX_ATTEMPTS = 60;
/** Share of payments fired by two clients at once with the same key. */
const DOUBLE_FIRE = 0.1;
/** Share of 201 answers the client pretends it never received (and so retries). */
const LOST_ANSWER = 0.05;
/** Share of payments that race other keys on a shared invoice for more than it holds. */
const CONTENDED = 0.2;
/** Payments per contended invoice, each for 30 % of its balance: three fit, the rest must be refused. */
const PER_CONTENDED_INVOICE = 5;

const FAULTS: FaultRule[] = [
  { fault: "commit-then-fail=500", operationId: "Payments_Create", probability: 0.08 },
  { fault: "commit-then-fail=502", operationId: "Payments_Create", probability: 0.04 },
  { fault: "commit-then-drop", operationId: "Payments_Create", probability: 0.08 },
  { fault: "status=503", operationId: "Payments_Create", probability: 0.05 },
  { fault: "status=500", operationId: "Payments_Create", probability: 0.03 },
  { fault: "status=429;retry-after=1", operationId: "Payments_Create", probability: 0.05 },
  { fault: "status=401", operationId: "Payments_Create", probability: 0.04 },
  { fault: "hang", operationId: "Payments_Create", probability: 0.03 },
  { fault: "latency=40", operationId: "Payments_Create", probability: 0.1 },
  // Answers cut off or unreadable after the create was applied: settled like lost answers.
  { fault: "truncate-body", operationId: "Payments_Create", probability: 0.03 },
  { fault: "invalid-json", operationId: "Payments_GetList", probability: 0.02 },
  { fault: "status=503", operationId: "Payments_GetList", probability: 0.06 },
  { fault: "status=429;retry-after=0", operationId: "Payments_GetList", probability: 0.04 },
  { fault: "hang", operationId: "Payments_GetList", probability: 0.02 },
  { fault: "status=500", operationId: "Payments_GetList", probability: 0.02 },
  { fault: "status=502", operationId: "Invoices_GetList", probability: 0.05 },
  { fault: "truncate-body", operationId: "Invoices_GetList", probability: 0.02 },
  { fault: "truncate-body", operationId: "Payments_GetList", probability: 0.02 },
  { fault: "latency=25", operationId: "Invoices_GetList", probability: 0.1 },
  { fault: "hang", operationId: "Invoices_GetList", probability: 0.01 },
  { fault: "status=503", operationId: "PaymentTypes_GetList", probability: 0.05 },
  // The token endpoint: slow, and throttled now and then (401s and revocation make it busy).
  { fault: "latency=150", operationId: "OAuth_Token", probability: 0.3 },
  { fault: "status=429;retry-after=1", operationId: "OAuth_Token", probability: 0.15 },
];

interface Job {
  key: string;
  body: Record<string, unknown>;
  /** Amount per invoice id, as this payment applies it. */
  applies: Map<number, Decimal>;
  /** Racing other keys for more than the invoice holds: a 422 overpayment is a right answer. */
  contended: boolean;
}

it(`chaos: ${PAYMENTS} payments, ${CLIENTS} clients, seeded faults`, { timeout: 600_000 }, async () => {
  const started = Date.now();
  const sim = createSimulator({
    seed: SEED,
    // Enough open invoices for the racing runs of a full-size run.
    tenants: DEMO_TENANTS.map((tenant) => ({ ...tenant, invoiceCount: Math.max(300, PAYMENTS) })),
    tokenRateLimit: { requests: 60, perSeconds: 60 },
  });
  const e = await testEnv(sim, { ST_TIMEOUT_MS: "250", RECONCILE_WAIT_MS: "30", PAYMENT_TYPES_TTL_MS: "0" });
  const rand = mulberry32(SEED);
  const cents = () =>
    Decimal.parse(`${1 + Math.floor(rand() * 4)}.${String(Math.floor(rand() * 100)).padStart(2, "0")}`);

  // The work: mostly one invoice each; some split over two invoices of one customer; some racing.
  const taken = new Set<number>();
  // One pair per 50 payments: each takes at most ~5 splits of ≤ 4.99, within the 50.00 they hold.
  const pairs = [];
  for (let i = 0; i < Math.max(4, Math.ceil(PAYMENTS / 50)); i++)
    pairs.push(await sameCustomerInvoices(sim, taken));
  const open = openInvoices(sim, "200.00").filter((invoice) => !taken.has(invoice.id));
  const contendedCount = Math.ceil((PAYMENTS * CONTENDED) / PER_CONTENDED_INVOICE);
  const contendedInvoices = open.slice(0, contendedCount);
  const singles = open.slice(contendedCount, contendedCount + 60);
  if (singles.length === 0 || contendedInvoices.length < contendedCount)
    throw new Error("not enough open invoices");
  const types = ["Cash", "check", "Credit Card", "ACH / EFT"];
  const jobs: Job[] = [];
  const keyOf = (n: number) => `chaos-${SEED}-${n}-${crypto.randomUUID()}`;
  // Racing jobs come in runs of one invoice, so the clients take them at once.
  for (const invoice of contendedInvoices) {
    const amount = Decimal.parse(invoice.balance).times(Decimal.parse("0.3")).round(2, "half-up");
    for (let k = 0; k < PER_CONTENDED_INVOICE && jobs.length < PAYMENTS; k++) {
      jobs.push({
        key: keyOf(jobs.length),
        body: {
          paymentType: "Cash",
          invoiceId: invoice.id,
          amount: amount.toFixed(2),
          memo: `race ${invoice.id}`,
        },
        applies: new Map([[invoice.id, amount]]),
        contended: true,
      });
    }
  }
  while (jobs.length < PAYMENTS) {
    const n = jobs.length;
    const paymentType = types[n % types.length];
    // Every tenth job is a split, each over the next pair: the pairs share the splits evenly.
    const pair = pairs[Math.floor(n / 10) % pairs.length];
    if (n % 10 === 3 && pair) {
      const [a, b] = [cents(), cents()];
      jobs.push({
        key: keyOf(n),
        body: {
          paymentType,
          splits: [
            { invoiceId: pair[0].id, amount: a.toFixed(2) },
            { invoiceId: pair[1].id, amount: b.toNumber() },
          ],
        },
        applies: new Map([
          [pair[0].id, a],
          [pair[1].id, b],
        ]),
        contended: false,
      });
    } else {
      const invoice = singles[n % singles.length];
      if (!invoice) throw new Error("no open invoices");
      const amount = cents();
      jobs.push({
        key: keyOf(n),
        body: {
          paymentType,
          invoiceId: invoice.id,
          amount: n % 2 ? amount.toFixed(2) : amount.toNumber(),
          memo: `chaos ${n}`,
        },
        applies: new Map([[invoice.id, amount]]),
        contended: false,
      });
    }
  }
  // Racing runs spread through the queue, the rest shuffled around them (seeded).
  const queue: Job[] = [];
  const calm = jobs.filter((job) => !job.contended);
  const runs: Job[][] = [];
  for (const job of jobs.filter((candidate) => candidate.contended)) {
    const last = runs.at(-1);
    if (last && last[0]?.applies.keys().next().value === job.applies.keys().next().value) last.push(job);
    else runs.push([job]);
  }
  const gap = Math.max(1, Math.floor(calm.length / Math.max(1, runs.length)));
  for (let i = 0; i < calm.length || runs.length > 0; i++) {
    if (i % gap === 0) queue.push(...(runs.shift() ?? []));
    const job = calm[i];
    if (job) queue.push(job);
  }

  const tally = newTally();
  const acknowledged = new Map<string, CreatedBody>();
  const refused = new Set<string>();

  /** One client posting one job until it gets a final answer. */
  async function deliverJob(job: Job): Promise<void> {
    const outcome = await deliver({
      send: () => post(e, job.key, job.body),
      key: job.key,
      acknowledged,
      // Racing other keys for more than the invoice holds: an overpayment refusal is right.
      refusedRightly: (status, type) => job.contended && status === 422 && type === "overpayment",
      tally,
      rand,
      lostAnswer: LOST_ANSWER,
      maxAttempts: MAX_ATTEMPTS,
    });
    if (outcome === "refused") refused.add(job.key);
  }

  sim.setFaults(TENANT, FAULTS);
  let done = 0;
  const client = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const fired = rand() < DOUBLE_FIRE ? [deliverJob(job), deliverJob(job)] : [deliverJob(job)];
      await Promise.all(fired);
      // Halfway: tokens revoked and the token endpoint down for a few calls.
      if (++done === Math.floor(PAYMENTS / 2)) {
        sim.setFaults(TENANT, [...FAULTS, { fault: "token-outage", operationId: "OAuth_Token", times: 3 }]);
        sim.revokeTokens(TENANT);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  sim.setFaults(TENANT, []);

  // Count with the ledger.
  const ledger = sim.ledger(TENANT);
  const apiPayments = ledger.payments.filter((payment) => payment.origin === "api");
  const markerOf = new Map<string, string>();
  for (const job of jobs) markerOf.set(await markerFor(TENANT, job.key), job.key);
  const byKey = new Map<string, number[]>();
  for (const payment of apiPayments) {
    const marker = payment.memo?.match(/\[ste:[0-9a-f]{16}\]/)?.[0];
    const key = marker ? markerOf.get(marker) : undefined;
    expect(key, `payment ${payment.id} carries no known marker`).toBeDefined();
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), payment.id]);
  }
  const duplicates = [...byKey.values()].filter((ids) => ids.length > 1).length;
  const lost = [...acknowledged].filter(([key, created]) => byKey.get(key)?.[0] !== created.id).length;
  const refusedButPosted = [...refused].filter((key) => byKey.has(key)).length;

  // Balances: seeded minus exactly what was acknowledged, per invoice; none below zero.
  const expected = new Map<number, Decimal>();
  for (const job of jobs) {
    for (const [invoiceId, amount] of job.applies) {
      const taken = acknowledged.has(job.key) ? amount : Decimal.ZERO;
      expected.set(invoiceId, (expected.get(invoiceId) ?? Decimal.ZERO).plus(taken));
    }
  }
  const wrongBalances: string[] = [];
  let overpaid = 0;
  for (const [invoiceId, amount] of expected) {
    const invoice = invoiceOf(sim, invoiceId);
    const want = Decimal.parse(invoice.seededBalance).minus(amount).toFixed(2);
    const have = Decimal.parse(invoice.balance);
    if (want !== have.toFixed(2)) wrongBalances.push(`${invoiceId}: want ${want}, have ${have.toFixed(2)}`);
    if (have.isNegative()) overpaid++;
  }

  const faults = sim.stats().faults;
  console.log(
    `chaos: payments=${PAYMENTS} attempts=${tally.attempts} retries=${tally.retries} faults=${JSON.stringify(faults)} ` +
      `ledger=${apiPayments.length} refused=${refused.size} duplicates=${duplicates} lost=${lost + refusedButPosted} overpaid=${overpaid}`,
  );
  console.log(
    `chaos detail: acknowledged=${acknowledged.size} giveUps=${tally.giveUps} statuses=${JSON.stringify(tally.statuses)} ` +
      `elapsedMs=${Date.now() - started}`,
  );
  if (duplicates > 0) {
    console.log(`chaos duplicates: ${JSON.stringify([...byKey].filter(([, ids]) => ids.length > 1))}`);
  }

  expect(wrongBalances).toEqual([]);
  expect(duplicates).toBe(0);
  expect(lost).toBe(0);
  expect(refusedButPosted).toBe(0);
  expect(overpaid).toBe(0);
  expect(tally.giveUps).toBe(0);
  expect(acknowledged.size + refused.size).toBe(PAYMENTS);
  expect(apiPayments).toHaveLength(acknowledged.size);
  // The racing really raced: some were refused, and only racing ones ever are.
  expect(refused.size).toBeGreaterThan(0);
  // The run must have met the faults it claims to survive.
  for (const kind of [
    "commit-then-fail",
    "commit-then-drop",
    "truncate-body",
    "invalid-json",
    "hang",
    "status:429",
    "status:503",
    "status:401",
    "token-outage",
    "latency",
  ]) {
    expect(faults[kind] ?? 0, kind).toBeGreaterThan(0);
  }
});

// Agents under faults: each prepares a payment, then commits its token until it gets a final
// answer, while ServiceTitan fails creates after applying them, drops connections, answers 503 and
// 429 (seeded), some agents lose a successful answer and commit again, and some fire two commits
// at once. Every token must end as exactly one payment in the ledger (found by the marker of the
// key the token derives) that took exactly its amount off its invoice, none lost, none overpaid. AGENT_PAYMENTS sets the size.
import { env } from "cloudflare:test";
import { markerFor } from "@st-edge/exactly-once/marker";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator, FAULT_HEADER, mulberry32 } from "@st-edge/simulator";
import { expect, it } from "vitest";
import { idempotencyKeyOf } from "../src/confirmation.ts";
import { callOk, callTool, deployment } from "./support.ts";

const TENANT = 1000001;
const PAYMENTS = Number(env.AGENT_PAYMENTS) || 24;
const sim = createSimulator();
const draw = mulberry32(20261202);
const FAULTS = ["commit-then-fail=503", "commit-then-drop", "status=503", "status=429;retry-after=0"];
const faultsSeen = new Map<string, number>();

/** The simulator with a seeded fault on a third of payment creates. */
const faulty: Fetcher = {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname.endsWith("/payments") && draw() < 0.33) {
      const fault = FAULTS[Math.floor(draw() * FAULTS.length)] ?? "status=503";
      faultsSeen.set(fault, (faultsSeen.get(fault) ?? 0) + 1);
      request.headers.set(FAULT_HEADER, fault);
    }
    return sim.fetch(request);
  },
  connect: () => {
    throw new Error("no sockets");
  },
};

// Its own timeout: the run's length grows with AGENT_PAYMENTS (200 agents take 25-40 s on a loaded
// 2-core machine), and it asserts no timing goal.
it(`${PAYMENTS} agents' payments under faults: one payment per token, none lost, none overpaid`, {
  timeout: 600_000,
}, async () => {
  const { env } = await deployment(sim, {}, { SERVICETITAN: faulty, IDEMPOTENCY_WAIT_MS: "200" });
  const healthy = await deployment(sim);
  // Agents share invoices once there are more of them than open invoices: they then race at
  // the invoice's gate too. Amounts stay below what an invoice's share of agents could overpay.
  const invoices = sim
    .ledger(TENANT)
    .invoices.filter(
      (invoice) => invoice.active && Decimal.parse(invoice.balance).compare(Decimal.parse("50.00")) >= 0,
    );
  const shares = Math.ceil(PAYMENTS / invoices.length);
  expect(shares * 9.99).toBeLessThan(50);
  let commits = 0;
  let lostAnswers = 0;
  const outcomes = await Promise.all(
    Array.from({ length: PAYMENTS }, async (_, index) => {
      const invoice = invoices[index % invoices.length] ?? invoices[0];
      if (!invoice) throw new Error("no open invoice");
      const amount = `${1 + (index % 9)}.${String(index % 100).padStart(2, "0")}`;
      const prepare = await callOk(healthy.env, "prepare_payment", {
        invoiceId: invoice.id,
        amount,
        paymentType: "Cash",
      });
      const token = prepare.confirmationToken as string;
      const commit = () => {
        commits++;
        return callTool(env, "commit_payment", { confirmationToken: token });
      };
      for (let attempt = 0; attempt < 40; attempt++) {
        // Some agents fire the same commit twice at once.
        const answers = index % 5 === 0 ? await Promise.all([commit(), commit()]) : [await commit()];
        const posted = answers.find((answer) => !answer.isError);
        if (posted && !(index % 4 === 0 && attempt === 0))
          return { invoice, token, amount, answer: posted.body };
        if (posted) lostAnswers++;
        const final = answers.find((answer) => answer.isError && answer.body.retryable !== true);
        if (final && !posted) return { invoice, token, amount, refused: final.body };
      }
      return { invoice, token, amount };
    }),
  );
  let duplicates = 0;
  let lost = 0;
  for (const outcome of outcomes) {
    const marker = await markerFor(TENANT, await idempotencyKeyOf(outcome.token));
    const payments = sim.ledger(TENANT).payments.filter((payment) => payment.memo?.includes(marker));
    duplicates += Math.max(0, payments.length - 1);
    if (!("answer" in outcome) || payments.length === 0) lost++;
    else expect(outcome.answer?.payment).toMatchObject({ id: payments[0]?.id });
    expect(outcome, JSON.stringify(outcome)).not.toHaveProperty("refused");
  }
  // Exactly the agents' payments came off each invoice, and none is below zero.
  let overpaid = 0;
  for (const invoice of invoices) {
    const paid = outcomes
      .filter((outcome) => outcome.invoice.id === invoice.id)
      .reduce((sum, outcome) => sum.plus(Decimal.parse(outcome.amount)), Decimal.ZERO);
    const now = Decimal.parse(sim.ledger(TENANT).invoices.find((i) => i.id === invoice.id)?.balance ?? "0");
    expect(now.toFixed(2)).toBe(Decimal.parse(invoice.balance).minus(paid).toFixed(2));
    if (now.compare(Decimal.ZERO) < 0) overpaid++;
  }
  const faults = Object.fromEntries([...faultsSeen].sort());
  console.info(
    `chaos: agents=${PAYMENTS} attempts=${commits} lost-answers=${lostAnswers} faults=${JSON.stringify(faults)} duplicates=${duplicates} lost=${lost} overpaid=${overpaid}`,
  );
  expect({ duplicates, lost, overpaid }).toEqual({ duplicates: 0, lost: 0, overpaid: 0 });
  expect(Object.keys(faults).length).toBeGreaterThanOrEqual(3);
});

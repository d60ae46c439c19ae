// Lost and refused answers on the create call: the payment must exist exactly once however
// ServiceTitan's answer is lost (commit-then-fail, commit-then-drop, hang → timeout), never be
// posted while its outcome is unknown, and never look like success when creates are unsupported.
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { callsHeld, expectProblem, faultsOnFirst, TEST_API_KEY, upstreamSeen } from "@st-edge/edge/testing";
import { type IdempotencyRecord, type IdempotencyStore, RETENTION_MS } from "@st-edge/exactly-once";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import {
  apiPaymentsOn,
  type CreatedBody,
  faultyEnv,
  freshKey,
  invoicePicker,
  isCreate,
  post,
  sleep,
  TENANT,
  type TestEnv,
  takenOff,
  testEnv,
} from "./support.ts";

const sim = createSimulator();
const nextInvoice = invoicePicker(sim);

/** Faults the first `times` create calls with `fault`; everything else passes. */
const createFault = (fault: string, times = 1) => faultsOnFirst(isCreate, fault, times);

/**
 * The idempotency store, with every call that records an attempt (`attempt`, or `begin` carrying
 * one) held by `hold`, which is told the attempt.
 */
const attemptsHeld = (
  namespace: TestEnv["IDEMPOTENCY"],
  hold: (attempt: { sendBy: number }) => Promise<void>,
) =>
  callsHeld(
    callsHeld(namespace, "attempt", (input) => hold(input as { sendBy: number })),
    "begin",
    async (input) => {
      const { attempt } = input as { attempt?: { sendBy: number } };
      if (attempt) await hold(attempt);
    },
  );

const gate = (invoiceId: number) =>
  env.INVOICE_GATES.get(env.INVOICE_GATES.idFromName(`simulator:${TENANT}:invoice:${invoiceId}`));

function record(e: TestEnv, key: string): Promise<IdempotencyRecord | null> {
  const stub = e.IDEMPOTENCY.get(e.IDEMPOTENCY.idFromName(`simulator:${TENANT}:${key}`));
  return stub.inspect();
}

describe("lost answers to the create call", () => {
  it.each(["commit-then-fail=500", "commit-then-fail=502", "commit-then-drop"])(
    "%s: reconciled to the one payment, which the retry replays",
    async (fault) => {
      const e = await faultyEnv(sim, createFault(fault));
      const invoice = nextInvoice();
      const key = freshKey(fault);
      const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "7.25", memo: "lost answer" };

      const first = await post(e, key, body);
      expect(first.status).toBe(201);
      const created: CreatedBody = await first.json();
      expect(created).toMatchObject({
        amount: "7.25",
        memo: "lost answer",
        splits: [{ invoiceId: invoice.id, amount: "7.25" }],
      });

      const retry = await post(e, key, body);
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(((await retry.json()) as CreatedBody).id).toBe(created.id);

      expect(apiPaymentsOn(sim, invoice.id).map((p) => p.id)).toEqual([created.id]);
      expect(takenOff(sim, invoice.id)).toBe("7.25");
    },
  );

  it("hang → timeout: not committed, proven absent, so the retry posts it once", async () => {
    const e = await faultyEnv(sim, createFault("hang"));
    const invoice = nextInvoice();
    const key = freshKey("hang");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "3.00" };

    const first = await post(e, key, body);
    await expectProblem(first, 503, "upstream-unavailable");
    expect(first.headers.get("Retry-After")).toBe("1");
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
    expect(await record(e, key)).toMatchObject({ state: "pending", attempts: 1, leaseId: null });

    const retry = await post(e, key, body);
    expect(retry.status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(takenOff(sim, invoice.id)).toBe("3.00");
  });

  it("cuts a hanging create off at the sendBy it recorded, however long recording took", async () => {
    // A 3 s budget (2.25 s before the answer's reserve): sendBy is at most 1.75 s after the claim.
    // The send starts 1 s late; its 600 ms per-call timeout ends before sendBy, and the create is
    // cut off then: never after the instant recorded as the end of its sending.
    const base = await faultyEnv(sim, createFault("hang"), {
      REQUEST_BUDGET_MS: "3000",
      ST_TIMEOUT_MS: "600",
    });
    let sendBy = 0;
    let cutOffAt = 0;
    const e = {
      ...base,
      IDEMPOTENCY: attemptsHeld(base.IDEMPOTENCY, async (attempt) => {
        sendBy = attempt.sendBy;
        await sleep(1_000);
      }),
      SERVICETITAN: upstreamSeen(base.SERVICETITAN, (request) => {
        if (isCreate(request)) cutOffAt = Date.now();
      }),
    };
    const invoice = nextInvoice();
    const first = await post(e, freshKey("send-by"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "3.05",
    });
    expect(first.status).toBe(503);
    expect(sendBy).toBeGreaterThan(0);
    expect(cutOffAt).toBeGreaterThan(0);
    expect(cutOffAt).toBeLessThanOrEqual(sendBy + 50);
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
  });

  it("sends nothing when too little of the window is left once the attempt is recorded: retryable, the key as new, and the retry posts once", async () => {
    // A 2.5 s budget: sendBy 1.25 s after the claim, and recording takes 1 s of it, which leaves
    // less than the 300 ms a create gets (ST_TIMEOUT_MS in tests).
    const base = await testEnv(sim, { REQUEST_BUDGET_MS: "2500" });
    let creates = 0;
    let slow = true;
    const e = {
      ...base,
      IDEMPOTENCY: attemptsHeld(base.IDEMPOTENCY, async () => {
        if (slow) await sleep(1_000);
        slow = false;
      }),
      SERVICETITAN: upstreamSeen(base.SERVICETITAN, (request) => {
        if (isCreate(request)) creates++;
      }),
    };
    const invoice = nextInvoice();
    const key = freshKey("window-closed");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "3.15" };
    const first = await post(e, key, body);
    await expectProblem(first, 504, "upstream-timeout");
    expect(creates).toBe(0);
    // The attempt was taken back, and so was the reservation: nothing of it is left.
    expect(await record(e, key)).toBeNull();
    expect((await gate(invoice.id).inspect())?.reservations).toEqual([]);

    const retry = await post(e, key, body);
    expect(retry.status).toBe(201);
    expect(creates).toBe(1);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("an unreadable 2xx (no payment id) is settled like a lost answer", async () => {
    const e = await testEnv(sim, {
      SERVICETITAN: {
        fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
          const request = new Request(input, init);
          const response = await sim.fetch(request);
          return isCreate(request) ? Response.json({ unexpected: true }) : response;
        },
        connect: () => {
          throw new Error("no sockets");
        },
      } as unknown as Fetcher,
    });
    const invoice = nextInvoice();
    const response = await post(e, freshKey("garbled"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "2.00",
    });
    expect(response.status).toBe(201);
    const [payment, ...others] = apiPaymentsOn(sim, invoice.id);
    expect(others).toEqual([]);
    expect(((await response.json()) as CreatedBody).id).toBe(payment?.id);
  });

  it("when the lookup fails too: 503, the record stays unsettled, and the retry reconciles instead of posting", async () => {
    let failReads = true;
    const e = await faultyEnv(sim, (request) => {
      if (isCreate(request)) return failReads ? "commit-then-drop" : undefined;
      if (failReads && request.method === "GET" && new URL(request.url).pathname.endsWith("/payments"))
        return "status=500";
      return undefined;
    });
    const invoice = nextInvoice();
    const key = freshKey("unsettled");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "9.99" };

    const first = await post(e, key, body);
    await expectProblem(first, 503, "payment-outcome-unknown");
    expect(Number(first.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await record(e, key)).toMatchObject({ state: "posting", attempts: 1, leaseId: null });
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);

    failReads = false;
    const creates = sim.stats().calls.Payments_Create ?? 0;
    const retry = await post(e, key, body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(sim.stats().calls.Payments_Create ?? 0).toBe(creates);
    const [payment, ...others] = apiPaymentsOn(sim, invoice.id);
    expect(others).toEqual([]);
    expect(((await retry.json()) as CreatedBody).id).toBe(payment?.id);
    expect(await record(e, key)).toMatchObject({ state: "succeeded", resultId: payment?.id });
  });
});

describe("definite refusals", () => {
  it.each(["status=503", "status=500", "status=502"])(
    "%s before commit, then a retry: one payment",
    async (fault) => {
      const e = await faultyEnv(sim, createFault(fault));
      const invoice = nextInvoice();
      const key = freshKey(fault);
      const body = { paymentType: "Check", invoiceId: invoice.id, amount: "2.50" };
      await expectProblem(await post(e, key, body), 503, "upstream-unavailable");
      expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
      expect((await post(e, key, body)).status).toBe(201);
      expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    },
  );

  it("429 on the create: answered 429 with Retry-After, key released, retry posts once", async () => {
    const e = await faultyEnv(sim, createFault("status=429;retry-after=3"));
    const invoice = nextInvoice();
    const key = freshKey("429");
    const body = { paymentType: "Check", invoiceId: invoice.id, amount: "2.75" };
    const limited = await post(e, key, body);
    await expectProblem(limited, 429, "upstream-rate-limited");
    expect(limited.headers.get("Retry-After")).toBe("3");
    expect(await record(e, key)).toMatchObject({ state: "pending", leaseId: null });
    expect((await post(e, key, body)).status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it.each([404, 405])(
    "upstream %i: payment-creation-unsupported (501), stored as final, never success",
    async (status) => {
      const e = await faultyEnv(sim, createFault(`status=${status}`, 5));
      const invoice = nextInvoice();
      const key = freshKey(`unsupported-${status}`);
      const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.00" };
      const first = await expectProblem(await post(e, key, body), 501, "payment-creation-unsupported");
      expect(first.traceId).toEqual(expect.any(String));
      const replayed = await post(e, key, body);
      expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
      await expectProblem(replayed, 501, "payment-creation-unsupported");
      expect(await record(e, key)).toMatchObject({ state: "failed", resultId: null });
      expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
    },
  );

  it("ServiceTitan's 400 is final: stored and replayed, not re-posted", async () => {
    const e = await faultyEnv(sim, createFault("status=400", 5));
    const invoice = nextInvoice();
    const key = freshKey("400");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.00" };
    await expectProblem(await post(e, key, body), 422, "upstream-rejected");
    const creates = sim.stats().calls.Payments_Create ?? 0;
    const replayed = await post(e, key, body);
    await expectProblem(replayed, 422, "upstream-rejected");
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
    expect(sim.stats().calls.Payments_Create ?? 0).toBe(creates);
  });
});

describe("concurrency and takeover", () => {
  it("20 concurrent requests with one key: one payment, every caller gets its id", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("concurrent");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.11" };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(e, key, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as CreatedBody).id)));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(19);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(takenOff(sim, invoice.id)).toBe("1.11");
  });

  it("answers a posted payment before recording it; a same-key retry meanwhile waits for the record and replays it", async () => {
    const base = await testEnv(sim);
    let allowRecording!: () => void;
    const recordingAllowed = new Promise<void>((resolve) => {
      allowRecording = resolve;
    });
    const e = { ...base, IDEMPOTENCY: callsHeld(base.IDEMPOTENCY, "succeed", () => recordingAllowed) };
    const invoice = nextInvoice();
    const key = freshKey("answer-first");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "2.25" };
    const ctx = createExecutionContext();
    const answer = await worker.fetch(
      new Request("https://worker.test/payments", {
        method: "POST",
        headers: {
          Authorization: `Bearer ${TEST_API_KEY}`,
          "Content-Type": "application/json",
          "Idempotency-Key": key,
        },
        body: JSON.stringify(body),
      }),
      e,
      ctx,
    );
    expect(answer.status).toBe(201);
    const created = (await answer.json()) as CreatedBody;
    // Answered, not yet recorded: the key is still the first request's.
    expect((await record(base, key))?.state).toBe("posting");
    const retry = post(e, key, body);
    allowRecording();
    await waitOnExecutionContext(ctx);
    const replayed = await retry;
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await replayed.json()) as CreatedBody).id).toBe(created.id);
    expect((await record(base, key))?.state).toBe("succeeded");
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("past the wait bound, concurrent callers get 409 + Retry-After, and retrying converges on one payment", async () => {
    const e = await faultyEnv(sim, createFault("latency=250"), {
      IDEMPOTENCY_WAIT_MS: "20",
      ST_TIMEOUT_MS: "2000",
    });
    const invoice = nextInvoice();
    const key = freshKey("busy");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.50" };
    const first = await Promise.all(Array.from({ length: 20 }, () => post(e, key, body)));
    const busy = first.filter((r) => r.status === 409);
    expect(busy.length).toBeGreaterThan(0);
    for (const response of busy) {
      expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      await expectProblem(response, 409, "idempotency-key-in-use");
    }
    const ids = new Set<number>();
    for (const response of first.filter((r) => r.status === 201))
      ids.add(((await response.json()) as CreatedBody).id);
    for (let i = 0; i < busy.length; i++) {
      let retry = await post(e, key, body);
      for (let n = 0; retry.status === 409 && n < 50; n++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        retry = await post(e, key, body);
      }
      expect(retry.status).toBe(201);
      ids.add(((await retry.json()) as CreatedBody).id);
    }
    expect(ids.size).toBe(1);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("a dead owner's expired lease is taken over, and the new owner reconciles before posting", async () => {
    // First request: the create commits but its answer and every lookup fail, so the record
    // stays "posting". Then pretend that request died holding the lease, long ago.
    let broken = true;
    const e = await faultyEnv(sim, (request) => {
      if (!broken) return undefined;
      if (isCreate(request)) return "commit-then-fail=503";
      return request.method === "GET" && new URL(request.url).pathname.endsWith("/payments")
        ? "status=503"
        : undefined;
    });
    const invoice = nextInvoice();
    const key = freshKey("takeover");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "6.00" };
    await expectProblem(await post(e, key, body), 503, "payment-outcome-unknown");
    const stub = e.IDEMPOTENCY.get(e.IDEMPOTENCY.idFromName(`simulator:${TENANT}:${key}`));
    await runInDurableObject(stub, (_: IdempotencyStore, state) => {
      const stored = state.storage.kv.get<IdempotencyRecord>("record");
      if (!stored) throw new Error("no record");
      state.storage.kv.put("record", {
        ...stored,
        leaseId: "dead-request",
        leaseExpiresAt: Date.now() + 60_000,
      });
    });
    broken = false;
    // While the dead owner's lease holds: busy.
    const shortWait = { ...e, IDEMPOTENCY_WAIT_MS: "0" };
    await expectProblem(await post(shortWait, key, body), 409, "idempotency-key-in-use");
    await runInDurableObject(stub, (_: IdempotencyStore, state) => {
      const stored = state.storage.kv.get<IdempotencyRecord>("record");
      if (!stored) throw new Error("no record");
      state.storage.kv.put("record", { ...stored, leaseExpiresAt: Date.now() - 1 });
    });
    const creates = sim.stats().calls.Payments_Create ?? 0;
    const taken = await post(e, key, body);
    expect(taken.status).toBe(201);
    expect(sim.stats().calls.Payments_Create ?? 0).toBe(creates);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(takenOff(sim, invoice.id)).toBe("6.00");
  });

  it("retention: the alarm keeps records for 48 h after their last change, and unsettled ones until settled", async () => {
    const e = await testEnv(sim);
    const stub = e.IDEMPOTENCY.get(e.IDEMPOTENCY.idFromName(`retention-${crypto.randomUUID()}`));
    await stub.begin({ hash: "h", leaseMs: 1, waitMs: 0 });
    const old = Date.now() - RETENTION_MS - 1;
    const afterAlarm = (change: Partial<IdempotencyRecord>) =>
      runInDurableObject(stub, async (instance: IdempotencyStore, state) => {
        const stored = state.storage.kv.get<IdempotencyRecord>("record");
        if (!stored) throw new Error("no record");
        state.storage.kv.put("record", { ...stored, ...change });
        await instance.alarm();
        return {
          record: state.storage.kv.get<IdempotencyRecord>("record"),
          alarm: await state.storage.getAlarm(),
        };
      });
    expect(
      await runInDurableObject(stub, (_: IdempotencyStore, state) => state.storage.getAlarm()),
    ).toBeGreaterThan(Date.now() + RETENTION_MS - 60_000);
    // Recently changed: kept, alarm moved to 48 h after the change.
    const recent = await afterAlarm({ updatedAt: Date.now() - 1_000 });
    expect(recent.record).toBeDefined();
    expect(recent.alarm).toBeGreaterThan(Date.now() + RETENTION_MS - 60_000);
    // Old but unsettled: kept.
    const unsettled = await afterAlarm({
      state: "posting",
      attempts: 1,
      leaseId: null,
      leaseExpiresAt: 0,
      updatedAt: old,
    });
    expect(unsettled.record?.state).toBe("posting");
    // Old and settled: deleted.
    const settled = await afterAlarm({
      state: "succeeded",
      response: { status: 201, body: "{}" },
      updatedAt: old,
    });
    expect(settled.record).toBeUndefined();
  });
});

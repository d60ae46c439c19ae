// The per-invoice gate against the simulator: concurrent payments with different keys on one
// invoice are decided one after another (none overpays); a payment over several invoices takes
// them in one order (no deadlock); payments on unrelated invoices do not wait on each other;
// PATCH of splits goes through the same gates; a write of ours that reads do not show yet
// still counts against the balance; and the invoice read sent while the gate is being taken is
// used only when the gate vouches for it.

import { env } from "cloudflare:test";
import { expectProblem, readServiceTitan, readThenGate, upstreamSeen } from "@st-edge/edge/testing";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  apiPaymentsOn,
  type CreatedBody,
  call,
  faultyEnv,
  freshKey,
  invoiceOf,
  invoicePicker,
  isCreate,
  openInvoices,
  post,
  sameCustomerInvoices,
  TENANT,
  testEnv,
} from "./support.ts";

const sim = createSimulator();
const taken = new Set<number>();
const nextInvoice = invoicePicker(sim, "200.00", taken);

const json = (body: unknown): RequestInit => ({
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

/** What is left on an invoice in ServiceTitan, exactly. */
const balanceOf = (invoiceId: number) => Decimal.parse(invoiceOf(sim, invoiceId).balance);

const gate = (invoiceId: number) =>
  env.INVOICE_GATES.get(env.INVOICE_GATES.idFromName(`simulator:${TENANT}:invoice:${invoiceId}`));

describe("different keys on one invoice", () => {
  it("five concurrent payments that together exceed the balance: only those that fit are posted", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const balance = balanceOf(invoice.id);
    // Two fit, a third would overpay: amount × 2 ≤ balance < amount × 3.
    const amount = balance.times(Decimal.parse("0.4")).round(2, "half-up");
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        post(e, freshKey(`race-${n}`), {
          paymentType: "Cash",
          invoiceId: invoice.id,
          amount: amount.toFixed(2),
        }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 201, 422, 422, 422]);
    for (const refused of responses.filter((response) => response.status === 422)) {
      await expectProblem(refused, 422, "overpayment");
    }
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(2);
    expect(balanceOf(invoice.id).toFixed(2)).toBe(balance.minus(amount).minus(amount).toFixed(2));
    expect(balanceOf(invoice.id).isNegative()).toBe(false);
  });

  it("holds the amount of a create whose outcome is unknown, so another key cannot take it meanwhile", async () => {
    const invoice = nextInvoice();
    const balance = balanceOf(invoice.id);
    const first = balance.minus(Decimal.parse("10.00"));
    // The create hangs (cut off, never committed) and the lookup that would settle it fails too:
    // the outcome stays unknown, and so does the reservation on the invoice.
    const isPaymentRead = (request: Request) =>
      request.method === "GET" && new URL(request.url).pathname.endsWith("/payments");
    const broken = await faultyEnv(sim, (request) =>
      isCreate(request) ? "hang" : isPaymentRead(request) ? "status=503" : undefined,
    );
    const key = freshKey("unknown");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: first.toFixed(2) };
    await expectProblem(await post(broken, key, body), 503, "payment-outcome-unknown");
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);

    // ServiceTitan still shows the whole balance, but 20.00 no longer fits: the first may have landed.
    const e = await testEnv(sim);
    const second = await post(e, freshKey("meanwhile"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "20.00",
    });
    const problem = await expectProblem(second, 422, "overpayment");
    expect(String(problem.detail)).toContain("still being recorded");
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);

    // The first key's retry settles it (absent), posts it once, and 10.00 is all that is left.
    expect((await post(e, key, body)).status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(balanceOf(invoice.id).toFixed(2)).toBe("10.00");
    expect(
      (await post(e, freshKey("rest"), { paymentType: "Cash", invoiceId: invoice.id, amount: "10.00" }))
        .status,
    ).toBe(201);
  });
  it("one request, one answer: a duplicate of a refused request gets the refusal, even once the balance frees up", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const most = balanceOf(invoice.id).minus(Decimal.parse("10.00"));
    const first = await post(e, freshKey("most"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: most.toFixed(2),
    });
    const payment: CreatedBody = await first.json();
    const key = freshKey("refused");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "20.00" };
    await expectProblem(await post(e, key, body), 422, "overpayment");

    // The first payment now applies 1.00 to the invoice: 20.00 would fit.
    const patched = await call(e, `/payments/${payment.id}`, {
      method: "PATCH",
      ...json({ splits: [{ invoiceId: invoice.id, amount: "1.00" }] }),
    });
    expect(patched.status).toBe(200);
    // The same request again (an automation that fired twice) is answered as the first was.
    const duplicate = await post(e, key, body);
    expect(duplicate.headers.get("Idempotent-Replayed")).toBe("true");
    await expectProblem(duplicate, 422, "overpayment");
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    // A changed request under the same key is checked afresh.
    expect((await post(e, key, { ...body, memo: "second look" })).status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(2);
  });
});

describe("several invoices", () => {
  it("payments over the same two invoices in opposite orders both finish (one fixed order, no deadlock)", async () => {
    const e = await testEnv(sim);
    const [a, b] = await sameCustomerInvoices(sim, taken);
    const [ab, ba] = await Promise.all([
      post(e, freshKey("ab"), {
        paymentType: "Cash",
        splits: [
          { invoiceId: a.id, amount: "1.00" },
          { invoiceId: b.id, amount: "2.00" },
        ],
      }),
      post(e, freshKey("ba"), {
        paymentType: "Cash",
        splits: [
          { invoiceId: b.id, amount: "3.00" },
          { invoiceId: a.id, amount: "4.00" },
        ],
      }),
    ]);
    expect([ab.status, ba.status]).toEqual([201, 201]);
    expect(apiPaymentsOn(sim, a.id)).toHaveLength(2);
    expect(apiPaymentsOn(sim, b.id)).toHaveLength(2);
    // Let go afterwards: nobody holds either gate.
    expect((await gate(a.id).inspect())?.holder ?? null).toBeNull();
    expect((await gate(b.id).inspect())?.holder ?? null).toBeNull();
  });

  it("a payment on an unrelated invoice does not wait for a slow one", async () => {
    const [slow, quick] = [nextInvoice(), nextInvoice()];
    const e = await testEnv(sim);
    const slowEnv = await faultyEnv(sim, (request) => (isCreate(request) ? "latency=600" : undefined), {
      ST_TIMEOUT_MS: "5000",
    });
    const order: string[] = [];
    const slowPost = post(slowEnv, freshKey("slow"), {
      paymentType: "Cash",
      invoiceId: slow.id,
      amount: "1.00",
    }).then((response) => {
      order.push("slow");
      return response;
    });
    // Give the slow one time to take its gate and start its create.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const quickPost = await post(e, freshKey("quick"), {
      paymentType: "Cash",
      invoiceId: quick.id,
      amount: "1.00",
    });
    order.push("quick");
    expect(quickPost.status).toBe(201);
    expect((await slowPost).status).toBe(201);
    expect(order).toEqual(["quick", "slow"]);
  });
});

describe("PATCH of splits", () => {
  it("goes through the gates: a concurrent payment and a PATCH on one invoice never overpay it", async () => {
    const e = await testEnv(sim);
    // A payment moves only between invoices of its customer.
    const [home, target] = await sameCustomerInvoices(sim, taken);
    const targetBalance = balanceOf(target.id);
    // A payment on `home`, big enough to cover most of `target`.
    const moving = targetBalance.minus(Decimal.parse("1.00"));
    const created = await post(e, freshKey("mover"), {
      paymentType: "Cash",
      invoiceId: home.id,
      amount: moving.toFixed(2),
      allowOverpayment: true,
    });
    expect(created.status).toBe(201);
    const payment: CreatedBody = await created.json();
    // Move it onto `target` while another caller pays `target` 2.00: one of them must be refused.
    // Slow writes: both checks would happen before either write without the gate.
    const isWrite = (request: Request) =>
      (request.method === "POST" || request.method === "PATCH") &&
      /\/payments(\/\d+)?$/.test(new URL(request.url).pathname);
    const slow = await faultyEnv(sim, (request) => (isWrite(request) ? "latency=250" : undefined), {
      ST_TIMEOUT_MS: "5000",
    });
    const [patched, paid] = await Promise.all([
      call(slow, `/payments/${payment.id}`, {
        method: "PATCH",
        ...json({ splits: [{ invoiceId: target.id, amount: moving.toFixed(2) }] }),
      }),
      post(slow, freshKey("racer"), { paymentType: "Cash", invoiceId: target.id, amount: "2.00" }),
    ]);
    // Whichever went first wins; the other is refused, never both applied.
    const outcomes = [
      patched.status === 200 ? "patched" : patched.status,
      paid.status === 201 ? "paid" : paid.status,
    ];
    expect(outcomes.filter((outcome) => outcome === 422)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "patched" || outcome === "paid")).toHaveLength(1);
    expect(balanceOf(target.id).isNegative()).toBe(false);
  });

  it("answers what ServiceTitan holds: the amount, the splits and what they leave unapplied", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const created = await post(e, freshKey("patch-amount"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "25.00",
    });
    const payment: CreatedBody = await created.json();
    const patched = await call(e, `/payments/${payment.id}`, {
      method: "PATCH",
      ...json({ splits: [{ invoiceId: invoice.id, amount: "20.00" }] }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      id: payment.id,
      amount: "25.00",
      splits: [{ invoiceId: invoice.id, amount: "20.00" }],
      unappliedAmount: "5.00",
    });
    const [stored] = apiPaymentsOn(sim, invoice.id);
    expect(stored).toMatchObject({ total: "25.00", unappliedAmount: "5.00" });
    // A read says the same.
    expect(await (await call(e, `/payments/${payment.id}`)).json()).toMatchObject({
      amount: "25.00",
      unappliedAmount: "5.00",
    });
  });
});

describe("the invoice read sent while the key and the gate are being claimed", () => {
  it("goes out before the gate is taken, and is the post's one read when the invoice was quiet", async () => {
    const { env: e, events } = readThenGate(await testEnv(sim), { until: "read" });
    const invoice = nextInvoice();
    const response = await post(e, freshKey("ahead"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "3.10",
    });
    expect(response.status).toBe(201);
    expect(events).toEqual(["invoice read", "gate acquire"]);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("is not used when another write of ours landed and was read while it was under way: read again, no overpayment", async () => {
    const others = await testEnv(sim);
    const { env: late, read, release: allowGate } = readThenGate(others, { until: "released" });
    const invoice = nextInvoice();
    const balance = balanceOf(invoice.id);
    const body = { paymentType: "Cash", invoiceId: invoice.id };

    // The late post's read shows the whole balance; then, before it holds the gate, another key
    // takes all but 10.00 and a check reads that payment, which ends its reservation.
    const latePost = post(late, freshKey("ahead-late"), { ...body, amount: "20.00" });
    await read;
    const first = await post(others, freshKey("ahead-first"), {
      ...body,
      amount: balance.minus(Decimal.parse("10.00")).toFixed(2),
    });
    expect(first.status).toBe(201);
    const check = await call(others, "/payments/check", {
      method: "POST",
      ...json({ ...body, amount: "1.00" }),
    });
    expect(check.status).toBe(200);
    expect((await gate(invoice.id).inspect())?.reservations).toEqual([]);

    allowGate();
    await expectProblem(await latePost, 422, "overpayment");
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(balanceOf(invoice.id).toFixed(2)).toBe("10.00");
  });
});

describe("the invoice read sent while the key and the gate are being claimed, and gated writes that reserve nothing", () => {
  it("is not used when another writer held the gate meanwhile: read again, the payment decides on the invoice as it is", async () => {
    const { env: late, read, release: allowGate } = readThenGate(await testEnv(sim), { until: "released" });
    // Pending (not posted or exported): its items can still change.
    const invoice = openInvoices(sim, "200.00").find((i) => !taken.has(i.id) && i.syncStatus === "Pending");
    if (!invoice) throw new Error("no open pending invoice");
    taken.add(invoice.id);
    const over = balanceOf(invoice.id).plus(Decimal.parse("5.00")).toFixed(2);
    const latePost = post(late, freshKey("ahead-held"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: over,
    });
    await read;

    // Meanwhile a writer that reserves nothing (an item added: the total only grows) takes the
    // gate, changes the invoice in ServiceTitan and lets the gate go.
    const other = await gate(invoice.id).acquire({ leaseMs: 10_000, waitMs: 0 });
    if (other.kind !== "acquired") throw new Error("the gate was not free");
    const added = await readServiceTitan(sim, `/invoices/${invoice.id}/items`, {
      init: {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          skuName: "SVC-DIAG",
          description: "Added meanwhile",
          quantity: 1,
          unitPrice: 10,
        }),
      },
    });
    expect(added.status, await added.clone().text()).toBe(200);
    const raised = balanceOf(invoice.id);
    await gate(invoice.id).finish({ lease: other.lease });

    allowGate();
    const response = await latePost;
    expect(response.status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(balanceOf(invoice.id).toFixed(2)).toBe(raised.minus(Decimal.parse(over)).toFixed(2));
  });
});

describe("a check just before a post, on the same invoice", () => {
  it("holds the gate without sending anything, so the post still uses its read sent ahead: one read", async () => {
    const base = await testEnv(sim);
    let invoiceReads = 0;
    const e = {
      ...base,
      SERVICETITAN: upstreamSeen(base.SERVICETITAN, (request) => {
        if (request.method === "GET" && new URL(request.url).pathname.endsWith("/invoices")) invoiceReads++;
      }),
    };
    const invoice = nextInvoice();
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "2.20" };
    const check = await call(e, "/payments/check", { method: "POST", ...json(body) });
    expect(check.status).toBe(200);
    invoiceReads = 0;
    expect((await post(e, freshKey("after-check"), body)).status).toBe(201);
    expect(invoiceReads).toBe(1);
  });
});

describe("the attempt and the reservation recorded with the claim", () => {
  const keyRecord = (key: string) =>
    env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`simulator:${TENANT}:${key}`)).inspect();

  it("are taken back when a check refuses: the key keeps only the refusal, the gate nothing, and another key pays at once", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("claim-refused");
    const over = balanceOf(invoice.id).plus(Decimal.parse("1.00")).toFixed(2);
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: over };
    await expectProblem(await post(e, key, body), 422, "overpayment");

    const stored = await keyRecord(key);
    expect(stored).toMatchObject({ state: "pending", attempts: 0, firstAttemptAt: null, leaseId: null });
    expect(stored?.recentRefusal?.response.status).toBe(422);
    expect((await gate(invoice.id).inspect())?.reservations ?? []).toEqual([]);
    // Its duplicate is answered the same; a payment that fits goes through, nothing held against it.
    await expectProblem(await post(e, key, body), 422, "overpayment");
    const fits = await post(e, freshKey("claim-fits"), { ...body, amount: "5.00" });
    expect(fits.status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("leave a landed payment's reservation as it is when the same key comes again", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("claim-again");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "4.20" };
    expect((await post(e, key, body)).status).toBe(201);
    const landed = (await gate(invoice.id).inspect())?.reservations;
    expect(landed).toMatchObject([{ outcome: "applied", amount: "4.20" }]);

    const again = await post(e, key, body);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    // Not replaced by the retry's own (unknown) reservation, nor withdrawn when it let go.
    expect((await gate(invoice.id).inspect())?.reservations).toEqual(landed);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });
});

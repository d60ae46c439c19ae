// POST /payments against the simulator, no faults: the happy path, replays, key reuse, and every
// check that must refuse a payment before anything is posted.
import { expectProblem } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  apiPaymentsOn,
  type CreatedBody,
  call,
  freshKey,
  invoiceOf,
  invoicePicker,
  OTHER_TENANT,
  openInvoices,
  post,
  sameCustomerInvoices,
  TENANT,
  takenOff,
  testEnv,
} from "./support.ts";

const sim = createSimulator();
const taken = new Set<number>();
const nextInvoice = invoicePicker(sim, "50.00", taken);

describe("POST /payments", () => {
  it("posts once and replays the same answer to a retry", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("happy");
    const body = {
      paymentType: "Check",
      invoiceId: invoice.id,
      amount: "12.34",
      memo: "Zap run 1",
      checkNumber: "1001",
    };

    const first = await post(e, key, body);
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const created: CreatedBody = await first.json();
    expect(created).toMatchObject({
      amount: "12.34",
      memo: "Zap run 1",
      checkNumber: "1001",
      idempotencyKey: key,
      splits: [{ invoiceId: invoice.id, amount: "12.34" }],
    });
    expect(created.marker).toMatch(/^\[ste:[0-9a-f]{16}\]$/);

    const [payment, ...others] = apiPaymentsOn(sim, invoice.id);
    expect(others).toEqual([]);
    expect(payment?.id).toBe(created.id);
    expect(payment?.memo).toBe(`Zap run 1 ${created.marker}`);
    expect(takenOff(sim, invoice.id)).toBe("12.34");

    // Same key and the same payment written differently: a replay, nothing new posted.
    const again = await post(e, key, {
      paymentType: "check",
      invoiceId: String(invoice.id),
      amount: 12.34,
      memo: "Zap run 1",
      checkNumber: "1001",
    });
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.json()).toEqual(created);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(takenOff(sim, invoice.id)).toBe("12.34");
  });

  it("posts splits over several invoices, by id and by number, exactly", async () => {
    const e = await testEnv(sim);
    const [a, b] = await sameCustomerInvoices(sim, taken);
    if (!b.referenceNumber) throw new Error("seed invoice without number");
    const response = await post(e, freshKey("splits"), {
      paymentType: "Credit Card",
      amount: "0.30",
      paidOn: "2026-01-31",
      status: "Posted",
      splits: [
        { invoiceId: a.id, amount: 0.1 },
        { invoiceNumber: b.referenceNumber, amount: "0.20" },
      ],
    });
    expect(response.status).toBe(201);
    const created: CreatedBody = await response.json();
    expect(created.amount).toBe("0.30");
    expect(created.status).toBe("Posted");
    expect(created.splits).toEqual([
      { invoiceId: a.id, amount: "0.10" },
      { invoiceId: b.id, amount: "0.20" },
    ]);
    expect(takenOff(sim, a.id)).toBe("0.10");
    expect(takenOff(sim, b.id)).toBe("0.20");
  });

  it("refuses the same key with a different body (422) and posts nothing", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("reuse");
    expect(
      (await post(e, key, { typeId: undefined, paymentType: "Cash", invoiceId: invoice.id, amount: "5.00" }))
        .status,
    ).toBe(201);
    const reused = await post(e, key, { paymentType: "Cash", invoiceId: invoice.id, amount: "6.00" });
    await expectProblem(reused, 422);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
    expect(takenOff(sim, invoice.id)).toBe("5.00");
  });

  it("refuses the key reused with another body before the first answer is final, too", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("reuse-404");
    // A refusal before posting (unknown invoice) frees the key: nothing was posted under it.
    await expectProblem(
      await post(e, key, { paymentType: "Cash", invoiceId: 9_999_999_999, amount: "5.00" }),
      404,
    );
    expect((await post(e, key, { paymentType: "Cash", invoiceId: invoice.id, amount: "5.00" })).status).toBe(
      201,
    );
    const body = await expectProblem(
      await post(e, key, { paymentType: "Cash", invoiceId: invoice.id, amount: "5.01" }),
      422,
    );
    expect(body.type).toBe("urn:st-edge:problem:idempotency-key-reused");
  });

  it("requires an Idempotency-Key", async () => {
    const e = await testEnv(sim);
    const body = await expectProblem(
      await post(e, null, { paymentType: "Cash", invoiceId: 1, amount: "1" }),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual([
      expect.objectContaining({
        in: "header",
        field: "idempotency-key",
        message: expect.stringContaining("is required"),
      }),
    ]);
    const tooLong = await expectProblem(
      await post(e, "k".repeat(256), { paymentType: "Cash", invoiceId: 1, amount: "1" }),
      400,
    );
    expect(JSON.stringify(tooLong.errors)).toContain("printable ASCII");
  });

  it("refuses placeholders and empty values with field errors, before calling ServiceTitan", async () => {
    const e = await testEnv(sim);
    const before = sim.stats().calls;
    const response = await post(e, freshKey("placeholders"), {
      paymentType: "{{1.type}}",
      amount: 0,
      memo: "",
      checkNumber: "undefined",
      authCode: "null",
      paidOn: "string",
      splits: [{ invoiceId: "{{1.invoice}}", amount: 0.1 + 0.2 }],
    });
    const body = await expectProblem(response, 400, "validation-failed");
    const fields = Object.fromEntries(
      (body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]),
    );
    expect(fields).toMatchObject({
      paymentType: "contains an unfilled template placeholder ({{...}})",
      amount: "must be greater than 0",
      memo: "must not be empty",
      checkNumber: '"undefined" is a placeholder, not a value',
      authCode: '"null" is a placeholder, not a value',
      paidOn: '"string" is a placeholder, not a value',
      "splits.0.invoiceId": "must be a positive integer",
      "splits.0.amount": "must have at most 2 decimal places",
    });
    expect(sim.stats().calls).toEqual(before);
  });

  it("answers 404 for an invoice of another tenant and posts nothing", async () => {
    const e = await testEnv(sim);
    const foreign = openInvoices(sim, "10.00", OTHER_TENANT)[0];
    if (!foreign) throw new Error("no invoice in the other tenant");
    const before = sim.ledger(OTHER_TENANT).payments.length;
    const body = await expectProblem(
      await post(e, freshKey("foreign"), { paymentType: "Cash", invoiceId: foreign.id, amount: "1.00" }),
      404,
      "invoice-not-found",
    );
    expect(body.errors).toEqual([expect.objectContaining({ field: "invoiceId" })]);
    expect(sim.ledger(OTHER_TENANT).payments).toHaveLength(before);
    expect(
      sim
        .ledger(TENANT)
        .payments.filter((p) => p.origin === "api" && p.splits.some((s) => s.invoiceId === foreign.id)),
    ).toEqual([]);
  });

  it("refuses overpayment unless allowOverpayment is set", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const over = `${invoice.balance.split(".")[0]}9.00`;
    const key = freshKey("over");
    const body = await expectProblem(
      await post(e, key, { paymentType: "Cash", invoiceId: invoice.id, amount: over }),
      422,
      "overpayment",
    );
    expect(String(body.detail)).toContain(invoice.balance);
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
    // A different body under the same key is fine: the refusal freed the key.
    const allowed = await post(e, key, {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: over,
      allowOverpayment: true,
    });
    expect(allowed.status).toBe(201);
    expect(takenOff(sim, invoice.id)).toBe(`${over}`);
  });

  it("answers 422 for an unknown payment type", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    await expectProblem(
      await post(e, freshKey("type"), { paymentType: "Bitcoin", invoiceId: invoice.id, amount: "1.00" }),
      422,
      "payment-type-unknown",
    );
    await expectProblem(
      await post(e, freshKey("type-id"), { typeId: 987654321, invoiceId: invoice.id, amount: "1.00" }),
      422,
      "payment-type-unknown",
    );
    // Inactive types count as unknown.
    await expectProblem(
      await post(e, freshKey("type-inactive"), {
        paymentType: "Gift Certificate",
        invoiceId: invoice.id,
        amount: "1.00",
      }),
      422,
      "payment-type-unknown",
    );
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
  });

  it("answers 422 for an inactive invoice", async () => {
    const e = await testEnv(sim);
    const inactive = sim.ledger(TENANT).invoices.find((invoice) => !invoice.active);
    if (!inactive) throw new Error("the seed has no inactive invoice");
    await expectProblem(
      await post(e, freshKey("inactive"), {
        paymentType: "Cash",
        invoiceId: inactive.id,
        amount: "1.00",
        allowOverpayment: true,
      }),
      422,
      "invoice-inactive",
    );
    expect(invoiceOf(sim, inactive.id).balance).toBe(inactive.balance);
  });
});

describe("text and numbers, one rule each", () => {
  it("counts a memo in UTF-16 code units, as ServiceTitan does: 232 emoji are too long, 116 fit", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const tooLong = await post(e, freshKey("emoji"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "1.00",
      memo: "😀".repeat(232),
    });
    const problem = await expectProblem(tooLong, 400, "validation-failed");
    expect(problem.errors).toEqual([expect.objectContaining({ in: "body", field: "memo" })]);
    const fits = await post(e, freshKey("emoji"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "1.00",
      memo: "😀".repeat(116),
    });
    expect(fits.status).toBe(201);
    const [payment] = apiPaymentsOn(sim, invoice.id);
    // The caller's 232 code units, a space and the 22-unit marker: ServiceTitan's 255.
    expect(payment?.memo?.length).toBe(255);
  });

  it("compares invoice numbers without case, in the lookup, the duplicate check and the fingerprint alike", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const number = invoice.referenceNumber ?? "";
    const key = freshKey("number-case");
    const lower = { paymentType: "Cash", invoiceNumber: number.toLowerCase(), amount: "1.00" };
    const first = await post(e, key, lower);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ splits: [{ invoiceId: invoice.id, amount: "1.00" }] });
    // The same payment with the number in capitals: a replay, not a different body.
    const again = await post(e, key, { ...lower, invoiceNumber: number.toUpperCase() });
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    const twice = await post(e, freshKey("number-case"), {
      paymentType: "Cash",
      splits: [
        { invoiceNumber: number.toLowerCase(), amount: "1.00" },
        { invoiceNumber: number.toUpperCase(), amount: "1.00" },
      ],
    });
    await expectProblem(twice, 400, "validation-failed");
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });
});

describe("a payment's cost, as Server-Timing tells it (SERVER_TIMING=on and X-Server-Timing: on)", () => {
  const counts = (response: Response) =>
    Object.fromEntries(
      (response.headers.get("Server-Timing") ?? "")
        .split(", ")
        .filter((entry) => entry.startsWith("n-"))
        .map((entry) => [entry.slice(2, entry.indexOf(";")), Number(entry.match(/desc="(\d+)"/)?.[1])]),
    );
  const timedPost = (e: Awaited<ReturnType<typeof testEnv>>, key: string, body: unknown) =>
    call(e, "/payments", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key, "X-Server-Timing": "on" },
      body: JSON.stringify(body),
    });

  it("is two upstream calls and four Durable Object requests in two parallel pairs; a replay the invoice read sent alongside its claim, its key and the gate taken alongside (let go after the answer)", async () => {
    const e = await testEnv(sim, { SERVER_TIMING: "on" });
    // Warm: the token and the payment types are in memory afterwards, as on a warm isolate.
    expect(
      (
        await timedPost(e, freshKey("cost"), {
          paymentType: "Cash",
          invoiceId: nextInvoice().id,
          amount: "1.00",
        })
      ).status,
    ).toBe(201);

    const invoice = nextInvoice();
    const key = freshKey("cost");
    const body = { paymentType: "Cash", invoiceId: invoice.id, amount: "1.00" };
    const first = await timedPost(e, key, body);
    expect(first.status).toBe(201);
    // Read the invoice (sent while the key is claimed and the gate taken), create; two Durable
    // Object round trips, each to the key and the invoice's gate at once: claim the key with the
    // attempt and take the gate with the reservation, then (after the answer; a timed request
    // waits for it) record the answer and finish the gate.
    expect(counts(first)).toEqual({ upstream: 2, do: 4, queue: 1 });
    const steps = (first.headers.get("Server-Timing") ?? "").split(", ").map((entry) => entry.split(";")[0]);
    expect(steps).toEqual(
      expect.arrayContaining([
        ...["claim", "key-begin", "gate-acquire", "checks", "st-GET-invoices", "token"],
        ...["send", "st-POST-payments", "after", "key-succeed", "gate-finish"],
      ]),
    );
    expect(steps).not.toContain("record");

    const replay = await timedPost(e, key, body);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    // The invoice read went out with the claim, before the key's answer was known; it is not used.
    expect(counts(replay)).toMatchObject({ do: 2, upstream: 1 });
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("by invoice number: the id is looked up first, so the attempt and the reservation are recorded after the checks", async () => {
    const e = await testEnv(sim, { SERVER_TIMING: "on" });
    const invoice = nextInvoice();
    const number = invoice.referenceNumber;
    if (!number) throw new Error("seeded invoices have numbers");
    const response = await timedPost(e, freshKey("cost-number"), {
      paymentType: "Cash",
      invoiceNumber: number,
      amount: "1.00",
    });
    expect(response.status).toBe(201);
    // The number lookup, the invoice read under the gate, the create; the key, then the gate,
    // then the attempt and the reservation, then the answer and the gate's finish.
    expect(counts(response)).toMatchObject({ upstream: 3, do: 6 });
    const steps = (response.headers.get("Server-Timing") ?? "")
      .split(", ")
      .map((entry) => entry.split(";")[0]);
    expect(steps).toEqual(expect.arrayContaining(["record", "key-attempt", "gate-reserve"]));
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  it("is absent where the deployment has not turned it on", async () => {
    const e = await testEnv(sim);
    const response = await timedPost(e, freshKey("cost-off"), {
      paymentType: "Cash",
      invoiceId: nextInvoice().id,
      amount: "1.00",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Server-Timing")).toBeNull();
  });
});

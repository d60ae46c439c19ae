// The shared input refusals (packages/edge) where they matter most: on a write, a refused
// request posts nothing. And request ids on the answers this worker builds itself (201, replays).
import { callWorker, expectProblem } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { apiPaymentsOn, freshKey, invoicePicker, post, type TestEnv, testEnv } from "./support.ts";

const sim = createSimulator();
const nextInvoice = invoicePicker(sim, "50.00");

const send = (e: TestEnv, path: string, key: string, body: string, requestId?: string) =>
  callWorker(worker, e, path, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": key,
      ...(requestId ? { "X-Request-Id": requestId } : {}),
    },
    body,
  });

describe("POST /payments refuses what it does not understand, and posts nothing", () => {
  // Found in use: POST /payments?dryRun=true posted a real payment.
  it("an unknown query parameter: 400 naming it; the same key then posts once", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("dry-run");
    const body = JSON.stringify({ paymentType: "Cash", invoiceId: invoice.id, amount: "10.00" });
    const refused = await send(e, "/payments?dryRun=true", key, body);
    const problem = await expectProblem(refused, 400, "validation-failed");
    expect(problem.errors).toEqual([expect.objectContaining({ in: "query", field: "dryRun" })]);
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
    // Nothing was recorded under the key either: the real request goes through.
    expect((await send(e, "/payments", key, body)).status).toBe(201);
    expect(apiPaymentsOn(sim, invoice.id)).toHaveLength(1);
  });

  // Found in use (on a quote): {"subtotal":"1.00","subtotal":"1000.00"} was read as 1000.00.
  it("a repeated key: 400 naming it", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const body = `{"paymentType":"Cash","invoiceId":${invoice.id},"amount":"1.00","amount":"40.00"}`;
    const problem = await expectProblem(
      await send(e, "/payments", freshKey("dup"), body),
      400,
      "validation-failed",
    );
    expect(problem.errors).toEqual([expect.objectContaining({ in: "body", field: "amount" })]);
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
  });

  // Found in use: memos stored NUL, ESC and U+202E.
  it.each([
    ["NUL", "memo", "a\u0000b"],
    ["ESC", "memo", "\u001b[2Jcleared"],
    ["U+202E", "checkNumber", "\u202e1001"],
  ])("%s in %s: 400 naming it", async (_, field, text) => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const body = JSON.stringify({
      paymentType: "Check",
      invoiceId: invoice.id,
      amount: "2.00",
      [field]: text,
    });
    const problem = await expectProblem(
      await send(e, "/payments", freshKey("ctl"), body),
      400,
      "validation-failed",
    );
    expect(problem.errors).toEqual([expect.objectContaining({ in: "body", field })]);
    expect(apiPaymentsOn(sim, invoice.id)).toEqual([]);
  });
});

describe("request ids on answers this worker builds itself", () => {
  // Found in use: X-Request-Id was missing on POST /payments 201s and replays.
  it("are on the 201, on its replay, and on a replayed refusal", async () => {
    const e = await testEnv(sim);
    const invoice = nextInvoice();
    const key = freshKey("request-id");
    const body = JSON.stringify({ paymentType: "Cash", invoiceId: invoice.id, amount: "3.00" });
    const created = await send(e, "/payments", key, body, "zap-run-1");
    expect(created.status).toBe(201);
    expect(created.headers.get("X-Request-Id")).toBe("zap-run-1");
    const replayed = await send(e, "/payments", key, body, "zap-run-2");
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replayed.headers.get("X-Request-Id")).toBe("zap-run-2");

    const overpaying = JSON.stringify({ paymentType: "Cash", invoiceId: invoice.id, amount: "999999.00" });
    const overKey = freshKey("request-id-refused");
    const refused = await send(e, "/payments", overKey, overpaying, "zap-run-3");
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.headers.get("X-Request-Id")).toBe("zap-run-3");
    const again = await send(e, "/payments", overKey, overpaying, "zap-run-4");
    expect(again.status).toBe(refused.status);
    expect(again.headers.get("X-Request-Id")).toBe("zap-run-4");
    const made = await post(e, freshKey("request-id-made"), {
      paymentType: "Cash",
      invoiceId: invoice.id,
      amount: "1.00",
    });
    expect(made.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

// The two-step writes through MCP against the real workers and simulator: a prepare never writes,
// a commit writes once however often it is retried, and a forged, expired, other-tenant,
// other-caller or other-tool token is refused as a tool error; every commit logs one audit line.

import { hashApiKey } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";
import { createSimulator, type LedgerInvoice } from "@st-edge/simulator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issueConfirmation } from "../src/confirmation.ts";
import {
  callOk,
  callRefused,
  callTool,
  deployment,
  OTHER_API_KEY,
  reissuedAt,
  TEST_API_KEY,
  TOKEN_SECRET,
} from "./support.ts";

const sim = createSimulator();
const TENANT = 1000001;

const taken = new Set<number>();
/** An open invoice no other test in this file pays. */
function openInvoice(minBalance = "100.00"): LedgerInvoice {
  const invoice = sim
    .ledger(TENANT)
    .invoices.find(
      (candidate) =>
        candidate.active &&
        !taken.has(candidate.id) &&
        Decimal.parse(candidate.balance).compare(Decimal.parse(minBalance)) >= 0,
    );
  if (!invoice) throw new Error("ran out of open invoices");
  taken.add(invoice.id);
  return invoice;
}

const apiPayments = () => sim.ledger(TENANT).payments.filter((payment) => payment.origin === "api");
const paymentsOn = (invoiceId: number) =>
  apiPayments().filter((payment) => payment.splits.some((split) => split.invoiceId === invoiceId));
const balanceOf = (invoiceId: number) =>
  sim.ledger(TENANT).invoices.find((invoice) => invoice.id === invoiceId)?.balance;

afterEach(() => vi.restoreAllMocks());

async function prepared(invoice: LedgerInvoice, amount = "25.00") {
  const deployed = await deployment(sim);
  const body = await callOk(deployed.env, "prepare_payment", {
    invoiceId: invoice.id,
    amount,
    paymentType: "check",
    checkNumber: "1042",
    memo: "paid by agent",
  });
  return { ...deployed, body, token: body.confirmationToken as string };
}

describe("prepare_payment", () => {
  it("answers a preview and a token, and writes nothing (only the check is called)", async () => {
    const invoice = openInvoice();
    const before = apiPayments().length;
    const { body, sent } = await prepared(invoice);
    expect(body).toMatchObject({
      commitWith: "commit_payment",
      confirmationToken: expect.stringMatching(/^stc1\.[\w-]+\.[\w-]+$/),
      expiresAt: expect.any(String),
      preview: {
        summary: expect.stringContaining("25.00"),
        paymentType: { id: expect.any(Number), name: "Check" },
        amount: "25.00",
        checkNumber: "1042",
        splits: [
          {
            invoiceId: invoice.id,
            invoiceNumber: invoice.referenceNumber,
            amount: "25.00",
            balance: Decimal.parse(invoice.balance).toFixed(2),
            balanceAfter: Decimal.parse(invoice.balance).minus(Decimal.parse("25.00")).toFixed(2),
          },
        ],
      },
    });
    expect(apiPayments()).toHaveLength(before);
    expect(balanceOf(invoice.id)).toBe(invoice.balance);
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /payments/check"]);
  });

  it("refuses an overpayment, an unknown type, a missing invoice and a bad amount as tool errors, writing nothing", async () => {
    const { env, sent } = await deployment(sim);
    const invoice = openInvoice();
    const over = Decimal.parse(invoice.balance).plus(Decimal.parse("0.01")).toFixed(2);
    const before = apiPayments().length;
    const overpaid = await callRefused(env, "prepare_payment", {
      invoiceId: invoice.id,
      amount: over,
      paymentType: "Cash",
    });
    expect(overpaid.detail).toContain(`exceeds invoice ${invoice.id}'s balance`);
    expect(JSON.stringify(overpaid)).not.toContain("allowOverpayment");
    expect(overpaid).toMatchObject({
      fields: [{ field: "invoiceId", message: expect.stringContaining("exceeds") }],
      type: "overpayment",
      status: 422,
      error: "Amount exceeds the invoice balance",
      detail: expect.any(String),
    });
    expect(
      await callRefused(env, "prepare_payment", {
        invoiceId: invoice.id,
        amount: "1.00",
        paymentType: "Barter",
      }),
    ).toMatchObject({ type: "payment-type-unknown", status: 422 });
    expect(
      await callRefused(env, "prepare_payment", { invoiceId: 1, amount: "1.00", paymentType: "Cash" }),
    ).toMatchObject({ type: "invoice-not-found", status: 404 });
    const both = await callRefused(env, "prepare_payment", {
      invoiceId: invoice.id,
      splits: [{ invoiceId: invoice.id, amount: "1.00" }],
      paymentType: "Cash",
    });
    expect(both).toMatchObject({
      type: "validation-failed",
      fields: expect.arrayContaining([expect.anything()]),
    });
    const badAmount = await callTool(env, "prepare_payment", {
      invoiceId: invoice.id,
      amount: "1.001",
      paymentType: "Cash",
    });
    expect(badAmount.isError).toBe(true);
    expect(JSON.stringify(badAmount.body)).toMatch(/amount/);
    expect(apiPayments()).toHaveLength(before);
    expect(sent.every(({ path }) => path === "/payments/check")).toBe(true);
  });
});

describe("commit_payment", () => {
  it("posts the prepared payment once, however often the commit is retried", async () => {
    const invoice = openInvoice();
    const { env, token, sent } = await prepared(invoice);
    const answers = [];
    for (let attempt = 0; attempt < 5; attempt++)
      answers.push(await callOk(env, "commit_payment", { confirmationToken: token }));
    const [first, ...retries] = answers;
    expect(first).toMatchObject({
      replayed: false,
      idempotencyKey: expect.stringMatching(/^mcp-[0-9a-f]{32}$/),
      payment: {
        amount: "25.00",
        type: "Check",
        checkNumber: "1042",
        memo: "paid by agent",
        splits: [{ invoiceId: invoice.id, amount: "25.00" }],
      },
    });
    for (const retry of retries) {
      expect(retry).toEqual({ ...first, replayed: true });
    }
    expect(paymentsOn(invoice.id)).toHaveLength(1);
    expect(balanceOf(invoice.id)).toBe(
      Decimal.parse(invoice.balance).minus(Decimal.parse("25.00")).toFixed(2),
    );
    const keys = new Set(sent.filter((call) => call.path === "/payments").map((call) => call.idempotencyKey));
    expect(keys).toEqual(new Set([(first as { idempotencyKey: string }).idempotencyKey]));
  });

  it("makes one payment when five commits of one token race", async () => {
    const invoice = openInvoice();
    const { env, token } = await prepared(invoice, "10.00");
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => callTool(env, "commit_payment", { confirmationToken: token })),
    );
    const posted = answers.filter((answer) => !answer.isError);
    expect(posted.length).toBeGreaterThan(0);
    // A racer that waited past the worker's bound gets a retryable 409, never a second payment.
    for (const answer of answers.filter((a) => a.isError))
      expect(answer.body).toMatchObject({ retryable: true });
    const ids = new Set(posted.map((answer) => (answer.body.payment as { id: number }).id));
    expect(ids.size).toBe(1);
    expect(paymentsOn(invoice.id)).toHaveLength(1);
  });

  it("makes two payments from two prepares: each token is its own write", async () => {
    const invoice = openInvoice();
    const one = await prepared(invoice, "5.00");
    const two = await prepared(invoice, "5.00");
    expect(two.token).not.toBe(one.token);
    await callOk(one.env, "commit_payment", { confirmationToken: one.token });
    await callOk(two.env, "commit_payment", { confirmationToken: two.token });
    expect(paymentsOn(invoice.id)).toHaveLength(2);
  });

  it("refuses a forged token: changed request, changed signature, made up, another secret", async () => {
    const invoice = openInvoice();
    const { env, token } = await prepared(invoice);
    const [prefix, payload, signature] = token.split(".");
    const claims = JSON.parse(atob((payload ?? "").replaceAll("-", "+").replaceAll("_", "/")));
    claims.request.splits[0].amount = "2500.00";
    const altered = btoa(JSON.stringify(claims)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    const otherSecret = await issueConfirmation({
      secret: "another-deployments-secret-0123456789abcdef",
      tenant: `simulator:${TENANT}`,
      tool: "commit_payment",
      keyId: (await hashApiKey(TEST_API_KEY)).slice(0, 8),
      request: claims.request,
      ttlSeconds: 600,
    });
    const flipped = `${signature?.[0] === "A" ? "B" : "A"}${signature?.slice(1)}`;
    for (const forged of [
      `${prefix}.${altered}.${signature}`,
      `${prefix}.${payload}.${flipped}`,
      "stc1.e30.AAAA",
      "not a token",
      otherSecret.token,
    ]) {
      const refusal = await callRefused(env, "commit_payment", { confirmationToken: forged });
      expect(refusal, forged).toMatchObject({ type: "confirmation-invalid", status: 422, retryable: false });
    }
    expect(paymentsOn(invoice.id)).toEqual([]);
  });

  it("refuses an expired token, and says whether its earlier commit went through", async () => {
    const invoice = openInvoice();
    const { env } = await deployment(sim);
    const prepare = await callOk(env, "prepare_payment", {
      invoiceId: invoice.id,
      amount: "3.00",
      paymentType: "Cash",
    });
    const tokenAt = (now: number) => reissuedAt(prepare.confirmationToken as string, "commit_payment", now);
    const never = await tokenAt(Date.now() - 3_600_000);
    const refusal = await callRefused(env, "commit_payment", { confirmationToken: never });
    expect(refusal).toMatchObject({ type: "confirmation-expired", retryable: false });
    expect(refusal.detail).toMatch(/No payment from it/);
    expect(paymentsOn(invoice.id)).toEqual([]);

    // Committed while valid, retried after it expired: the refusal names the payment.
    const issuedAt = Date.now() - 599_000;
    const late = await tokenAt(issuedAt);
    const committed = await callOk(env, "commit_payment", { confirmationToken: late });
    vi.spyOn(Date, "now").mockReturnValue(issuedAt + 601_000);
    const retried = await callRefused(env, "commit_payment", { confirmationToken: late });
    expect(retried.type).toBe("confirmation-expired");
    expect(retried.detail).toContain(`payment ${(committed.payment as { id: number }).id}`);
    expect(paymentsOn(invoice.id)).toHaveLength(1);
  });

  it("refuses another tenant's token signed with the same secret", async () => {
    const invoice = openInvoice();
    const theirs = await deployment(sim, { ST_TENANT_ID: "2000002" });
    const { token } = await prepared(invoice);
    const refusal = await callRefused(theirs.env, "commit_payment", { confirmationToken: token });
    expect(refusal).toMatchObject({ type: "confirmation-other-tenant", status: 422 });
    expect(theirs.sent).toEqual([]);
    expect(paymentsOn(invoice.id)).toEqual([]);
  });

  it("refuses a token prepared with another API key, and one prepared for another tool", async () => {
    const invoice = openInvoice();
    const { env, token } = await prepared(invoice);
    const other = await callTool(env, "commit_payment", { confirmationToken: token }, OTHER_API_KEY);
    expect(other.isError).toBe(true);
    expect(other.body).toMatchObject({ type: "confirmation-other-caller" });
    const wrongTool = await callRefused(env, "commit_payment_status", { confirmationToken: token });
    expect(wrongTool).toMatchObject({ type: "confirmation-wrong-tool" });
    expect(paymentsOn(invoice.id)).toEqual([]);
  });

  it("logs one audit line per commit, with ids and amounts and never a key, token or secret", async () => {
    const invoice = openInvoice();
    const { env, token } = await prepared(invoice, "7.50");
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(String(line)));
    vi.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(String(line)));
    const committed = await callOk(env, "commit_payment", { confirmationToken: token });
    await callRefused(env, "commit_payment", { confirmationToken: `${token}x` });
    const audits = lines.filter((line) => line.includes('"mcp-audit"')).map((line) => JSON.parse(line));
    expect(audits).toEqual([
      expect.objectContaining({
        level: "info",
        event: "mcp-audit",
        tool: "commit_payment",
        keyId: (await hashApiKey(TEST_API_KEY)).slice(0, 8),
        outcome: "committed",
        idempotencyKey: committed.idempotencyKey,
        invoiceIds: String(invoice.id),
        amount: "7.50",
        paymentId: (committed.payment as { id: number }).id,
        replayed: false,
      }),
      expect.objectContaining({
        tool: "commit_payment",
        outcome: "refused",
        problemType: expect.stringContaining("confirmation-invalid"),
      }),
    ]);
    const everything = lines.join("\n");
    for (const secret of [TEST_API_KEY, TOKEN_SECRET, token]) expect(everything).not.toContain(secret);
  });

  it("keeps writes off without MCP_TOKEN_SECRET: a misconfigured tool error, nothing called", async () => {
    const { env, sent } = await deployment(sim, { MCP_TOKEN_SECRET: "short" });
    const refusal = await callRefused(env, "prepare_payment", {
      invoiceId: 11000001,
      amount: "1.00",
      paymentType: "Cash",
    });
    expect(refusal).toMatchObject({ type: "misconfigured", status: 500 });
    expect(refusal.detail).not.toContain("short");
    expect(sent).toEqual([]);
  });
});

describe("payment status", () => {
  it("prepares a status change with a preview, writing nothing, and commits it", async () => {
    const invoice = openInvoice();
    const { env, token } = await prepared(invoice, "4.00");
    const posted = await callOk(env, "commit_payment", { confirmationToken: token });
    const paymentId = (posted.payment as { id: number }).id;
    const deployed = await deployment(sim);
    const prepare = await callOk(deployed.env, "prepare_payment_status", {
      paymentIds: [paymentId],
      status: "Exported",
    });
    expect(prepare.preview).toMatchObject({
      status: "Exported",
      payments: [{ id: paymentId, amount: "4.00", currentStatus: "Pending" }],
    });
    expect(deployed.sent.every(({ method }) => method === "GET")).toBe(true);
    expect(apiPayments().find((payment) => payment.id === paymentId)?.status).toBe("Pending");
    for (let attempt = 0; attempt < 2; attempt++) {
      const committed = await callOk(deployed.env, "commit_payment_status", {
        confirmationToken: prepare.confirmationToken,
      });
      expect(committed).toMatchObject({ paymentIds: [paymentId], status: "Exported" });
    }
    expect(apiPayments().find((payment) => payment.id === paymentId)?.status).toBe("Exported");
  });

  it("refuses unknown payments by id, changing nothing", async () => {
    const { env, sent } = await deployment(sim);
    const refusal = await callRefused(env, "prepare_payment_status", {
      paymentIds: [1, 2],
      status: "Posted",
    });
    expect(refusal).toMatchObject({
      type: "payment-not-found",
      fields: [{ field: "paymentIds", message: "not found: 1, 2" }],
    });
    expect(sent.some(({ path }) => path === "/payments/status")).toBe(false);
  });
});

describe("bill export marks", () => {
  it("prepares marks with the bills' numbers and vendors, writing nothing, and commits them", async () => {
    const { env, sent } = await deployment(sim);
    const listed = await callOk(env, "list_bills", { billType: "NotSet", syncStatus: ["Pending"], limit: 2 });
    const billIds = (listed.bills as { id: number }[]).map((bill) => bill.id);
    expect(billIds).toHaveLength(2);
    const prepare = await callOk(env, "prepare_bills_export_mark", { billIds });
    expect(prepare.preview).toMatchObject({
      summary: expect.stringContaining("2 AP bills"),
      bills: billIds.map((id) => ({ id, syncStatus: "Pending", vendor: expect.anything() })),
    });
    expect(sent.some(({ path }) => path.includes("mark-exported"))).toBe(false);
    const committed = await callOk(env, "commit_bills_export_mark", {
      confirmationToken: prepare.confirmationToken,
    });
    expect(committed).toMatchObject({ succeeded: 2, failed: 0 });
    const after = await callOk(env, "prepare_bills_export_mark", { billIds });
    expect(
      (after.preview as { bills: { syncStatus: string }[] }).bills.map((bill) => bill.syncStatus),
    ).not.toContain("Pending");
  });

  it("refuses bills not in this tenant", async () => {
    const { env } = await deployment(sim);
    const refusal = await callRefused(env, "prepare_bills_export_mark", { billIds: [1] });
    expect(refusal).toMatchObject({ status: 404, fields: [{ field: "billIds" }] });
  });
});

import type {
  ExportInvoice,
  ExportPayment,
  Invoice,
  PaymentResponse,
  PaymentType,
} from "@st-edge/servicetitan";
import { beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.ts";
import { allPages, type FakeClock, type Problem, type Session, session, testSimulator } from "./helpers.ts";

interface Batch<T> {
  hasMore: boolean;
  continueFrom: string;
  data: T[];
}

let sim: Simulator;
let clock: FakeClock;
let s: Session;

beforeEach(async () => {
  ({ sim, clock } = testSimulator());
  s = await session(sim);
});

const feed = async <T>(path: string, from?: string, recent = false) => {
  const query = new URLSearchParams();
  if (from !== undefined) query.set("from", from);
  if (recent) query.set("includeRecentChanges", "true");
  const response = await s.get(`${path}?${query}`);
  expect(response.status).toBe(200);
  return response.json<Batch<T>>();
};

/** Follows continueFrom until hasMore is false; returns every record and the last token. */
const drain = async <T>(path: string, from?: string, recent = false) => {
  const records: T[] = [];
  let cursor = from;
  for (let call = 0; call < 50; call++) {
    const batch = await feed<T>(path, cursor, recent);
    records.push(...batch.data);
    cursor = batch.continueFrom;
    if (!batch.hasMore) return { records, cursor };
  }
  throw new Error("feed never caught up");
};

const payCash = async (invoice: Invoice) => {
  const cash = (await allPages<PaymentType>(s, "/payment-types")).find((type) => type.name === "Cash");
  const response = await s.post("/payments", {
    typeId: cash?.id,
    splits: [{ invoiceId: invoice.id, amount: 1 }],
  });
  return response.json<PaymentResponse>();
};

describe("export feeds", () => {
  it("exports every invoice (active or not) in modification order, in batches, following continueFrom", async () => {
    const first = await feed<ExportInvoice>("/export/invoices");
    expect(first.hasMore).toBe(true);
    expect(first.data).toHaveLength(100);
    const { records } = await drain<ExportInvoice>("/export/invoices");
    expect(records).toHaveLength(300);
    expect(new Set(records.map((record) => record.id)).size).toBe(300);
    expect(records.some((record) => !record.active)).toBe(true);
    const times = records.map((record) => Date.parse(record.modifiedOn ?? ""));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("resumes from a saved token with only what changed, and accepts a date as `from`", async () => {
    const { cursor } = await drain<ExportInvoice>("/export/invoices");
    const caughtUp = await feed<ExportInvoice>("/export/invoices", cursor);
    expect(caughtUp).toEqual({ hasMore: false, continueFrom: cursor, data: [] });
    const sinceMarch = await drain<ExportInvoice>("/export/invoices", "2026-03-01");
    expect(sinceMarch.records.length).toBeGreaterThan(0);
    expect(sinceMarch.records.every((record) => (record.modifiedOn ?? "") >= "2026-03-01")).toBe(true);
    const bad = await s.get("/export/invoices?from=not-a-token");
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors).toHaveProperty("from");
    // A payments token is not an invoices token.
    const payments = await feed<ExportPayment>("/export/payments");
    expect((await s.get(`/export/invoices?from=${payments.continueFrom}`)).status).toBe(400);
  });

  it("hides changes younger than the export lag unless includeRecentChanges=true", async () => {
    const { cursor } = await drain<ExportInvoice>("/export/invoices");
    const { cursor: paymentsCursor } = await drain<ExportPayment>("/export/payments");
    const [target] = await allPages<Invoice>(
      s,
      "/invoices?balanceFilter.Balance=5&balanceFilter.Comparer=Greater",
    );
    if (!target) throw new Error("seed has open invoices");
    clock.advance(1000);
    const payment = await payCash(target);

    expect((await feed<ExportInvoice>("/export/invoices", cursor)).data).toEqual([]);
    expect((await feed<ExportPayment>("/export/payments", paymentsCursor)).data).toEqual([]);

    const recent = await feed<ExportInvoice>("/export/invoices", cursor, true);
    expect(recent.data.map((record) => record.id)).toEqual([target.id]);
    const recentPayments = await feed<ExportPayment>("/export/payments", paymentsCursor, true);
    expect(recentPayments.data.map((record) => record.id)).toEqual([payment.id]);

    clock.advance(900_000);
    s = await session(sim);
    const settled = await feed<ExportInvoice>("/export/invoices", cursor);
    expect(settled.data.map((record) => record.id)).toEqual([target.id]);
    expect(settled.data[0]?.balance).not.toBe(target.balance);
  });

  it("with includeRecentChanges, repeats recent records on later calls until they age past the lag", async () => {
    const { cursor } = await drain<ExportInvoice>("/export/invoices");
    const [target] = await allPages<Invoice>(
      s,
      "/invoices?balanceFilter.Balance=5&balanceFilter.Comparer=Greater",
    );
    if (!target) throw new Error("seed has open invoices");
    clock.advance(1000);
    await payCash(target);
    const first = await feed<ExportInvoice>("/export/invoices", cursor, true);
    expect(first.data.map((record) => record.id)).toEqual([target.id]);
    expect(first.hasMore).toBe(false);
    const again = await feed<ExportInvoice>("/export/invoices", first.continueFrom, true);
    expect(again.data.map((record) => record.id)).toEqual([target.id]);
    expect(again.hasMore).toBe(false);
    clock.advance(900_000);
    s = await session(sim);
    expect((await feed<ExportInvoice>("/export/invoices", first.continueFrom, true)).data).toEqual([]);
  });

  it("honours a configured lag and batch size", async () => {
    const custom = testSimulator({ exportLagSeconds: 0, exportBatchSize: 200 });
    const t = await session(custom.sim);
    const response = await t.get("/export/payments");
    const batch = await response.json<Batch<ExportPayment>>();
    expect(batch.data).toHaveLength(200);
    expect(batch.hasMore).toBe(true);
  });
});

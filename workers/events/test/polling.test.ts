// Polling where ServiceTitan sends no webhooks: the export feeds (payments, invoices) and AP
// bills, from a cursor kept in the tenant's Durable Object and advanced only once a batch is
// processed; record versions decide what is a change, so a re-read never fires again, and our
// own writes, delivered at once, are recognised as seen.
import { publishEvent } from "@st-edge/events";
import { type ApBill, type DetailedPayment, type Invoice, manualClock } from "@st-edge/servicetitan";
import { toPollItem as billPollItem } from "@st-edge/views/bill";
import { toPollItem as invoicePollItem } from "@st-edge/views/invoice";
import { toPollItem as paymentPollItem } from "@st-edge/views/payment";
import { describe, expect, it } from "vitest";
import { dispatch } from "../src/dispatch.ts";
import { type WatcherStore, watchRound } from "../src/feeds.ts";
import { tenantStore } from "../src/settings.ts";
import {
  call,
  drain,
  payInvoice,
  publish,
  readTenant,
  type Setup,
  setup,
  subscribe,
  writeTenant,
} from "./support.ts";

const target = "https://hooks.example.com/poll";

const round = (
  s: Setup,
  feeds: ("payments" | "invoices" | "ap-bills")[],
  store: WatcherStore = tenantStore(s.env),
) => watchRound({ env: s.env, store, feeds });

const bodies = (s: Setup, url = target) => s.targets.to(url).map((r) => JSON.parse(r.body));
const json = (value: unknown) => JSON.parse(JSON.stringify(value));

async function payment(s: Setup, id: number): Promise<DetailedPayment> {
  const { data } = await readTenant<{ data: DetailedPayment[] }>(s, `/payments?ids=${id}&activeState=All`);
  if (!data[0]) throw new Error(`no payment ${id}`);
  return data[0];
}

describe("export feed: payments", () => {
  it("delivers a payment made in ServiceTitan as payment.created, once, with /payments/poll's item", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    await subscribe(s.env, "payment.updated", "https://other.example.com/updated");
    const { paymentId } = await payInvoice(s);
    await round(s, ["payments"]);
    await drain(s);
    expect(bodies(s)).toEqual([json(paymentPollItem(await payment(s, paymentId)))]);
    // Read again (the feed repeats recent records): nothing new.
    await round(s, ["payments"]);
    await round(s, ["payments"]);
    await drain(s);
    expect(s.targets.received).toHaveLength(1);
  });

  it("delivers a new version of a payment as payment.updated, with the new version's id", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.updated", target);
    const { paymentId, invoiceId, typeId } = await payInvoice(s);
    await round(s, ["payments"]);
    await drain(s);
    expect(s.targets.received).toHaveLength(0);
    await writeTenant(s, "PATCH", `/payments/${paymentId}`, {
      typeId,
      memo: "corrected",
      splits: [{ invoiceId, amount: 1 }],
    });
    await round(s, ["payments"]);
    await drain(s);
    const changed = await payment(s, paymentId);
    expect(bodies(s)).toEqual([json(paymentPollItem(changed))]);
    expect(bodies(s)[0].id).toBe(`${paymentId}-${changed.modifiedOn}`);
  });

  it("fires nothing for what existed before watching began", async () => {
    const s = await setup();
    for (const event of [
      "payment.created",
      "payment.updated",
      "invoice.created",
      "invoice.updated",
      "bill.created",
    ]) {
      await subscribe(s.env, event, `${target}/${event}`);
    }
    await round(s, ["payments", "invoices", "ap-bills"]);
    await drain(s);
    expect(s.targets.received).toHaveLength(0);
    const status = await (await call(s.env, "/watcher")).json<{
      feeds: { name: string; cursor: boolean; error: null }[];
    }>();
    expect(status.feeds).toEqual([
      expect.objectContaining({ name: "ap-bills", cursor: true, error: null }),
      expect.objectContaining({ name: "invoices", cursor: true, error: null }),
      expect.objectContaining({ name: "payments", cursor: true, error: null }),
    ]);
  });

  it("resumes from the last processed batch after a crash mid-batch, delivering each change once", async () => {
    const s = await setup({}, { exportBatchSize: 2 });
    await subscribe(s.env, "payment.created", target);
    const ids: number[] = [];
    for (let n = 0; n < 5; n++) ids.push((await payInvoice(s)).paymentId);
    const real = tenantStore(s.env);
    let batches = 0;
    // The Durable Object resets while the second batch is being recorded (after ServiceTitan answered).
    const crashing: WatcherStore = {
      feedState: (feed) => real.feedState(feed),
      feedFailed: (input) => real.feedFailed(input),
      ingest: async (input) => {
        if (++batches === 2) throw new Error("Durable Object reset because its code was updated.");
        return real.ingest(input);
      },
    };
    await round(s, ["payments"], crashing);
    await drain(s);
    const first = s.targets.received.length;
    expect(first).toBe(2);
    const status = await (await call(s.env, "/watcher")).json<{
      feeds: { name: string; error: string | null }[];
    }>();
    expect(status.feeds[0]?.error).toBeTruthy();
    // The next round (after the feed's back-off) starts from the cursor of the first batch.
    await watchRound({ env: s.env, store: real, feeds: ["payments"], now: Date.now() + 3_600_000 });
    await drain(s);
    const delivered = bodies(s).map((body) => body.paymentId);
    expect(delivered.sort()).toEqual([...ids].sort());
  });

  it("loses nothing when the queue fails after the batch was recorded: the sweeper sends it", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    await payInvoice(s);
    s.deliveries.failures = 1;
    await expect(round(s, ["payments"])).rejects.toThrow();
    await drain(s);
    expect(s.targets.received).toHaveLength(0);
    const refs = await tenantStore(s.env).sweep({ graceMs: 0 });
    expect(refs).toHaveLength(1);
    await dispatch(s.env.DELIVERIES, `simulator:${s.tenant.tenantId}`, refs);
    await drain(s);
    await round(s, ["payments"]);
    await drain(s);
    expect(s.targets.received).toHaveLength(1);
  });
});

describe("our own writes", () => {
  it("are delivered at once, and the poll that reads the same version later fires nothing", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    const { paymentId } = await payInvoice(s);
    expect((await publish(s.env, "payment.created", paymentId)).status).toBe(202);
    await drain(s);
    expect(s.targets.received).toHaveLength(1);
    expect(await round(s, ["payments"])).toEqual([]);
    await drain(s);
    expect(s.targets.received).toHaveLength(1);
  });

  it("are not delivered again when the poll got to the version first", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    const { paymentId } = await payInvoice(s);
    await round(s, ["payments"]);
    await drain(s);
    await publish(s.env, "payment.created", paymentId);
    await drain(s);
    expect(s.targets.received).toHaveLength(1);
  });

  it("take a publisher's poll item as it is, without reading ServiceTitan", async () => {
    const s = await setup();
    await subscribe(s.env, "payment.created", target);
    const { paymentId } = await payInvoice(s);
    const item = paymentPollItem(await payment(s, paymentId));
    expect(await publishEvent(s.env, { event: "payment.created", recordId: paymentId, payload: item })).toBe(
      true,
    );
    const calls = s.sim.stats().calls.Payments_GetList ?? 0;
    await drain(s);
    expect(s.sim.stats().calls.Payments_GetList ?? 0).toBe(calls);
    expect(bodies(s)).toEqual([json(item)]);
  });
});

describe("export feed: invoices", () => {
  it("delivers an invoice changed in ServiceTitan (a payment applied) as invoice.updated, with /invoices/poll's item", async () => {
    const s = await setup();
    await subscribe(s.env, "invoice.updated", target);
    await subscribe(s.env, "invoice.created", "https://other.example.com/created");
    const { invoiceId } = await payInvoice(s);
    await round(s, ["invoices"]);
    await drain(s);
    const { data } = await readTenant<{ data: Invoice[] }>(s, `/invoices?ids=${invoiceId}&activeState=All`);
    expect(bodies(s)).toEqual([json(invoicePollItem(data[0] as Invoice))]);
    expect(s.targets.to("https://other.example.com/created")).toHaveLength(0);
  });
});

describe("AP bills", () => {
  it("delivers bills created after watching began as bill.created, with /bills/poll?mode=new's item, once", async () => {
    // A simulator two years ahead: its seeded bills all lie after the moment watching begins.
    const clock = manualClock(Date.now() + 800 * 86_400_000);
    const s = await setup({}, { clock });
    await subscribe(s.env, "bill.created", target);
    await round(s, ["ap-bills"]);
    await drain(s);
    const { data } = await readTenant<{ data: ApBill[] }>(s, "/ap-bills?pageSize=500");
    expect(data.length).toBeGreaterThan(10);
    const expected = data.map((bill) => json(billPollItem(bill, (b) => b.createdOn)));
    expect(bodies(s).sort((a, b) => a.billId - b.billId)).toEqual(
      expected.sort((a, b) => a.billId - b.billId),
    );
    await round(s, ["ap-bills"]);
    await drain(s);
    expect(s.targets.received).toHaveLength(data.length);
  });
});

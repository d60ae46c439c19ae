// GET /invoices/poll: newest versions first, ids unique per version, a payment makes new
// versions (two invoices of one payment share a timestamp and both come through), bounded calls.
import { callWorker, expectProblem, readServiceTitan, readServiceTitanJson } from "@st-edge/edge/testing";
import type { Invoice } from "@st-edge/servicetitan";
import type { PollItem } from "@st-edge/views/invoice";
import { afterAll, describe, expect, it } from "vitest";
import { LIMITS } from "../src/api.ts";
import worker from "../src/index.ts";
import { SEARCH_MAX_CALLS } from "../src/upstream.ts";
import { allInvoices, sim, testEnv, upstreamCalls } from "./helpers.ts";

const poll = async (query = "") => callWorker(worker, await testEnv(), `/invoices/poll${query}`);

const items = async (query = "") => {
  const response = await poll(query);
  expect(response.status).toBe(200);
  return response.json<PollItem[]>();
};

/** Every invoice modified within the lookback, active or not, newest first. */
async function recent(): Promise<Invoice[]> {
  const since = Date.now() - LIMITS.pollLookbackDays * 86_400_000;
  return (await allInvoices())
    .filter((invoice) => Date.parse(invoice.modifiedOn ?? "") >= since)
    .sort((a, b) => Date.parse(b.modifiedOn ?? "") - Date.parse(a.modifiedOn ?? "") || b.id - a.id);
}

afterAll(() => sim.reset());

describe("GET /invoices/poll", () => {
  it("answers every recent version, newest first, with unique per-version ids", async () => {
    const before = upstreamCalls("Invoices_GetList");
    const answer = await items();
    expect(upstreamCalls("Invoices_GetList") - before).toBeLessThanOrEqual(SEARCH_MAX_CALLS);
    const want = (await recent()).slice(0, LIMITS.pollDefault);
    expect(want.length).toBeGreaterThan(5);
    expect(answer.map((item) => item.invoiceId)).toEqual(want.map((invoice) => invoice.id));
    expect(answer.map((item) => item.id)).toEqual(
      want.map((invoice) => `${invoice.id}-${invoice.modifiedOn}`),
    );
    expect(new Set(answer.map((item) => item.id)).size).toBe(answer.length);
    expect(answer[0]).toMatchObject({ total: want[0]?.total, balance: want[0]?.balance });
    expect(answer[0]).toHaveProperty("isPaid");
  });

  it("keeps every invoice of a shared timestamp", async () => {
    const counts = new Map<string, number>();
    for (const invoice of await recent())
      counts.set(invoice.modifiedOn ?? "", (counts.get(invoice.modifiedOn ?? "") ?? 0) + 1);
    const [stamp, size] = [...counts.entries()].find(([, count]) => count > 1) ?? ["", 0];
    expect(size, "the seed has a recent tie").toBeGreaterThan(1);
    const answer = await items(`?limit=${LIMITS.pollMax}`);
    expect(answer.filter((item) => item.modifiedOn === stamp)).toHaveLength(size);
  });

  it("gives a sample of `limit` for test polls", async () => {
    const answer = await items("?limit=3");
    expect(answer.map((item) => item.invoiceId)).toEqual(
      (await recent()).slice(0, 3).map((invoice) => invoice.id),
    );
  });

  it.each([["0"], ["101"], ["ten"], ["-1"]])("refuses limit=%s", async (limit) => {
    const body = await expectProblem(await poll(`?limit=${limit}`), 400, "validation-failed");
    expect(body.errors).toEqual([expect.objectContaining({ in: "query", field: "limit" })]);
  });

  it("turns a payment into new versions of the invoices it pays, both kept though they tie", async () => {
    const first = await items(`?limit=${LIMITS.pollMax}`);
    const seen = new Set(first.map((item) => item.id));
    // Two open invoices of one customer, paid by one payment split across them.
    const open = (await allInvoices()).filter((invoice) => invoice.active && Number(invoice.balance) >= 10);
    const a = open.find((invoice) =>
      open.some((other) => other !== invoice && other.customer?.id === invoice.customer?.id),
    );
    const b = open.find((invoice) => invoice !== a && invoice.customer?.id === a?.customer?.id);
    if (!a || !b) throw new Error("the seed has no customer with two open invoices");
    const types = await readServiceTitanJson<{ data: { id: number }[] }>(sim, "/payment-types");
    const created = await readServiceTitan(sim, "/payments", {
      init: {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          typeId: types.data[0]?.id,
          memo: "poll test",
          splits: [
            { invoiceId: a.id, amount: 5.25 },
            { invoiceId: b.id, amount: 4.75 },
          ],
        }),
      },
    });
    expect(created.status).toBe(200);

    const second = await items(`?limit=${LIMITS.pollMax}`);
    const fresh = second.filter((item) => !seen.has(item.id));
    expect(fresh.map((item) => item.invoiceId).sort()).toEqual([a.id, b.id].sort());
    // Both at the top, sharing one modifiedOn, each a new version of a known invoice.
    expect(
      second
        .slice(0, 2)
        .map((item) => item.invoiceId)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(second[0]?.modifiedOn).toBe(second[1]?.modifiedOn);
    for (const item of fresh) {
      expect(item.id).toBe(`${item.invoiceId}-${item.modifiedOn}`);
      const old = first.find((previous) => previous.invoiceId === item.invoiceId);
      if (old) expect(old.id).not.toBe(item.id);
    }
    const paidA = second.find((item) => item.invoiceId === a.id);
    expect(paidA?.balance).not.toBe(a.balance);
    // A poll with nothing new repeats the same versions, which Zapier has already seen.
    const third = await items(`?limit=${LIMITS.pollMax}`);
    expect(third.map((item) => item.id)).toEqual(second.map((item) => item.id));
  });
});

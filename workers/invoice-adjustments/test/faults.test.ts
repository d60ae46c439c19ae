// Lost and refused answers on the create call: the adjustment must exist exactly once however
// ServiceTitan's answer is lost (commit-then-fail, commit-then-drop, hang → timeout), never be
// created again while its outcome is unknown, and a definite refusal is the key's final answer.
import { env } from "cloudflare:test";
import { expectProblem, faultsOnFirst } from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import {
  adjust,
  adjustmentsOf,
  type CreatedBody,
  faultyEnv,
  freshKey,
  isCreate,
  originalPicker,
  TENANT,
  type TestEnv,
  testEnv,
  writeOff,
} from "./support.ts";

const sim = createSimulator();
const pick = originalPicker(sim);

/** Faults the first `times` create calls with `fault`; everything else passes. */
const createFault = (fault: string, times = 1) => faultsOnFirst(isCreate, fault, times);

const store = (env as unknown as TestEnv).IDEMPOTENCY;
const record = (key: string) =>
  store.get(store.idFromName(`simulator:${TENANT}:adjustment:${key}`)).inspect();

/** The adjustments of `invoiceId` that carry `marker`. */
const carrying = async (invoiceId: number, marker: string | null) =>
  (await adjustmentsOf(sim, invoiceId)).filter((i) => marker !== null && i.royalty?.memo?.includes(marker));

describe("lost answers to the create call", () => {
  it.each(["commit-then-fail=500", "commit-then-fail=502", "commit-then-drop"])(
    "%s: reconciled to the one adjustment, which the retry replays",
    async (fault) => {
      const e = await faultyEnv(sim, createFault(fault));
      const original = await pick();
      const key = freshKey(fault);
      const first = await adjust(e, original.id, key, writeOff("12.50", "lost answer"));
      expect(first.status).toBe(201);
      const created: CreatedBody = await first.json();
      expect(created).toMatchObject({ adjustmentToId: original.id, subTotal: "-12.50" });

      const retry = await adjust(e, original.id, key, writeOff("12.50", "lost answer"));
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(((await retry.json()) as CreatedBody).id).toBe(created.id);
      expect((await carrying(original.id, created.marker)).map((i) => i.id)).toEqual([created.id]);
    },
  );

  it("hang → timeout: not created, proven absent, so the retry creates it once", async () => {
    const e = await faultyEnv(sim, createFault("hang"));
    const original = await pick();
    const key = freshKey("hang");
    const first = await adjust(e, original.id, key, writeOff("3.00"));
    await expectProblem(first, 503, "upstream-unavailable");
    expect((await adjustmentsOf(sim, original.id)).some((i) => i.royalty?.memo?.includes("[ste:"))).toBe(
      false,
    );
    expect(await record(key)).toMatchObject({ state: "pending", attempts: 1, leaseId: null });

    const retry = await adjust(e, original.id, key, writeOff("3.00"));
    expect(retry.status).toBe(201);
    const created: CreatedBody = await retry.json();
    expect((await carrying(original.id, created.marker)).map((i) => i.id)).toEqual([created.id]);
  });

  it("a lost answer whose lookup fails too stays unknown (503), and nothing is created until it is settled", async () => {
    const isLookup = (request: Request) =>
      request.method === "GET" && new URL(request.url).searchParams.has("adjustmentToId");
    const e = await faultyEnv(sim, (request) =>
      isCreate(request) ? "commit-then-drop" : isLookup(request) ? "status=503" : undefined,
    );
    const original = await pick();
    const key = freshKey("unknown");
    await expectProblem(
      await adjust(e, original.id, key, writeOff("4.00")),
      503,
      "adjustment-outcome-unknown",
    );
    expect(await record(key)).toMatchObject({ state: "posting" });
    // The retry looks again first: it finds the one that landed, and creates no second.
    const healthy = await testEnv(sim);
    const retry = await adjust(healthy, original.id, key, writeOff("4.00"));
    expect(retry.status).toBe(201);
    const created: CreatedBody = await retry.json();
    expect((await carrying(original.id, created.marker)).map((i) => i.id)).toEqual([created.id]);
  });
});

describe("the read-back after a create", () => {
  it.each(["status=429;retry-after=0", "status=401", "status=503"])(
    "%s on reading the new invoice back: it is found by its marker, never created twice",
    async (fault) => {
      // The create lands; the reads that follow it fail, a few times, then recover.
      let created = false;
      let failing = 4;
      const e = await faultyEnv(sim, (request) => {
        if (isCreate(request)) {
          created = true;
          return undefined;
        }
        const read = request.method === "GET" && new URL(request.url).pathname.endsWith("/invoices");
        if (created && read && failing > 0) {
          failing--;
          return fault;
        }
        return undefined;
      });
      const original = await pick();
      const key = freshKey("read-back");
      let response = await adjust(e, original.id, key, writeOff("7.00"));
      for (let retry = 0; response.status !== 201 && retry < 3; retry++) {
        expect([429, 502, 503]).toContain(response.status);
        response = await adjust(e, original.id, key, writeOff("7.00"));
      }
      expect(response.status).toBe(201);
      const body: CreatedBody = await response.json();
      expect(await carrying(original.id, body.marker)).toHaveLength(1);
    },
  );
});

describe("refusals", () => {
  it("ServiceTitan's definite refusal is the key's final answer, replayed", async () => {
    const e = await faultyEnv(sim, createFault("status=400"));
    const original = await pick();
    const key = freshKey("refused");
    await expectProblem(await adjust(e, original.id, key, writeOff("2.00")), 422, "upstream-rejected");
    const again = await adjust(await testEnv(sim), original.id, key, writeOff("2.00"));
    await expectProblem(again, 422, "upstream-rejected");
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
  });

  it("a 429 lets the key go: the retry creates it", async () => {
    const e = await faultyEnv(sim, createFault("status=429;retry-after=1"));
    const original = await pick();
    const key = freshKey("throttled");
    await expectProblem(await adjust(e, original.id, key, writeOff("2.00")), 429, "upstream-rate-limited");
    expect((await adjust(e, original.id, key, writeOff("2.00"))).status).toBe(201);
  });
});

// The idempotency state machine: table tests for each transition, and a property test that no
// sequence of requests, takeovers and late answers ever lets a second create out while an earlier
// one is unsettled, or changes a final answer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attempt,
  begin,
  beginAttempt,
  expirable,
  fail,
  type IdempotencyRecord,
  markAbsent,
  REFUSAL_REMEMBERED_MS,
  release,
  renew,
  type StoredResponse,
  sendEnded,
  succeed,
} from "./state.ts";

const LEASE = 1_000;
const ok: StoredResponse = { status: 201, body: '{"id":1}' };
const refused: StoredResponse = { status: 422, body: '{"type":"x"}' };

const owned = (now = 0, leaseId = "a") => {
  const { next } = begin(undefined, { hash: "h", now, leaseMs: LEASE, leaseId });
  if (!next) throw new Error("no record");
  return next;
};
const posting = (now = 0) => {
  const { next } = attempt(owned(now), {
    leaseId: "a",
    now,
    leaseMs: LEASE,
    invoiceIds: [7],
    marker: "[ste:m]",
    sendBy: now + 300,
  });
  if (!next) throw new Error("no record");
  return next;
};

describe("begin", () => {
  it("acquires a new key", () => {
    const { result, next } = begin(undefined, { hash: "h", now: 5, leaseMs: LEASE, leaseId: "a" });
    expect(result).toMatchObject({ kind: "acquired", leaseId: "a", mustReconcile: false });
    expect(next).toMatchObject({ state: "pending", leaseExpiresAt: 5 + LEASE, attempts: 0 });
  });

  it("refuses a different body", () => {
    expect(begin(owned(), { hash: "other", now: 1, leaseMs: LEASE, leaseId: "b" }).result).toEqual({
      kind: "mismatch",
    });
  });

  it("reports busy while the lease holds, with the time left", () => {
    expect(begin(owned(0), { hash: "h", now: 400, leaseMs: LEASE, leaseId: "b" }).result).toEqual({
      kind: "busy",
      retryAfterMs: 600,
    });
  });

  it("takes over an expired lease, and must reconcile when a create was attempted", () => {
    expect(begin(owned(0), { hash: "h", now: LEASE, leaseMs: LEASE, leaseId: "b" }).result).toMatchObject({
      kind: "acquired",
      leaseId: "b",
      mustReconcile: false,
    });
    expect(begin(posting(0), { hash: "h", now: LEASE, leaseMs: LEASE, leaseId: "b" }).result).toMatchObject({
      kind: "acquired",
      mustReconcile: true,
    });
  });

  it("replays a final answer, even to a different lease", () => {
    const done = succeed(posting(), { now: 1, resultId: 9, response: ok, hash: "h" }).next;
    expect(begin(done, { hash: "h", now: 2, leaseMs: LEASE, leaseId: "z" }).result).toEqual({
      kind: "replay",
      response: ok,
      resultId: 9,
    });
  });
});

describe("attempt", () => {
  it("records the attempt and moves to posting", () => {
    const { result, next } = attempt(owned(0), {
      leaseId: "a",
      now: 10,
      leaseMs: LEASE,
      invoiceIds: [7, 8],
      marker: "[ste:m]",
      sendBy: 310,
    });
    expect(result.ok).toBe(true);
    expect(next).toMatchObject({
      state: "posting",
      attempts: 1,
      firstAttemptAt: 10,
      lastAttemptAt: 10,
      lastSendBy: 310,
      invoiceIds: [7, 8],
    });
  });

  it("holds the lease at least until the create has stopped sending", () => {
    const { next } = attempt(owned(0), {
      leaseId: "a",
      now: 10,
      leaseMs: LEASE,
      invoiceIds: [7],
      marker: "[ste:m]",
      sendBy: 10 + 5 * LEASE,
    });
    expect(next?.leaseExpiresAt).toBe(10 + 5 * LEASE);
    // Nobody can take the key over while that create may still be sending.
    expect(
      begin(next, { hash: "h", now: 10 + 2 * LEASE, leaseMs: LEASE, leaseId: "b" }).result,
    ).toMatchObject({
      kind: "busy",
    });
  });

  it("is refused without the lease, after it expired, or while a create is unsettled", () => {
    const input = { now: 10, leaseMs: LEASE, invoiceIds: [7], marker: "[ste:m]", sendBy: 310 };
    expect(attempt(owned(0), { ...input, leaseId: "b" }).result).toEqual({ ok: false, reason: "lease-lost" });
    expect(attempt(owned(0), { ...input, leaseId: "a", now: LEASE }).result).toEqual({
      ok: false,
      reason: "lease-lost",
    });
    expect(attempt(posting(0), { ...input, leaseId: "a" }).result).toEqual({
      ok: false,
      reason: "wrong-state",
    });
    expect(attempt(undefined, { ...input, leaseId: "a" }).result).toEqual({
      ok: false,
      reason: "lease-lost",
    });
  });

  it("may post again once reconciliation proved the earlier create absent", () => {
    const absent = markAbsent(posting(0), { leaseId: "a", now: 5, leaseMs: LEASE }).next;
    const again = attempt(absent, {
      leaseId: "a",
      now: 6,
      leaseMs: LEASE,
      invoiceIds: [7],
      marker: "[ste:m]",
      sendBy: 306,
    });
    expect(again.result.ok).toBe(true);
    expect(again.next).toMatchObject({ attempts: 2, firstAttemptAt: 0, lastAttemptAt: 6 });
  });
});

describe("sendEnded", () => {
  it("moves sendBy earlier when the create returned early, never later, and only for the owner", () => {
    const record = posting(0); // sendBy 300
    const early = sendEnded(record, { leaseId: "a", now: 50, at: 40 });
    expect(early.next?.lastSendBy).toBe(40);
    expect(sendEnded(early.next, { leaseId: "a", now: 60, at: 200 }).next?.lastSendBy).toBe(40);
    expect(sendEnded(record, { leaseId: "b", now: 50, at: 40 }).result).toEqual({
      ok: false,
      reason: "lease-lost",
    });
    expect(sendEnded(owned(0), { leaseId: "a", now: 50, at: 40 }).result).toEqual({
      ok: false,
      reason: "wrong-state",
    });
  });
});

describe("final answers", () => {
  it("keeps the first success", () => {
    const first = succeed(posting(), { now: 1, resultId: 9, response: ok, hash: "h" });
    const second = succeed(first.next, {
      now: 2,
      resultId: 10,
      response: { status: 201, body: "{}" },
      hash: "h",
    });
    expect(second.result).toEqual({ stored: ok, resultId: 9, first: false });
    expect(second.next).toBe(first.next);
  });

  it("accepts a success from a request that lost its lease (it is a fact)", () => {
    const takenOver = begin(posting(0), { hash: "h", now: LEASE + 1, leaseMs: LEASE, leaseId: "b" }).next;
    const { result, next } = succeed(takenOver, { now: LEASE + 2, resultId: 9, response: ok, hash: "h" });
    expect(result.first).toBe(true);
    expect(next).toMatchObject({ state: "succeeded", leaseId: null });
    // ...and the new owner can no longer post.
    expect(
      attempt(next, {
        leaseId: "b",
        now: LEASE + 3,
        leaseMs: LEASE,
        invoiceIds: [],
        marker: "[ste:m]",
        sendBy: LEASE + 303,
      }).result.ok,
    ).toBe(false);
  });

  it("stores a failure only for the owner", () => {
    expect(fail(posting(0), { leaseId: "b", now: 1, response: refused }).result).toEqual({ lost: true });
    const { result, next } = fail(posting(0), { leaseId: "a", now: 1, response: refused });
    expect(result).toEqual({ stored: refused, resultId: null, first: true });
    expect(next?.state).toBe("failed");
  });
});

describe("release and renew", () => {
  it("deletes a record with no create attempted", () => {
    expect(release(owned(), { leaseId: "a", now: 1 })).toEqual({
      result: { released: true },
      next: undefined,
    });
  });

  it("keeps a check's refusal for the same request a while: replayed, then free again", () => {
    const { next } = release(owned(0), { leaseId: "a", now: 1, refusal: refused });
    expect(next).toMatchObject({ state: "pending", leaseId: null, attempts: 0 });
    const again = (hash: string, now: number) =>
      begin(next, { hash, now, leaseMs: LEASE, leaseId: "b" }).result;
    expect(again("h", REFUSAL_REMEMBERED_MS)).toEqual({ kind: "replay", response: refused, resultId: null });
    // Another body is checked afresh, and so is the same one once the refusal is old.
    expect(again("other", 2)).toMatchObject({ kind: "acquired", mustReconcile: false });
    expect(again("h", 1 + REFUSAL_REMEMBERED_MS)).toMatchObject({ kind: "acquired", mustReconcile: false });
    const fresh = begin(next, {
      hash: "h",
      now: 1 + REFUSAL_REMEMBERED_MS,
      leaseMs: LEASE,
      leaseId: "b",
    }).next;
    expect(fresh?.recentRefusal).toBeUndefined();
    // A refusal never replaces an unsettled create.
    expect(release(posting(), { leaseId: "a", now: 1, refusal: refused }).next).toMatchObject({
      state: "posting",
    });
  });

  it("keeps an unsettled create as posting, without an owner", () => {
    const { next } = release(posting(), { leaseId: "a", now: 1 });
    expect(next).toMatchObject({ state: "posting", leaseId: null, attempts: 1 });
    expect(begin(next, { hash: "h", now: 2, leaseMs: LEASE, leaseId: "b" }).result).toMatchObject({
      mustReconcile: true,
    });
  });

  it("ignores a stranger's release and a final record's release", () => {
    const record = owned();
    expect(release(record, { leaseId: "b", now: 1 }).next).toBe(record);
    const done = succeed(posting(), { now: 1, resultId: 9, response: ok, hash: "h" }).next;
    expect(release(done, { leaseId: "a", now: 2 }).next).toBe(done);
  });

  it("renews only a live lease", () => {
    expect(renew(owned(0), { leaseId: "a", now: 500, leaseMs: LEASE }).next?.leaseExpiresAt).toBe(1_500);
    expect(renew(owned(0), { leaseId: "a", now: LEASE, leaseMs: LEASE }).result.ok).toBe(false);
  });

  it("never lets retention delete an unsettled create or a live lease", () => {
    expect(expirable(posting(0), 10 ** 12)).toBe(false);
    expect(expirable(owned(0), 1)).toBe(false);
    expect(expirable(owned(0), LEASE)).toBe(true);
    expect(expirable(undefined, 0)).toBe(true);
  });
});

describe("an attempt recorded with the claim", () => {
  const early = { leaseMs: LEASE, invoiceIds: [7], marker: "[ste:m]", sendBy: 300 };
  const claim = (record: IdempotencyRecord | undefined, now = 0, leaseId = "a") =>
    beginAttempt(record, { hash: "h", now, leaseMs: LEASE, leaseId, attempt: early });

  it("marks a fresh key posting in the same transition", () => {
    const { result, next } = claim(undefined);
    expect(result).toMatchObject({ kind: "acquired", leaseId: "a", mustReconcile: false, attempted: true });
    expect(next).toMatchObject({
      state: "posting",
      attempts: 1,
      firstAttemptAt: 0,
      lastSendBy: 300,
      invoiceIds: [7],
      marker: "[ste:m]",
    });
  });

  it("is not made where begin hands over no key, or one with an earlier create to settle", () => {
    const live = owned(0, "b");
    expect(claim(live, 1)).toEqual(begin(live, { hash: "h", now: 1, leaseMs: LEASE, leaseId: "a" }));
    const unsettled = release(posting(0), { leaseId: "a", now: 1 }).next;
    const takeover = claim(unsettled, 2, "c");
    expect(takeover.result).toMatchObject({ kind: "acquired", mustReconcile: true });
    expect("attempted" in takeover.result).toBe(false);
    expect(takeover.next).toMatchObject({ state: "posting", attempts: 1, lastSendBy: 300 });
  });

  it("is taken back by release({ unsent }): as if never attempted, deleted or keeping a check's refusal", () => {
    const { next } = claim(undefined);
    expect(release(next, { leaseId: "a", now: 1, unsent: true }).next).toBeUndefined();
    expect(release(next, { leaseId: "a", now: 1, unsent: true, refusal: refused }).next).toMatchObject({
      state: "pending",
      attempts: 0,
      firstAttemptAt: null,
      lastSendBy: null,
      recentRefusal: { response: refused },
    });
    // Without `unsent` (a create was sent, or may have been), it stays to be settled.
    expect(release(next, { leaseId: "a", now: 1, refusal: refused }).next).toMatchObject({
      state: "posting",
    });
  });

  it("counts earlier attempts still: only the unsent one is taken back", () => {
    const absent = markAbsent(posting(0), { leaseId: "a", now: 1, leaseMs: LEASE }).next;
    const second = attempt(absent, { leaseId: "a", now: 2, ...early, sendBy: 400 }).next;
    expect(second).toMatchObject({ state: "posting", attempts: 2 });
    expect(release(second, { leaseId: "a", now: 3, unsent: true }).next).toMatchObject({
      state: "pending",
      attempts: 1,
      firstAttemptAt: 0,
      leaseId: null,
    });
  });
});

describe("property: at most one unsettled create, final answers never change", () => {
  type Op =
    | { op: "begin"; actor: number; hash: "h" | "x" }
    | { op: "attempt"; actor: number }
    | { op: "absent"; actor: number }
    | { op: "succeed"; actor: number }
    | { op: "fail"; actor: number }
    | { op: "release"; actor: number }
    | { op: "renew"; actor: number };
  const actor = fc.integer({ min: 0, max: 3 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      op: fc.constant("begin" as const),
      actor,
      hash: fc.constantFrom("h" as const, "x" as const),
    }),
    ...(["attempt", "absent", "succeed", "fail", "release", "renew"] as const).map((name) =>
      fc.record({ op: fc.constant(name), actor }),
    ),
  );

  it("holds for random interleavings with time passing", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.integer({ min: 0, max: 700 })), { maxLength: 60 }), (steps) => {
        let record: IdempotencyRecord | undefined;
        let now = 0;
        let serial = 0;
        const leases = new Map<number, string>();
        // Creates sent and not settled (by success, failure, or proven absence).
        let unsettled = 0;
        let final: StoredResponse | null = null;
        for (const [step, elapsed] of steps) {
          now += elapsed;
          const leaseId = leases.get(step.actor) ?? "none";
          if (step.op === "begin") {
            const t = begin(record, { hash: step.hash, now, leaseMs: LEASE, leaseId: `L${serial++}` });
            record = t.next;
            if (t.result.kind === "acquired") {
              leases.set(step.actor, t.result.leaseId);
              if (t.result.mustReconcile) expect(unsettled).toBeGreaterThan(0);
            }
            if (t.result.kind === "replay") expect(t.result.response).toEqual(final);
          } else if (step.op === "attempt") {
            const t = attempt(record, {
              leaseId,
              now,
              leaseMs: LEASE,
              invoiceIds: [1],
              marker: "[ste:m]",
              sendBy: now + 300,
            });
            record = t.next;
            if (t.result.ok) {
              expect(unsettled).toBe(0);
              unsettled++;
            }
          } else if (step.op === "absent") {
            const t = markAbsent(record, { leaseId, now, leaseMs: LEASE });
            record = t.next;
            if (t.result.ok) unsettled = 0;
          } else if (step.op === "succeed") {
            // Only a create that was sent can succeed.
            if (unsettled === 0 && record?.state !== "succeeded") continue;
            const t = succeed(record, { now, resultId: 1, response: ok, hash: record?.hash ?? "h" });
            record = t.next;
            if (final) expect(t.result.stored).toEqual(final);
            final = t.result.stored;
            unsettled = 0;
          } else if (step.op === "fail") {
            const t = fail(record, { leaseId, now, response: refused });
            record = t.next;
            if (!("lost" in t.result)) {
              if (final) expect(t.result.stored).toEqual(final);
              final = t.result.stored;
              unsettled = 0;
            }
          } else if (step.op === "release") {
            record = release(record, { leaseId, now }).next;
          } else {
            record = renew(record, { leaseId, now, leaseMs: LEASE }).next;
          }
          if (final) expect(record?.response).toEqual(final);
          if (unsettled > 0) expect(record?.state).toBe("posting");
        }
      }),
      { numRuns: 500 },
    );
  });
});

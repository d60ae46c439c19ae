// The watcher's rules, table-driven: which events an observation fires, and how a delivery moves.
import type { EventName } from "@st-edge/events";
import { describe, expect, it } from "vitest";
import type { Observation } from "../observations.ts";
import {
  type ClaimInput,
  changesOf,
  claim,
  claimWebhook,
  type DeliveryRow,
  finish,
  isStranded,
  retryDelaySeconds,
  type VersionRow,
} from "./state.ts";

const cutoffs = { baseline: "0100", created: "0050" };

const observed = (fields: Partial<Observation> = {}): Observation => ({
  kind: "payment",
  recordId: 1,
  version: "0200",
  created: "0200",
  exported: false,
  payload: { id: "1-v200" },
  ...fields,
});

describe("changesOf", () => {
  const cases: [
    string,
    { previous?: VersionRow; observation: Observation; events: EventName[]; record: boolean },
  ][] = [
    ["a record new to the tenant", { observation: observed(), events: ["payment.created"], record: true }],
    [
      "a newer version of a seen record",
      {
        previous: { version: "0150", exported: false },
        observation: observed(),
        events: ["payment.updated"],
        record: true,
      },
    ],
    [
      "the same version again (a re-read)",
      { previous: { version: "0200", exported: false }, observation: observed(), events: [], record: false },
    ],
    [
      "an older version (an export repeat)",
      { previous: { version: "0300", exported: false }, observation: observed(), events: [], record: false },
    ],
    [
      "unseen, but created before the horizon: an update",
      { observation: observed({ created: "0010" }), events: ["payment.updated"], record: true },
    ],
    [
      "a version from before watching began: recorded, no event",
      { observation: observed({ version: "0090", created: "0010" }), events: [], record: true },
    ],
    [
      "from before watching began, but a webhook says it just changed",
      {
        observation: observed({ version: "0090", created: "0010", fresh: true }),
        events: ["payment.updated"],
        record: true,
      },
    ],
    [
      "our write says created: that wins over the guess",
      {
        observation: observed({ created: "0010", claimed: "payment.created", fresh: true }),
        events: ["payment.created"],
        record: true,
      },
    ],
    [
      "our write of a version the poll got to first: the claim is kept (the published set drops it)",
      {
        previous: { version: "0200", exported: false },
        observation: observed({ claimed: "payment.created", fresh: true }),
        events: ["payment.created"],
        record: false,
      },
    ],
    [
      "an invoice turning Exported",
      {
        previous: { version: "0150", exported: false },
        observation: observed({ kind: "invoice", exported: true }),
        events: ["invoice.updated", "invoice.exported"],
        record: true,
      },
    ],
    [
      "an exported invoice changing again: no second exported",
      {
        previous: { version: "0150", exported: true },
        observation: observed({ kind: "invoice", exported: true }),
        events: ["invoice.updated"],
        record: true,
      },
    ],
    [
      "an old invoice first seen already Exported (a payment touched it): no exported",
      {
        observation: observed({ kind: "invoice", exported: true, created: "0010" }),
        events: ["invoice.updated"],
        record: true,
      },
    ],
    [
      "a new invoice already Exported when first seen: created and exported",
      {
        observation: observed({ kind: "invoice", exported: true }),
        events: ["invoice.created", "invoice.exported"],
        record: true,
      },
    ],
    [
      "ServiceTitan says exported for a version already seen",
      {
        previous: { version: "0200", exported: true },
        observation: observed({ kind: "invoice", exported: true, claimed: "invoice.exported", fresh: true }),
        events: ["invoice.exported"],
        record: false,
      },
    ],
    ["a new bill", { observation: observed({ kind: "bill" }), events: ["bill.created"], record: true }],
  ];
  it.each(cases)("%s", (_, { previous, observation, events, record }) => {
    expect(changesOf(previous, observation, cutoffs)).toEqual({ events, record });
  });
});

const row = (fields: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id: "dl_1",
  hookId: "hk_1",
  eventKey: "payment.created|1-v200",
  targetUrl: "https://hooks.example.com/a",
  origin: "https://hooks.example.com",
  state: "pending",
  attempt: 1,
  dueAt: 1000,
  leaseUntil: 0,
  lastStatus: null,
  lastError: null,
  createdAt: 1000,
  updatedAt: 1000,
  replays: 0,
  ...fields,
});

describe("claim", () => {
  const input: ClaimInput = { attempt: 1, now: 5000, inflight: 0, cap: 2, leaseMs: 1000 };
  const cases: [string, { row?: DeliveryRow; input?: Partial<ClaimInput>; want: string }][] = [
    ["a pending delivery", { row: row(), want: "go" }],
    ["unknown", { want: "skip:unknown" }],
    ["already delivered (a repeated message)", { row: row({ state: "delivered" }), want: "skip:finished" }],
    ["dead", { row: row({ state: "dead" }), want: "skip:finished" }],
    ["cancelled (unsubscribed)", { row: row({ state: "cancelled" }), want: "skip:finished" }],
    ["a message of an earlier attempt", { row: row({ attempt: 2 }), want: "skip:superseded" }],
    [
      "in flight under a live lease",
      { row: row({ state: "inflight", leaseUntil: 6000 }), want: "skip:in-flight" },
    ],
    [
      "in flight past its lease (the consumer died)",
      { row: row({ state: "inflight", leaseUntil: 4000 }), want: "go" },
    ],
    ["the target's cap reached", { row: row(), input: { inflight: 2 }, want: "held" }],
    [
      "in flight past its lease, the target's cap reached",
      { row: row({ state: "inflight", leaseUntil: 4000 }), input: { inflight: 2 }, want: "held" },
    ],
    [
      "held back, waiting for a slot (a copy of its message)",
      { row: row({ state: "held" }), want: "skip:held" },
    ],
  ];
  it.each(cases)("%s", (_, { row: given, input: extra, want }) => {
    const decision = claim(given, { ...input, ...extra });
    expect(decision.kind === "skip" ? `skip:${decision.reason}` : decision.kind).toBe(want);
    if (decision.kind === "go") expect(decision.row).toMatchObject({ state: "inflight", leaseUntil: 6000 });
    if (decision.kind === "held") expect(decision.row).toMatchObject({ state: "held", leaseUntil: 0 });
  });
});

describe("finish", () => {
  const delays = [10, 60];
  const at = { now: 10_000, delaysSeconds: delays, random: 0.5 };
  const inflight = (attempt: number) => row({ state: "inflight", attempt, leaseUntil: 20_000 });
  it.each([
    ["2xx", { kind: "delivered", status: 204 } as const, 1, "delivered", undefined],
    ["410", { kind: "gone", status: 410 } as const, 1, "gone", undefined],
    ["a 4xx", { kind: "rejected", status: 400, error: "target answered 400" } as const, 1, "dead", undefined],
    [
      "a 503, first attempt",
      { kind: "retryable", status: 503, error: "x" } as const,
      1,
      "pending",
      { attempt: 2, delaySeconds: 10 },
    ],
    [
      "a timeout, second attempt",
      { kind: "retryable", error: "timeout" } as const,
      2,
      "pending",
      { attempt: 3, delaySeconds: 60 },
    ],
    [
      "a 503 on the last attempt",
      { kind: "retryable", status: 503, error: "x" } as const,
      3,
      "dead",
      undefined,
    ],
  ])("%s", (_, outcome, attempt, state, retry) => {
    const result = finish(inflight(attempt), outcome, { ...at, attempt });
    expect(result.next.state).toBe(state);
    expect(result.retry).toEqual(retry);
    expect(result.unsubscribe).toBe(outcome.kind === "gone");
    expect(result.next.leaseUntil).toBe(0);
  });
});

describe("retryDelaySeconds", () => {
  it.each([
    ["the first step", { attempt: 1, retryAfter: undefined, random: 0.5, want: 10 }],
    ["jitter down", { attempt: 1, retryAfter: undefined, random: 0, want: 9 }],
    ["jitter up", { attempt: 2, retryAfter: undefined, random: 0.999, want: 66 }],
    ["past the table: the last step", { attempt: 9, retryAfter: undefined, random: 0.5, want: 60 }],
    ["a longer Retry-After wins", { attempt: 1, retryAfter: 30, random: 0.5, want: 30 }],
    ["Retry-After is capped at an hour", { attempt: 1, retryAfter: 86_400, random: 0.5, want: 3600 }],
  ])("%s", (_, { attempt, retryAfter, random, want }) => {
    expect(retryDelaySeconds([10, 60], attempt, retryAfter, random)).toBe(want);
  });
});

describe("isStranded and claimWebhook", () => {
  it("re-sends pending deliveries long past due and in-flight ones past their lease", () => {
    expect(isStranded(row({ dueAt: 1000 }), 1000 + 61_000, 60_000)).toBe(true);
    expect(isStranded(row({ dueAt: 1000 }), 1000 + 59_000, 60_000)).toBe(false);
    expect(isStranded(row({ state: "inflight", leaseUntil: 5000 }), 6000, 60_000)).toBe(true);
    expect(isStranded(row({ state: "delivered" }), 10 ** 9, 60_000)).toBe(false);
  });

  it("tells fresh, duplicate and in-flight occurrences apart", () => {
    expect(claimWebhook(undefined, 0)).toBe("fresh");
    expect(claimWebhook({ state: "queued", leaseUntil: 0, receivedAt: 0 }, 10)).toBe("duplicate");
    expect(claimWebhook({ state: "pending", leaseUntil: 100, receivedAt: 0 }, 10)).toBe("in-flight");
    expect(claimWebhook({ state: "pending", leaseUntil: 100, receivedAt: 0 }, 200)).toBe("fresh");
  });
});

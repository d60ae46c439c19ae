import { describe, expect, it } from "vitest";
import { FaultBook, parseFaults } from "./faults.ts";

describe("parseFaults", () => {
  it.each([
    ["status=503", [{ kind: "status", status: 503, retryAfterSeconds: null, retryAfterHeader: false }]],
    ["status=429", [{ kind: "status", status: 429, retryAfterSeconds: 1, retryAfterHeader: true }]],
    [
      "status=429;retry-after=7",
      [{ kind: "status", status: 429, retryAfterSeconds: 7, retryAfterHeader: true }],
    ],
    [
      "status=429; retry-after=none",
      [{ kind: "status", status: 429, retryAfterSeconds: 1, retryAfterHeader: false }],
    ],
    [
      "status=503;retry-after=30",
      [{ kind: "status", status: 503, retryAfterSeconds: 30, retryAfterHeader: true }],
    ],
    ["latency=50", [{ kind: "latency", ms: 50 }]],
    ["hang", [{ kind: "hang" }]],
    ["commit-then-fail", [{ kind: "commit-then-fail", status: 500 }]],
    ["commit-then-fail=503", [{ kind: "commit-then-fail", status: 503 }]],
    ["commit-then-drop", [{ kind: "commit-then-drop" }]],
    ["not-licensed", [{ kind: "not-licensed" }]],
    ["token-outage", [{ kind: "token-outage" }]],
    ["invalid-json", [{ kind: "invalid-json" }]],
    ["empty-body", [{ kind: "empty-body" }]],
    ["truncate-body", [{ kind: "truncate-body" }]],
    [
      "latency=10, status=502",
      [
        { kind: "latency", ms: 10 },
        { kind: "status", status: 502, retryAfterSeconds: null, retryAfterHeader: false },
      ],
    ],
  ])("%s", (text, want) => {
    expect(parseFaults(text)).toEqual(want);
  });

  it.each([
    "boom",
    "status",
    "status=200",
    "status=600",
    "latency=fast",
    "hang=1",
    "empty-body=1",
    "commit-then-fail=404",
    "status=429;retry-after=soon",
    "status=503;jitter=1",
  ])("rejects %j", (text) => {
    expect(() => parseFaults(text)).toThrow();
  });
});

describe("FaultBook", () => {
  it("spends `times` only on the rule that answers, and lets latency rules add up", () => {
    const book = new FaultBook(1);
    book.set(7, [
      { fault: "latency=5" },
      { fault: "status=503", times: 1 },
      { fault: "status=500", times: 1 },
    ]);
    expect(book.take(7, "Invoices_GetList", "GET").map((fault) => fault.kind)).toEqual(["latency", "status"]);
    expect(book.list(7).map((rule) => rule.remaining)).toEqual([null, 0, 1]);
    expect(book.take(7, "Invoices_GetList", "GET")).toEqual([
      { kind: "latency", ms: 5 },
      { kind: "status", status: 500, retryAfterSeconds: null, retryAfterHeader: false },
    ]);
    expect(book.take(7, "Invoices_GetList", "GET")).toEqual([{ kind: "latency", ms: 5 }]);
    expect(book.take(8, "Invoices_GetList", "GET")).toEqual([]);
  });

  it("keeps the token endpoint out of rules that do not name it", () => {
    const book = new FaultBook(1);
    book.set(7, [{ fault: "status=503" }, { fault: "token-outage" }]);
    expect(book.take(7, "OAuth_Token", "POST")).toEqual([{ kind: "token-outage" }]);
    expect(book.take(7, "Payments_Create", "POST")).toEqual([
      { kind: "status", status: 503, retryAfterSeconds: null, retryAfterHeader: false },
    ]);
  });
});

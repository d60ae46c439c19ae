// Table-driven tests of the shared runtime both integrations are built on.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, test } from "node:test";
import {
  classifyFailure,
  firstVersions,
  idempotencyKey,
  matchesFilters,
  type OperationSpec,
  prepareRequest,
  problemMessage,
  retryAfterSeconds,
  sameAmount,
  verifySignature,
  workerUrl,
} from "../src/runtime.ts";

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

const op: OperationSpec = {
  key: "post_payment",
  kind: "create",
  worker: "payment-posting",
  operationId: "createPayment",
  method: "POST",
  path: "/payments/{id}",
  resource: "Payment",
  noun: "Payment",
  label: "Post Payment",
  description: "",
  fixed: {},
  idempotent: true,
  events: [],
  sample: {},
  fields: [
    { key: "id", label: "ID", type: "integer", required: true, in: "path" },
    { key: "status", label: "Status", type: "string", required: false, in: "query", list: true },
    { key: "amount", label: "Amount", type: "string", required: false, in: "body" },
    { key: "typeId", label: "Type", type: "integer", required: false, in: "body" },
    { key: "allowOverpayment", label: "Allow", type: "boolean", required: false, in: "body" },
    {
      key: "splits",
      label: "Splits",
      type: "string",
      required: false,
      in: "body",
      children: [
        { key: "invoiceId", label: "Invoice", type: "integer", required: false, in: "body" },
        { key: "amount", label: "Amount", type: "string", required: true, in: "body" },
      ],
    },
    { key: "checkNumber", label: "Check", type: "string", required: false, in: "query", local: "equals" },
  ],
};

describe("workerUrl", () => {
  const cases: [string, { urls: Parameters<typeof workerUrl>[0]; want: string }][] = [
    ["one host", { urls: { baseUrl: "https://st.acme.com/" }, want: "https://st.acme.com" }],
    [
      "a {worker} pattern",
      {
        urls: { baseUrl: "https://acme-{worker}.a.workers.dev" },
        want: "https://acme-tax-zones.a.workers.dev",
      },
    ],
    [
      "an override wins",
      {
        urls: { baseUrl: "https://st.acme.com", overrides: { "tax-zones": " http://127.0.0.1:1/ " } },
        want: "http://127.0.0.1:1",
      },
    ],
    [
      "a blank override falls back",
      {
        urls: { baseUrl: "https://st.acme.com", overrides: { "tax-zones": " " } },
        want: "https://st.acme.com",
      },
    ],
  ];
  for (const [name, { urls, want }] of cases)
    test(name, () => assert.equal(workerUrl(urls, "tax-zones"), want));
  test("no URL is refused with the worker's name", () => {
    assert.throws(() => workerUrl({ baseUrl: "st.acme.com" }, "tax-zones"), /tax-zones/);
  });
});

describe("prepareRequest", () => {
  test("fills the path, joins lists, coerces ids and booleans, keeps money as text, drops blanks and local inputs", () => {
    const request = prepareRequest(op, {
      id: "42",
      status: ["Pending", " ", "Posted"],
      amount: 25.5,
      typeId: "",
      allowOverpayment: "false",
      splits: [
        { invoiceId: "7", amount: "10.00" },
        { invoiceId: "", amount: "" },
      ],
      checkNumber: "1042",
    });
    assert.deepEqual(request, {
      method: "POST",
      path: "/payments/42",
      query: { status: "Pending,Posted" },
      body: { amount: "25.5", allowOverpayment: false, splits: [{ invoiceId: 7, amount: "10.00" }] },
    });
  });
  test("members chosen to clear are sent as null; one also given a value, or not offered, is refused", () => {
    const update: OperationSpec = {
      ...op,
      method: "PATCH",
      path: "/invoices/{id}",
      fields: [
        { key: "id", label: "ID", type: "integer", required: true, in: "path" },
        { key: "summary", label: "Summary", type: "string", required: false, in: "body" },
        { key: "exportId", label: "Export ID", type: "string", required: false, in: "body" },
        {
          key: "fieldsToClear",
          label: "Fields to Clear",
          type: "string",
          required: false,
          in: "body",
          list: true,
          choices: [
            { value: "summary", label: "Summary" },
            { value: "exportId", label: "Export ID" },
          ],
          local: "clear",
        },
      ],
    };
    assert.deepEqual(prepareRequest(update, { id: "7", summary: "New", fieldsToClear: ["exportId"] }).body, {
      summary: "New",
      exportId: null,
    });
    // n8n and Zapier hand a multi-select as a list; typed by hand it is comma-separated text.
    assert.deepEqual(prepareRequest(update, { id: "7", fieldsToClear: "summary, exportId" }).body, {
      summary: null,
      exportId: null,
    });
    assert.deepEqual(prepareRequest(update, { id: "7", fieldsToClear: [] }).body, {});
    assert.deepEqual(prepareRequest(update, { id: "7", summary: "New" }).body, { summary: "New" });
    assert.throws(
      () => prepareRequest(update, { id: "7", summary: "New", fieldsToClear: ["summary"] }),
      /Summary is both given a value and chosen in Fields to Clear/,
    );
    assert.throws(
      () => prepareRequest(update, { id: "7", fieldsToClear: ["total"] }),
      /total is not a field this action can clear/,
    );
  });
  test("a required input missing is refused by name", () => {
    assert.throws(() => prepareRequest(op, { amount: "1" }), /ID is required/);
  });
  test("path values are encoded", () => {
    assert.equal(
      prepareRequest({ ...op, fields: [{ ...op.fields[0], type: "string" } as never] }, { id: "a/b" }).path,
      "/payments/a%2Fb",
    );
  });
});

describe("idempotencyKey", () => {
  const body = { amount: "1.00", splits: [{ invoiceId: 1, amount: "1.00" }] };
  test("the caller's printable reference is the key", () => {
    assert.equal(idempotencyKey({ reference: " order-1042 ", scope: ["x"], body }, sha256Hex), "order-1042");
  });
  test("a reference outside printable ASCII is hashed, stably", () => {
    const key = idempotencyKey({ reference: "Reçu 12", scope: [], body }, sha256Hex);
    assert.match(key, /^ref-[0-9a-f]{48}$/);
    assert.equal(idempotencyKey({ reference: "Reçu 12", scope: ["other"], body: {} }, sha256Hex), key);
  });
  test("derived keys: same step and body → same key, in any key order; another step or body → another", () => {
    const a = idempotencyKey({ scope: ["zapier", "post_payment", "zap-1"], body }, sha256Hex);
    const reordered = { splits: [{ amount: "1.00", invoiceId: 1 }], amount: "1.00" };
    assert.equal(
      idempotencyKey({ scope: ["zapier", "post_payment", "zap-1"], body: reordered }, sha256Hex),
      a,
    );
    assert.notEqual(idempotencyKey({ scope: ["zapier", "post_payment", "zap-2"], body }, sha256Hex), a);
    assert.notEqual(
      idempotencyKey({ scope: ["zapier", "post_payment", "zap-1"], body: { amount: "2.00" } }, sha256Hex),
      a,
    );
    assert.match(a, /^auto-[0-9a-f]{48}$/);
  });
});

describe("sameAmount", () => {
  const cases: [string, string, boolean][] = [
    ["25", "25.00", true],
    ["025.5", "25.50", true],
    ["-0", "0.00", true],
    ["25.01", "25.1", false],
    ["abc", "abc", false],
  ];
  for (const [a, b, want] of cases) test(`${a} vs ${b}`, () => assert.equal(sameAmount(a, b), want));
});

describe("classifyFailure", () => {
  const problem = (status: number, extra = {}) => ({
    type: "urn:st-edge:problem:x",
    title: "T",
    detail: "D.",
    status,
    errors: [{ in: "body", field: "splits.0.amount", message: "must be positive" }],
    requestId: "r-1",
    ...extra,
  });
  const cases: [
    string,
    { status: number; retryAfter?: number; random?: number; ours?: boolean; want: object },
  ][] = [
    [
      "429 waits Retry-After",
      { status: 429, retryAfter: 30, random: 0, want: { action: "throttle", delaySeconds: 30 } },
    ],
    [
      "429 jitter ≤ 20 %",
      { status: 429, retryAfter: 30, random: 0.999, want: { action: "throttle", delaySeconds: 36 } },
    ],
    ["429 without Retry-After", { status: 429, random: 0, want: { action: "throttle", delaySeconds: 10 } }],
    [
      "503 with Retry-After retries later",
      { status: 503, retryAfter: 1, random: 0, want: { action: "throttle", delaySeconds: 1 } },
    ],
    [
      "409 in use with Retry-After",
      { status: 409, retryAfter: 3, random: 0, want: { action: "throttle", delaySeconds: 3 } },
    ],
    ["503 without Retry-After", { status: 503, want: { action: "retry" } }],
    ["502", { status: 502, want: { action: "retry" } }],
    ["501 unsupported halts", { status: 501, want: { action: "halt" } }],
    ["400 halts", { status: 400, want: { action: "halt" } }],
    ["422 halts", { status: 422, want: { action: "halt" } }],
    ["401 asks to reconnect", { status: 401, want: { action: "reauth" } }],
    ["404 is not found", { status: 404, want: { action: "notFound" } }],
    ["a 404 page that is not ours halts", { status: 404, ours: false, want: { action: "halt" } }],
  ];
  for (const [name, { status, retryAfter, random = 0, ours = true, want }] of cases) {
    test(name, () => {
      const failure = classifyFailure({
        status,
        problem: ours ? problem(status) : undefined,
        retryAfter,
        url: "https://x/payments?a=1",
        random: () => random,
      });
      for (const [key, value] of Object.entries(want))
        assert.equal((failure as Record<string, unknown>)[key], value, key);
      if (!ours) assert.match(failure.message, /https:\/\/x\/payments: this is not/);
    });
  }
  test("the message is the title, detail, fields and request id", () => {
    assert.equal(
      problemMessage(problem(400)),
      "T: D. Fields: splits.0.amount: must be positive. (request id r-1)",
    );
  });
});

test("retryAfterSeconds reads seconds and HTTP dates", () => {
  const now = Date.parse("2026-12-01T00:00:00Z");
  assert.equal(retryAfterSeconds("7", now), 7);
  assert.equal(retryAfterSeconds("Tue, 01 Dec 2026 00:00:30 GMT", now), 30);
  assert.equal(retryAfterSeconds("soon", now), undefined);
});

test("firstVersions: one item per record created within the window, with the record's id", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  const items = [
    { id: "7-2026-12-01T11:00:00Z", paymentId: 7, createdOn: "2026-12-01T10:00:00Z" },
    { id: "7-2026-12-01T10:00:00Z", paymentId: 7, createdOn: "2026-12-01T10:00:00Z" },
    { id: "6-2026-12-01T11:00:00Z", paymentId: 6, createdOn: "2026-11-20T10:00:00Z" },
  ];
  assert.deepEqual(firstVersions(items, { recordIdField: "paymentId", now }), [
    { id: "7", paymentId: 7, createdOn: "2026-12-01T10:00:00Z", versionId: "7-2026-12-01T11:00:00Z" },
  ]);
});

describe("matchesFilters", () => {
  const newBill: OperationSpec = {
    ...op,
    key: "new_bill",
    kind: "trigger",
    fields: [
      { key: "vendorId", label: "Vendor", type: "integer", required: false, in: "query", item: "vendor.id" },
      {
        key: "status",
        label: "Status",
        type: "string",
        required: false,
        in: "query",
        list: true,
        item: "status",
      },
      { key: "billType", label: "Type", type: "string", required: false, in: "query" },
    ],
  };
  const bill = { id: "1-x", vendor: { id: 19000001 }, status: "Unreconciled" };
  const cases: [string, { item?: Record<string, unknown>; input: Record<string, unknown>; want: boolean }][] =
    [
      ["no filter", { input: {}, want: true }],
      ["blank filters", { input: { vendorId: "", status: [] }, want: true }],
      ["vendor by nested id, as text", { input: { vendorId: "19000001" }, want: true }],
      ["another vendor", { input: { vendorId: 19000002 }, want: false }],
      ["status one of a list", { input: { status: ["Canceled", "unreconciled"] }, want: true }],
      ["status as comma text", { input: { status: "Canceled, Unreconciled" }, want: true }],
      ["both must hold", { input: { vendorId: "19000001", status: ["Canceled"] }, want: false }],
      ["a filter without an item member is not applied", { input: { billType: "ApBill" }, want: true }],
      ["the member missing from the item", { item: { id: "1-x" }, input: { vendorId: 1 }, want: false }],
    ];
  for (const [name, c] of cases) {
    test(name, () => assert.equal(matchesFilters(newBill, c.item ?? bill, c.input), c.want));
  }
});

describe("verifySignature", () => {
  const hmac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("hex");
  const now = Date.parse("2026-12-01T12:00:00Z");
  const t = Math.floor(now / 1000);
  const body = '{"id":"7-x"}';
  const header = `t=${t},v1=${hmac("s3cret", `${t}.${body}`)}`;
  const cases: [
    string,
    { header: string | undefined; body: string; secret: string; at: number; want: boolean },
  ][] = [
    ["good", { header, body, secret: "s3cret", at: now, want: true }],
    ["another body", { header, body: '{"id":"8-x"}', secret: "s3cret", at: now, want: false }],
    ["another secret", { header, body, secret: "other", at: now, want: false }],
    ["stale", { header, body, secret: "s3cret", at: now + 301_000, want: false }],
    ["missing", { header: undefined, body, secret: "s3cret", at: now, want: false }],
  ];
  for (const [name, c] of cases) {
    test(name, () =>
      assert.equal(
        verifySignature({ header: c.header, body: c.body, secret: c.secret, now: c.at }, hmac),
        c.want,
      ),
    );
  }
});

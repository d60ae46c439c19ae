// The model built from the committed worker documents, and from fixtures that add what other
// workers will bring: an events worker with REST hooks (instant triggers switch on), a payment
// types list (the payment type dropdowns switch on), and a document gone (a stale catalog fails).
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { buildModel } from "../src/model.ts";

const specs = resolve(import.meta.dirname, "../../../specs/workers");
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the committed documents plus `extra` documents. */
function fixture(extra: Record<string, object>, drop: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "st-edge-specs-"));
  dirs.push(dir);
  cpSync(specs, dir, { recursive: true });
  for (const name of drop) rmSync(join(dir, name));
  for (const [name, doc] of Object.entries(extra)) writeFileSync(join(dir, name), JSON.stringify(doc));
  return dir;
}

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const events = {
  openapi: "3.1.0",
  info: { title: "ServiceTitan events" },
  paths: {
    "/hooks": {
      post: {
        operationId: "subscribe",
        requestBody: json({
          type: "object",
          properties: {
            event: {
              type: "string",
              enum: ["invoice.created", "invoice.updated", "payment.created", "bill.created"],
            },
            targetUrl: { type: "string" },
          },
        }),
        responses: { "201": json({ type: "object" }) },
      },
      get: { operationId: "listHooks", responses: { "200": json({ type: "array" }) } },
    },
    "/hooks/{id}": { delete: { operationId: "unsubscribe", responses: { "204": { description: "gone" } } } },
  },
};
const paymentTypes = {
  openapi: "3.1.0",
  info: { title: "ServiceTitan payment types" },
  paths: {
    "/payment-types": {
      get: {
        operationId: "listPaymentTypes",
        tags: ["Payment types"],
        responses: { "200": json({ type: "object", properties: { data: { type: "array" } } }) },
      },
    },
  },
};

describe("the committed documents", () => {
  const model = buildModel(specs);
  test("every operation is a trigger, search or create with a sample that has an id", () => {
    assert.ok(model.operations.length >= 20);
    for (const op of model.operations) {
      assert.ok(["trigger", "search", "create"].includes(op.kind), op.key);
      assert.ok(op.sample.id !== undefined && op.sample.id !== null, `${op.key} sample id`);
      assert.match(op.key, /^[a-z][a-z0-9_]*$/);
    }
  });
  test("money inputs stay text; the payment create needs its Idempotency-Key and offers a reference", () => {
    const post = model.operations.find((o) => o.operationId === "createPayment");
    assert.ok(post?.idempotent);
    assert.equal(post.fields.find((f) => f.key === "amount")?.type, "string");
    assert.equal(post.fields.find((f) => f.key === "idempotencyKey")?.local, "reference");
    assert.deepEqual(
      post.fields.find((f) => f.key === "splits")?.children?.map((c) => [c.key, c.type]),
      [
        ["invoiceId", "integer"],
        ["invoiceNumber", "string"],
        ["amount", "string"],
      ],
    );
  });
  test("the events worker's REST hooks make its triggers instant; its operator routes are no steps", () => {
    assert.equal(model.hooks?.worker, "events");
    const instant = Object.fromEntries(model.operations.map((o) => [o.key, o.events]));
    assert.deepEqual(instant.payment_changed, ["payment.created", "payment.updated"]);
    for (const omitted of [
      "receiveServiceTitanWebhook",
      "publishChange",
      "listDeadLetters",
      "replayDeadLetter",
      "getWatcher",
    ])
      assert.ok(!model.operations.some((o) => o.operationId === omitted), omitted);
  });
  test("the payment check is an action without an Idempotency-Key, with the post's inputs", () => {
    const check = model.operations.find((o) => o.operationId === "checkPayment");
    const post = model.operations.find((o) => o.operationId === "createPayment");
    assert.equal(check?.kind, "create");
    assert.equal(check.key, "check_payment");
    assert.equal(check.idempotent, false);
    assert.equal(check.hidden, undefined);
    assert.deepEqual(
      check.fields.map((f) => [f.key, f.label]),
      post?.fields.filter((f) => f.key !== "idempotencyKey").map((f) => [f.key, f.label]),
    );
  });
  test("an update offers to clear what null clears; a create and other updates offer nothing to clear", () => {
    const update = model.operations.find((o) => o.method === "PATCH" && o.path === "/invoices/{id}");
    const clear = update?.fields.find((f) => f.key === "fieldsToClear");
    assert.equal(clear?.local, "clear");
    assert.equal(clear.list, true);
    assert.deepEqual(
      clear.choices?.map((c) => c.value),
      [
        "summary",
        "assignedToId",
        "exportId",
        "budgetCodeId",
        "royaltyStatus",
        "royaltyDate",
        "royaltySentOn",
        "royaltyMemo",
      ],
    );
    // Adjustments take nullable members too, but a new invoice has nothing to clear.
    const adjustment = model.operations.find((o) => o.path === "/invoices/{id}/adjustments");
    assert.ok(adjustment);
    assert.ok(adjustment.fields.some((f) => f.key === "summary"));
    assert.ok(!adjustment.fields.some((f) => f.key === "fieldsToClear"));
    const payment = model.operations.find((o) => o.method === "PATCH" && o.path === "/payments/{id}");
    assert.ok(payment && !payment.fields.some((f) => f.key === "fieldsToClear"));
  });
  test("instant triggers know which filters a delivery can be matched on", () => {
    assert.equal(model.hooks?.listPath, "/hooks");
    const newBill = model.operations.find((o) => o.key === "new_bill");
    assert.deepEqual(newBill?.events, ["bill.created"]);
    assert.deepEqual(
      newBill.fields.map((f) => [f.key, f.item]),
      [
        ["vendorId", "vendor.id"],
        ["status", "status"],
        ["billType", undefined],
      ],
    );
    assert.deepEqual(model.operations.find((o) => o.key === "bill_changed")?.events, []);
  });
  test("without an events worker every trigger polls, and payment types have no dropdown", () => {
    const model = buildModel(fixture({}, ["events.openapi.json"]));
    assert.equal(model.hooks, null);
    assert.ok(model.operations.every((o) => o.events.length === 0));
    assert.deepEqual(model.dropdowns.map((d) => d.key).sort(), ["paymentTerms", "taxZones"]);
    const post = model.operations.find((o) => o.operationId === "createPayment");
    assert.equal(post?.fields.find((f) => f.key === "paymentType")?.dropdown, undefined);
  });
});

test("an events worker switches instant triggers on, for the events it offers", () => {
  const model = buildModel(fixture({ "events.openapi.json": events }));
  assert.equal(model.hooks?.worker, "events");
  const events_ = Object.fromEntries(model.operations.map((o) => [o.key, o.events]));
  assert.deepEqual(events_.invoice_changed, ["invoice.created", "invoice.updated"]);
  assert.deepEqual(events_.new_payment, ["payment.created"]);
  assert.deepEqual(events_.payment_changed, ["payment.created"], "payment.updated is not offered");
  assert.deepEqual(events_.bill_changed, []);
  assert.ok(
    !model.operations.some((o) => o.path.startsWith("/hooks")),
    "subscription routes are not actions",
  );
});

test("a payment types list switches the payment type dropdowns on", () => {
  const model = buildModel(fixture({ "payment-types.openapi.json": paymentTypes }));
  const post = model.operations.find((o) => o.operationId === "createPayment");
  assert.equal(post?.fields.find((f) => f.key === "paymentType")?.dropdown, "paymentTypeNames");
  assert.equal(post?.fields.find((f) => f.key === "typeId")?.dropdown, "paymentTypeIds");
  assert.ok(model.operations.some((o) => o.operationId === "listPaymentTypes" && o.kind === "search"));
});

test("a new worker's operation is generated with labels from its document", () => {
  const model = buildModel(fixture({ "payment-types.openapi.json": paymentTypes }));
  const op = model.operations.find((o) => o.operationId === "listPaymentTypes");
  assert.equal(op?.key, "list_payment_types");
  assert.equal(op?.noun, "Payment Type");
  assert.equal(op?.worker, "payment-types");
});

test("catalog entries whose operation is gone fail the generation", () => {
  assert.throws(
    () => buildModel(fixture({}, ["bills.openapi.json"])),
    /describes operations no document has: listBills/,
  );
});

// The built n8n nodes (dist/, from `n8n-node build`) run every search, create and trigger against
// the real workers and the simulator: one stack for the suite on ST_EDGE_PORT_BASE + 60.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startHooksStandIn } from "../../../scripts/lib/hooks-stand-in.mjs";
import { startTestStack } from "../../../scripts/lib/test-stack.mjs";
import { OPERATIONS } from "../dist/nodes/ServiceTitanEdge/generated/model.js";
import { subscribeHooks, unsubscribeHooks } from "../dist/nodes/ServiceTitanEdge/hooks.js";
import { ServiceTitanEdge } from "../dist/nodes/ServiceTitanEdge/ServiceTitanEdge.node.js";
import { ServiceTitanEdgeHookTrigger } from "../dist/nodes/ServiceTitanEdge/ServiceTitanEdgeHookTrigger.node.js";
import { ServiceTitanEdgeTrigger } from "../dist/nodes/ServiceTitanEdge/ServiceTitanEdgeTrigger.node.js";
import { context } from "./context.mjs";

let stack;
let credentials;
const covered = new Set();
const node = new ServiceTitanEdge();
const opOf = (value) => OPERATIONS.find((o) => o.value === value && o.kind !== "trigger");

/** Runs one operation of the regular node; `fields` become its parameters. */
async function run(operation, fields = {}, options = {}) {
  const op = opOf(operation);
  assert.ok(op, `operation ${operation} exists`);
  covered.add(op.key);
  const collection = op.kind === "search" ? "filters" : "additionalFields";
  const required = Object.fromEntries(
    op.fields.filter((f) => f.required || f.children).map((f) => [f.key, fields[f.key]]),
  );
  const optional = Object.fromEntries(
    Object.entries(fields).filter(([key]) => !(key in required) && fields[key] !== undefined),
  );
  const ctx = context({
    credentials,
    parameters: { resource: op.resourceValue, operation, ...required, [collection]: optional },
    ...options,
  });
  const [out] = await node.execute.call(ctx);
  return out.map((item) => item.json);
}

async function rejects(promise) {
  try {
    await promise;
  } catch (error) {
    assert.doesNotMatch(error.message, /\n\s+at /);
    assert.ok(!JSON.stringify(error).includes(stack.apiKey), "the API key never appears in an error");
    return error;
  }
  assert.fail("expected an error");
}

async function openInvoices() {
  const invoices = await run("findInvoices", { status: ["Posted", "Pending"], limit: 100 });
  const open = invoices.filter((i) => i.active && Number(i.balance) >= 20);
  const pair = [...Map.groupBy(open, (i) => i.customer?.id).values()].find((list) => list.length >= 2);
  assert.ok(pair);
  return { single: open.find((i) => !pair.includes(i)) ?? open[0], pair };
}

before(async () => {
  stack = await startTestStack({ instance: "n8n-test", offset: 60 });
  credentials = {
    baseUrl: stack.url("invoice-lookup"),
    apiKey: stack.apiKey,
    ...Object.fromEntries(stack.workers.map((w) => [`url_${w.replaceAll("-", "_")}`, stack.url(w)])),
  };
});
after(() => stack?.stop());

describe("node: searches", () => {
  test("invoices: find by number, job, customer; get by id; several by id", async () => {
    const invoices = await run("findInvoices", { status: ["Posted"], limit: 20 });
    const one = invoices.find((i) => i.job?.number);
    assert.ok(one);
    assert.ok((await run("findInvoices", { number: one.referenceNumber })).some((i) => i.id === one.id));
    assert.ok((await run("findInvoices", { jobNumber: one.job.number })).some((i) => i.id === one.id));
    assert.ok(
      (await run("findInvoices", { customerId: one.customer.id })).every(
        (i) => i.customer.id === one.customer.id,
      ),
    );
    const [byId] = await run("findInvoiceById", { id: one.id, include: "payments" });
    assert.equal(byId.referenceNumber, one.referenceNumber);
    assert.deepEqual(await run("findInvoiceById", { id: 19999999 }), [], "not found: no items");
    const several = await run("findInvoicesByIds", { ids: `${one.id}` });
    assert.deepEqual(
      several.map((i) => i.id),
      [one.id],
    );
  });

  test("tax zones, payment terms, due date, bills", async () => {
    const [zone] = await run("findTaxZone", { name: "a" });
    assert.equal((await run("findTaxZoneById", { id: zone.id }))[0].name, zone.name);
    const { single } = await openInvoices();
    const [resolved] = await run("findTaxZoneForInvoice", { invoiceId: single.id });
    assert.equal(resolved.taxZone.id, single.taxZoneId);
    const [term] = await run("findPaymentTerm", { name: "Net" });
    assert.equal((await run("findPaymentTermById", { id: term.id }))[0].name, term.name);
    const [due] = await run("findDueDate", { id: 18200004, invoiceDate: "2026-01-31", amount: "100.00" });
    assert.equal(due.dueDate, "2026-03-02");
    const bills = await run("findBills", { billType: "NotSet" });
    assert.ok(bills.length > 0);
    assert.equal((await run("findBillById", { id: bills[0].id }))[0].id, bills[0].id);
  });

  test("mark AP and inventory bills exported: one result per bill", async () => {
    const [bill] = await run("findBills", { billType: "NotSet" });
    const [marked] = await run("markBillsExported", { billIds: [bill.id, 99999999] });
    assert.deepEqual(
      marked.results.map((r) => [r.billId, r.success]),
      [
        [bill.id, true],
        [99999999, false],
      ],
    );
    assert.match((await run("findBillById", { id: bill.id }))[0].syncStatus, /Exported/);
    const [inventory] = await run("markInventoryBillsExported", { inventoryBillIds: [bill.id] });
    assert.equal(inventory.results.length, 1);
  });

  test("dropdowns load tax zones and payment terms", async () => {
    const ctx = context({ credentials });
    const zones = await node.methods.loadOptions.taxZones.call(ctx);
    const terms = await node.methods.loadOptions.paymentTerms.call(ctx);
    assert.ok(zones.length > 0 && terms.length > 0);
    assert.equal(typeof zones[0].name, "string");
    assert.equal(typeof terms[0].value, "number");
  });

  test("a refused input is a NodeApiError with the problem's title, detail and fields", async () => {
    const error = await rejects(run("findDueDate", { id: 18200004, invoiceDate: "31/01/2026" }));
    assert.equal(error.name, "NodeApiError");
    assert.equal(error.httpCode, "400");
    assert.match(error.message, /^The request is not valid/);
    assert.match(error.message, /Fields: invoiceDate: /);
  });

  test("with continueOnFail the refused item comes out with the problem", async () => {
    const out = await run(
      "findDueDate",
      { id: 18200004, invoiceDate: "not a date" },
      { continueOnFail: true },
    );
    assert.equal(out.length, 1);
    assert.equal(out[0].type, "urn:st-edge:problem:validation-failed");
    assert.equal(out[0].errors[0].field, "invoiceDate");
    assert.match(out[0].error, /The request is not valid/);
  });

  test("a ServiceTitan 429 is a NodeApiError that says when to retry", async () => {
    await stack.setFaults([
      { fault: "status=429;retry-after=30", operationId: "Invoices_GetList", times: 1 },
    ]);
    try {
      const error = await rejects(run("findInvoices", { number: "100001" }));
      assert.equal(error.name, "NodeApiError");
      assert.equal(error.httpCode, "429");
      assert.match(error.description, /Retry after 3\d s/);
    } finally {
      await stack.clearFaults();
    }
  });

  test("a wrong API key says so without showing it", async () => {
    const ctx = context({
      credentials: { ...credentials, apiKey: "ste_wrong_key_abc" },
      parameters: { resource: "taxZone", operation: "findTaxZone", filters: {} },
    });
    const error = await rejects(node.execute.call(ctx));
    assert.equal(error.httpCode, "401");
    assert.match(error.description, /refused the credential's API key/);
    assert.ok(!JSON.stringify(error).includes("ste_wrong_key_abc"));
  });
});

describe("node: creates", () => {
  test("post a payment with splits, run again: one payment, the first answer", async () => {
    const { pair } = await openInvoices();
    const fields = {
      splits: { split: pair.map((i) => ({ invoiceId: i.id, amount: "10.00" })) },
      paymentType: "Check",
      checkNumber: "8001",
      memo: "n8n split test",
    };
    const [first] = await run("postPayment", fields);
    assert.equal(first.amount, "20.00");
    assert.equal(first.idempotentReplayed, false);
    const [again] = await run("postPayment", fields);
    assert.equal(again.id, first.id);
    assert.equal(again.idempotentReplayed, true);
    const ledger = await stack.ledger();
    assert.equal(ledger.payments.filter((p) => p.memo?.startsWith("n8n split test")).length, 1);
    const found = await run("findPayment", { invoiceId: pair[0].id, checkNumber: "8001" });
    assert.deepEqual(
      found.map((p) => p.id),
      [first.id],
    );
    assert.equal((await run("findPaymentById", { id: first.id }))[0].checkNumber, "8001");
  });

  test("the same inputs as two items are two payments; a reference makes them one", async () => {
    const { single } = await openInvoices();
    const item = { invoiceId: single.id, amount: "1.00", paymentType: "Cash", memo: "n8n two items" };
    const op = opOf("postPayment");
    const twoItems = (extra) =>
      node.execute.call(
        context({
          credentials,
          items: [{ json: {} }, { json: {} }],
          parameters: {
            resource: op.resourceValue,
            operation: "postPayment",
            splits: {},
            additionalFields: { ...item, ...extra },
          },
        }),
      );
    const [out] = await twoItems({});
    assert.notEqual(out[0].json.id, out[1].json.id, "two items, two payments");
    const [withReference] = await twoItems({ idempotencyKey: "n8n-order-77" });
    assert.equal(withReference[0].json.id, withReference[1].json.id, "one reference, one payment");
    assert.equal(withReference[1].json.idempotentReplayed, true);
  });

  test("update a payment, set its status, calculate tax", async () => {
    const { single } = await openInvoices();
    const [posted] = await run("postPayment", {
      invoiceId: single.id,
      amount: "2.00",
      paymentType: "Cash",
      memo: "n8n update",
    });
    const [updated] = await run("updatePayment", { id: posted.id, memo: "changed in n8n" });
    assert.equal(updated.memo, "changed in n8n");
    const [status] = await run("updatePaymentStatus", { paymentIds: `${posted.id}`, status: "Exported" });
    assert.equal(status.status, "Exported");
    const [quote] = await run("calculateTax", { id: 18000004, labor: "60.00", material: "40.00" });
    assert.equal(quote.totalTax, "5.30");
  });
});

describe("triggers", () => {
  const poll = async (event, staticData, mode = "trigger", filters = {}) => {
    covered.add(OPERATIONS.find((o) => o.kind === "trigger" && o.value === event).key);
    const ctx = context({ credentials, parameters: { event, filters }, staticData, mode });
    return new ServiceTitanEdgeTrigger().poll.call(ctx);
  };

  test("payments: the first poll remembers, a new payment fires once per version", async () => {
    const changed = {};
    const fresh = {};
    assert.equal(await poll("paymentChanged", changed), null);
    assert.equal(await poll("newPayment", fresh), null);
    const { single } = await openInvoices();
    const [posted] = await run("postPayment", { invoiceId: single.id, amount: "1.50", paymentType: "Cash" });
    const [versions] = await poll("paymentChanged", changed);
    assert.ok(versions.some((item) => item.json.paymentId === posted.id));
    assert.equal(await poll("paymentChanged", changed), null, "the same version does not fire again");
    const [created] = await poll("newPayment", fresh);
    assert.deepEqual(
      created.map((item) => item.json.id),
      [String(posted.id)],
    );
  });

  test("invoices and bills: manual mode shows one sample, versions are remembered", async () => {
    const [sample] = await poll("invoiceChanged", {}, "manual");
    assert.equal(sample.length, 1);
    assert.equal(sample[0].json.id, `${sample[0].json.invoiceId}-${sample[0].json.modifiedOn}`);
    assert.equal(
      await poll("newInvoice", {}, "manual"),
      null,
      "no invoice was created today in the simulator",
    );
    const bills = {};
    assert.equal(await poll("newBill", bills, "trigger", { billType: "NotSet" }), null);
    assert.ok(bills.seen.length > 0);
    assert.equal(await poll("newBill", bills, "trigger", { billType: "NotSet" }), null);
    const [changed] = await poll("billChanged", {}, "manual", { billType: "NotSet" });
    assert.match(changed[0].json.id, /^\d+-\d{4}-/);
  });

  test("REST hooks: one subscription per event for the webhook URL, deleted on deactivation", async () => {
    // A stand-in for workers/events' hook routes until that worker exists (see hooks-stand-in.mjs).
    const hooks = await startHooksStandIn({
      apiKey: stack.apiKey,
      events: ["payment.created", "payment.updated"],
    });
    try {
      const routes = { worker: "events", subscribePath: "/hooks", unsubscribePath: "/hooks/{id}" };
      const ctx = context({ credentials: { baseUrl: hooks.url, apiKey: stack.apiKey } });
      const target = "https://n8n.example/webhook/abc/webhook";
      const ids = await subscribeHooks(ctx, routes, ["payment.created", "payment.updated"], target);
      assert.deepEqual(
        hooks.hooks().map((h) => [h.id, h.event, h.targetUrl]),
        [
          [ids[0], "payment.created", target],
          [ids[1], "payment.updated", target],
        ],
      );
      await unsubscribeHooks(ctx, routes, ids);
      assert.deepEqual(hooks.hooks(), []);
      const refused = await rejects(subscribeHooks(ctx, routes, ["bill.created"], target));
      assert.equal(refused.httpCode, "400");
    } finally {
      await hooks.close();
    }
  });

  test("a delivery is one item; with a hook secret, only a valid X-Signature is accepted", async () => {
    const hook = new ServiceTitanEdgeHookTrigger();
    const body = { id: "13000001-2026-12-01T10:00:00.0000000Z", paymentId: 13000001 };
    const t = Math.floor(Date.now() / 1000);
    const sign = (secret) =>
      `t=${t},v1=${createHmac("sha256", secret)
        .update(`${t}.${JSON.stringify(body)}`)
        .digest("hex")}`;
    const deliver = async (secret, signature) => {
      const ctx = context({
        credentials: { ...credentials, hookSecret: secret },
        parameters: { event: "paymentChanged" },
        body,
        headers: signature ? { "x-signature": signature } : {},
      });
      const result = await hook.webhook.call(ctx);
      return { items: result.workflowData, status: ctx.responses[0]?.statusCode };
    };
    assert.deepEqual(await deliver("", undefined), { items: [[{ json: body }]], status: undefined });
    assert.deepEqual(await deliver("s3cret", sign("s3cret")), {
      items: [[{ json: body }]],
      status: undefined,
    });
    assert.deepEqual(await deliver("s3cret", sign("other")), { items: undefined, status: 401 });
    assert.deepEqual(await deliver("s3cret", undefined), { items: undefined, status: 401 });
  });

  test("the instant trigger says there is no events worker until there is one", async () => {
    const hook = new ServiceTitanEdgeHookTrigger();
    const ctx = context({ credentials, parameters: { event: "paymentChanged" } });
    await assert.rejects(hook.webhookMethods.default.create.call(ctx), /offers no instant event/);
  });
});

test("every generated operation ran above", () => {
  const missing = OPERATIONS.map((o) => o.key).filter((key) => !covered.has(key));
  assert.deepEqual(missing, [], "add a test for each new operation");
});

// The built n8n nodes (dist/, from `n8n-node build`) run every search, create and trigger against
// the real workers and the simulator (one stack for the suite on ST_EDGE_PORT_BASE + 60), the
// instant trigger against the real events worker, with deliveries to a receiver in this process.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startHookReceiver } from "../../../scripts/lib/hook-receiver.mjs";
import { startTestStack } from "../../../scripts/lib/test-stack.mjs";
import { HOOKS, OPERATIONS } from "../dist/nodes/ServiceTitanEdge/generated/model.js";
import { subscribeHooks } from "../dist/nodes/ServiceTitanEdge/hooks.js";
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

  test("post a payment to an unknown invoice: a NodeApiError with the problem, not an empty output", async () => {
    const error = await rejects(
      run("postPayment", { invoiceId: 19999999, amount: "5.00", paymentType: "Cash" }),
    );
    assert.equal(error.name, "NodeApiError");
    assert.equal(error.httpCode, "404");
    assert.match(error.message, /19999999|not found/i);
  });

  test("check a payment before posting: what it would do, nothing written; a refusal's reason", async () => {
    const { pair, single } = await openInvoices();
    const before = (await stack.ledger()).payments.length;
    const [checked] = await run("checkPayment", {
      splits: { split: pair.map((i) => ({ invoiceId: i.id, amount: "3.00" })) },
      paymentType: "Check",
    });
    assert.equal(checked.ok, true);
    assert.equal(checked.amount, "6.00");
    assert.equal("idempotentReplayed" in checked, false);
    assert.deepEqual(
      checked.splits.map((s) => [s.invoiceId, s.balance]),
      pair.map((i) => [i.id, i.balance]),
    );
    const over = (Number(single.balance) + 100).toFixed(2);
    const refused = await rejects(
      run("checkPayment", { invoiceId: single.id, amount: over, paymentType: "Cash" }),
    );
    assert.equal(refused.name, "NodeApiError");
    assert.match(refused.message, /balance|overpa/i);
    const out = await run(
      "checkPayment",
      { invoiceId: single.id, amount: over, paymentType: "Cash" },
      { continueOnFail: true },
    );
    assert.match(
      out[0].type,
      /^urn:st-edge:problem:/,
      "with continueOnFail, the refusal is an item to branch on",
    );
    assert.equal((await stack.ledger()).payments.length, before, "nothing posted");
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

/** One poll of the polling trigger, with the workflow's static data. */
async function poll(event, staticData, mode = "trigger", filters = {}) {
  covered.add(OPERATIONS.find((o) => o.kind === "trigger" && o.value === event).key);
  const ctx = context({ credentials, parameters: { event, filters }, staticData, mode });
  return new ServiceTitanEdgeTrigger().poll.call(ctx);
}

describe("polling trigger", () => {
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
});

describe("instant trigger on the events worker", () => {
  let receiver;
  const hook = new ServiceTitanEdgeHookTrigger();
  before(async () => {
    receiver = await startHookReceiver();
  });
  after(() => receiver?.close());

  /** The trigger's webhook methods as n8n calls them on activation and deactivation. */
  const activation = (event, path, staticData = {}) => {
    covered.add(OPERATIONS.find((o) => o.kind === "trigger" && o.value === event).key);
    const ctx = context({
      credentials,
      parameters: { event },
      staticData,
      webhookUrl: receiver.url(path),
    });
    const methods = hook.webhookMethods.default;
    return {
      staticData,
      exists: () => methods.checkExists.call(ctx),
      create: () => methods.create.call(ctx),
      delete: () => methods.delete.call(ctx),
    };
  };
  /** A delivery as n8n's webhook hands it to the node: parsed body, headers, raw body. */
  const receive = async (event, delivery, secret = stack.hookSecret) => {
    const ctx = context({
      credentials: { ...credentials, hookSecret: secret },
      parameters: { event },
      body: JSON.parse(delivery.rawBody),
      rawBody: delivery.rawBody,
      headers: delivery.headers,
    });
    const result = await hook.webhook.call(ctx);
    return {
      items: result.workflowData?.[0]?.map((item) => item.json),
      status: ctx.responses[0]?.statusCode,
    };
  };

  test("every instant event subscribes on activation, is checked on the events worker, and is deleted", async () => {
    const instant = OPERATIONS.filter((o) => o.kind === "trigger" && o.events.length > 0);
    assert.deepEqual(instant.map((o) => o.value).sort(), [
      "invoiceChanged",
      "newBill",
      "newInvoice",
      "newPayment",
      "paymentChanged",
    ]);
    assert.equal(HOOKS.listPath, "/hooks");
    for (const op of instant) {
      const path = `/activate-${op.value}`;
      const workflow = activation(op.value, path);
      assert.equal(await workflow.exists(), false);
      await workflow.create();
      const ids = workflow.staticData.hookIds;
      const mine = (await stack.hooks()).filter((h) => h.targetUrl === receiver.url(path));
      assert.deepEqual(
        mine.map((h) => [h.id, h.event]),
        op.events.map((event, i) => [ids[i], event]),
        op.value,
      );
      assert.equal(await workflow.exists(), true);
      await workflow.delete();
      assert.equal(workflow.staticData.hookIds, undefined);
      assert.deepEqual(
        (await stack.hooks()).filter((h) => h.targetUrl === receiver.url(path)),
        [],
      );
    }
  });

  test("a hook removed on the events worker is noticed and subscribed again", async () => {
    const workflow = activation("paymentChanged", "/removed");
    await workflow.create();
    const [first, second] = workflow.staticData.hookIds;
    const removed = await fetch(`${stack.url("events")}/hooks/${first}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${stack.apiKey}` },
    });
    assert.equal(removed.status, 204);
    assert.equal(await workflow.exists(), false, "checkExists asks the events worker");
    await workflow.create();
    const [again, kept] = workflow.staticData.hookIds;
    assert.notEqual(again, first);
    assert.equal(kept, second, "the hook still there is the same subscription");
    await workflow.delete();
  });

  test("a refused subscription is a NodeApiError with the problem", async () => {
    const ctx = context({ credentials });
    // Private addresses are refused even locally (checked by address: nothing is sent there).
    const refused = await rejects(subscribeHooks(ctx, HOOKS, ["payment.created"], "http://10.1.2.3/hook"));
    assert.equal(refused.name, "NodeApiError");
    assert.match(refused.httpCode, /^4\d\d$/);
  });

  test("a payment posted through n8n arrives signed; the trigger checks the signature and starts with the poll's item", async () => {
    const changed = activation("paymentChanged", "/n8n-payment-changed");
    const fresh = activation("newPayment", "/n8n-new-payment");
    await changed.create();
    await fresh.create();
    try {
      const { single } = await openInvoices();
      const [posted] = await run("postPayment", {
        invoiceId: single.id,
        amount: "1.75",
        paymentType: "Cash",
        memo: "n8n instant test",
      });
      const forPosted = (path) => (d) => d.path === path && d.body?.paymentId === posted.id;
      const delivery = await receiver.next(forPosted("/n8n-payment-changed"));
      assert.equal(delivery.headers["x-event"], "payment.created");

      const accepted = await receive("paymentChanged", delivery);
      assert.equal(accepted.status, undefined, "answered by n8n as received");
      assert.deepEqual(accepted.items, [delivery.body]);
      // The same item the polling trigger emits for that version.
      const [polled] = await poll("paymentChanged", { seen: [] });
      assert.deepEqual(
        polled.map((i) => i.json).find((i) => i.id === delivery.body.id),
        delivery.body,
      );

      const tampered = { ...delivery, rawBody: delivery.rawBody.replace('"1.75"', '"17.50"') };
      assert.notEqual(tampered.rawBody, delivery.rawBody);
      assert.deepEqual(await receive("paymentChanged", tampered), { items: undefined, status: 401 });
      assert.deepEqual(await receive("paymentChanged", delivery, "not-the-deployment-secret"), {
        items: undefined,
        status: 401,
      });
      const unsigned = { ...delivery, headers: { ...delivery.headers, "x-signature": undefined } };
      assert.deepEqual(await receive("paymentChanged", unsigned), { items: undefined, status: 401 });
      assert.deepEqual(
        (await receive("paymentChanged", unsigned, "")).items,
        [delivery.body],
        "without a secret in the credential, deliveries are taken as they come",
      );

      const first = await receiver.next(forPosted("/n8n-new-payment"));
      const { items } = await receive("newPayment", first);
      assert.deepEqual(
        items.map((i) => [i.id, i.versionId]),
        [[String(posted.id), first.body.id]],
        "New Payment starts with the payment's own id",
      );
    } finally {
      await changed.delete();
      await fresh.delete();
    }
  });

  test("an event without instant delivery says so on activation", async () => {
    const ctx = context({ credentials, parameters: { event: "billChanged" } });
    await assert.rejects(hook.webhookMethods.default.create.call(ctx), /offers no instant event/);
  });
});

/** A decimal text as whole cents, exactly ("-12.30" → -1230n): money is never compared as floats. */
function cents(text) {
  const [, sign, whole, fraction = ""] = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text) ?? [];
  assert.ok(whole !== undefined, `${text} is a decimal`);
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign ? -value : value;
}

/** Active invoices of a status that no payment has touched. */
async function untouched(status) {
  const invoices = await run("findInvoices", { status: [status], limit: 100 });
  const found = invoices.filter((i) => i.active && i.balance === i.total && cents(i.total) > 0n);
  assert.ok(found.length >= 2, `the simulator has ${status} invoices without payments`);
  return found;
}

describe("node: invoice changes, export marks and adjustments", () => {
  test("add, update and delete an item, update the invoice: exact totals; a locked invoice's refusal", async () => {
    const [invoice] = (await untouched("Pending")).slice(-1);
    const [added] = await run("addInvoiceItem", {
      id: invoice.id,
      skuName: "SVC-DIAG",
      description: "Trip charge (n8n)",
      quantity: "1",
      unitPrice: "49.99",
    });
    assert.equal(cents(added.subTotal) - cents(invoice.subTotal), 4999n);
    assert.equal(cents(added.total), cents(added.subTotal) + cents(added.salesTax));
    const [changed] = await run("updateInvoiceItem", { id: invoice.id, itemId: added.itemId, quantity: "3" });
    assert.equal(cents(changed.subTotal) - cents(invoice.subTotal), 14997n, "3 × 49.99 exactly");
    const [deleted] = await run("deleteInvoiceItem", { id: invoice.id, itemId: added.itemId });
    assert.equal(deleted.subTotal, invoice.subTotal);
    assert.ok(!deleted.items.some((item) => item.id === added.itemId));
    const [updated] = await run("updateInvoice", { id: invoice.id, summary: "Checked by n8n" });
    assert.equal(updated.summary, "Checked by n8n");
    // n8n cannot send null: a field chosen in Fields to Clear is sent as null, and emptied.
    const [cleared] = await run("updateInvoice", { id: invoice.id, fieldsToClear: ["summary"] });
    assert.equal(cleared.summary, null);

    const exported = (await untouched("Exported")).find((i) => i.items?.length > 0);
    assert.ok(exported, "an unpaid exported invoice with items");
    const error = await rejects(run("deleteInvoiceItem", { id: exported.id, itemId: exported.items[0].id }));
    assert.equal(error.name, "NodeApiError");
    assert.equal(error.httpCode, "422");
    assert.match(error.message, /^The invoice's items and amounts cannot be changed/);
    assert.equal((await run("findInvoiceById", { id: exported.id }))[0].items.length, exported.items.length);
  });

  test("custom field types and values on an invoice", async () => {
    const types = await run("findInvoiceCustomFieldType", { name: "months" });
    assert.deepEqual(
      types.map((t) => [t.name, t.dataType]),
      [["Warranty Months", "Numeric"]],
    );
    const [invoice] = await untouched("Pending");
    const [set] = await run("setInvoiceCustomFields", {
      id: invoice.id,
      customFields: { split: [{ name: "Warranty Months", value: "12" }] },
    });
    assert.deepEqual(
      set.customFields.filter((f) => f.name === "Warranty Months"),
      [{ name: "Warranty Months", value: "12" }],
    );
    const refused = await rejects(
      run("setInvoiceCustomFields", {
        id: invoice.id,
        customFields: { split: [{ name: "Warranty Months", value: "twelve" }] },
      }),
    );
    assert.equal(refused.httpCode, "422");
  });

  test("mark invoices exported, one result per invoice; the drift trigger fires once per later edit", async () => {
    const [invoice] = await untouched("Pending");
    const [marked] = await run("markInvoicesExported", {
      invoices: {
        split: [{ invoiceId: invoice.id, externalId: `XERO-${invoice.id}` }, { invoiceId: 31337 }],
      },
    });
    assert.deepEqual(
      marked.results.map((r) => [r.invoiceId, r.success]),
      [
        [invoice.id, true],
        [31337, false],
      ],
    );
    const drift = {};
    assert.equal(await poll("invoiceChangedAfterExport", drift), null, "the first poll remembers");
    await run("updateInvoice", { id: invoice.id, summary: "Discount agreed (n8n)" });
    const [fired] = await poll("invoiceChangedAfterExport", drift);
    const mine = fired.filter((item) => item.json.invoiceId === invoice.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].json.exportedAs, `XERO-${invoice.id}`);
    assert.equal(mine[0].json.id, `${invoice.id}-${mine[0].json.modifiedOn}`);
    assert.equal(await poll("invoiceChangedAfterExport", drift), null, "the same edit does not fire again");
    await run("markInvoicesExported", { invoices: { split: [{ invoiceId: invoice.id }] } });
    await run("updateInvoice", { id: invoice.id, reviewStatus: "Reviewed" });
    const [again] = await poll("invoiceChangedAfterExport", drift);
    assert.deepEqual(
      again.filter((item) => item.json.invoiceId === invoice.id).length,
      1,
      "an edit after the new mark is a new item",
    );
  });

  test("create an adjustment invoice, run again: one adjustment, the first answer", async () => {
    const [original] = (await untouched("Posted")).slice(-1);
    const fields = {
      id: original.id,
      royaltyMemo: "n8n credit",
      items: { split: [{ skuName: "PM-PROMO", description: "Credit", quantity: "1", unitPrice: "-7.50" }] },
    };
    const [first] = await run("createAdjustmentInvoice", fields);
    assert.equal(first.adjustmentToId, original.id);
    assert.equal(first.subTotal, "-7.50");
    assert.equal(first.idempotentReplayed, false);
    const [again] = await run("createAdjustmentInvoice", fields);
    assert.equal(again.id, first.id);
    assert.equal(again.idempotentReplayed, true);
    const adjustments = (await stack.ledger()).invoices.filter((i) => i.adjustmentToId === original.id);
    assert.equal(adjustments.length, 1);
  });
});

test("every generated operation ran above", () => {
  const missing = OPERATIONS.map((o) => o.key).filter((key) => !covered.has(key));
  assert.deepEqual(missing, [], "add a test for each new operation");
});

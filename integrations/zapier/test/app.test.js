// Zapier's app tester runs every trigger, search and create of the integration against the real
// workers and the simulator (one stack for the whole suite, started with wrangler dev on
// ST_EDGE_PORT_BASE + 40), instant triggers against the real events worker, with deliveries to a
// receiver in this process. Nothing of our API is mocked.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { after, before, describe, test } from "node:test";
import zapier from "zapier-platform-core";
import { startHookReceiver } from "../../../scripts/lib/hook-receiver.mjs";
import { startTestStack } from "../../../scripts/lib/test-stack.mjs";
import App from "../index.js";
import { HOOKS, OPERATIONS } from "../src/generated/model.js";

const appTester = zapier.createAppTester(App);
/** @type {Awaited<ReturnType<typeof startTestStack>>} */
let stack;
/** @type {Record<string, string>} */
let authData;
/** Operation keys a test ran; the last test checks that every generated operation is among them. */
const covered = new Set();

/** @param {string} kind @param {string} key @param {Record<string, unknown>} [inputData] @param {Record<string, unknown>} [extra] */
function run(kind, key, inputData = {}, extra = {}) {
  covered.add(key);
  const group = /** @type {Record<string, Record<string, { operation: { perform: Function } }>>} */ (
    /** @type {unknown} */ (App)
  )[kind];
  const perform = group?.[key]?.operation.perform;
  assert.ok(perform, `${kind}.${key} exists`);
  return appTester(
    /** @type {never} */ (perform),
    /** @type {never} */ ({ authData, inputData, meta: {}, ...extra }),
  );
}
const trigger = (/** @type {string} */ key, input = {}, extra = {}) => run("triggers", key, input, extra);

/** Instant triggers (REST hooks): their operation, whose methods the tests call one by one. */
const INSTANT = OPERATIONS.filter((o) => o.kind === "trigger" && o.events.length > 0).map((o) => o.key);
/** @param {string} key */
function hookOf(key) {
  covered.add(key);
  const operation = /** @type {Record<string, Function>} */ (
    /** @type {Record<string, { operation: unknown }>} */ (App.triggers)[key]?.operation
  );
  assert.equal(operation?.type, "hook", `${key} is an instant trigger`);
  const call = (/** @type {string} */ method, /** @type {Record<string, unknown>} */ bundle) =>
    appTester(
      /** @type {never} */ (operation[method]),
      /** @type {never} */ ({ authData, inputData: {}, ...bundle }),
    );
  return {
    /** The poll route: sample data and de-duplication. */
    list: (inputData = {}) => call("performList", { inputData, meta: { isLoadingSample: true } }),
    subscribe: (/** @type {string} */ targetUrl) => call("performSubscribe", { targetUrl }),
    unsubscribe: (/** @type {unknown} */ subscribeData) => call("performUnsubscribe", { subscribeData }),
    /** What a delivery to Zapier's target URL becomes. */
    perform: (/** @type {unknown} */ cleanedRequest, inputData = {}) =>
      call("perform", { cleanedRequest, inputData }),
  };
}

/** Checks X-Signature as a receiver would: HMAC-SHA256 of "<t>.<raw body>" with the hook secret. */
function assertSigned(/** @type {{ headers: Record<string, unknown>, rawBody: string }} */ delivery) {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery.headers["x-signature"])) ?? [];
  assert.ok(t && v1, `X-Signature has the t=…,v1=… shape: ${delivery.headers["x-signature"]}`);
  assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 300, "the signature is fresh");
  const expected = createHmac("sha256", stack.hookSecret).update(`${t}.${delivery.rawBody}`).digest();
  assert.ok(timingSafeEqual(expected, Buffer.from(v1, "hex")), "the signature matches the raw body");
}
const search = (/** @type {string} */ key, input = {}) => run("searches", key, input);
const create = (/** @type {string} */ key, input = {}, extra = {}) => run("creates", key, input, extra);

/** Zapier's ThrottledError carries `{ message, delay }` as JSON in its message. */
async function rejectsWith(promise, name) {
  try {
    await promise;
  } catch (error) {
    const e = /** @type {Error} */ (error);
    assert.equal(e.name, name, e.message);
    assert.doesNotMatch(e.message, /\n\s+at /, "no stack trace in the message");
    assert.ok(!e.message.includes(stack.apiKey), "the API key never appears in an error");
    return e;
  }
  assert.fail(`expected a ${name}`);
}

/** Open invoices of one customer (at least two, with a balance), read through our own search. */
async function openInvoices() {
  const invoices = await search("find_invoices", { status: ["Posted", "Pending"], limit: 100 });
  const open = invoices.filter((i) => i.active && Number(i.balance) >= 20);
  const byCustomer = Map.groupBy(open, (i) => i.customer?.id);
  const pair = [...byCustomer.values()].find((list) => list.length >= 2);
  assert.ok(pair, "the simulator has a customer with two open invoices");
  return { single: open.find((i) => !pair.includes(i)) ?? open[0], pair };
}

before(async () => {
  stack = await startTestStack({ instance: "zapier-test", offset: 40 });
  authData = {
    baseUrl: stack.url("invoice-lookup"),
    apiKey: stack.apiKey,
    ...Object.fromEntries(stack.workers.map((w) => [`url_${w.replaceAll("-", "_")}`, stack.url(w)])),
  };
});
after(() => stack?.stop());

describe("authentication", () => {
  test("a valid key passes the connection test on every worker URL, without a ServiceTitan call", async () => {
    const result = await appTester(App.authentication.test, { authData });
    assert.equal(result.workers, stack.workers.length);
    assert.equal(result.host, new URL(stack.url("invoice-lookup")).host);
  });

  test("a wrong key fails the test with a message that does not hold it", async () => {
    const wrong = "ste_wrong_key_0123456789";
    const error = await rejectsWith(
      appTester(App.authentication.test, { authData: { ...authData, apiKey: wrong } }),
      "ExpiredAuthError",
    );
    assert.match(error.message, /refused the connection's API key/);
    assert.ok(!error.message.includes(wrong));
  });

  test("a URL that is not one of our workers is named in the error", async () => {
    const wrong = `${stack.simulatorUrl}/`;
    const error = await rejectsWith(
      appTester(App.authentication.test, { authData: { ...authData, url_tax_zones: wrong } }),
      "HaltedError",
    );
    assert.match(error.message, /not a ServiceTitan edge worker/);
    assert.ok(error.message.includes(stack.simulatorUrl));
  });
});

describe("triggers", () => {
  test("the events worker makes the invoice, payment and new-bill triggers instant", () => {
    assert.equal(HOOKS?.worker, "events");
    assert.deepEqual(INSTANT.sort(), [
      "invoice_changed",
      "new_bill",
      "new_invoice",
      "new_payment",
      "payment_changed",
    ]);
    for (const key of INSTANT) {
      const { operation } = /** @type {Record<string, { operation: Record<string, unknown> }>} */ (
        App.triggers
      )[key];
      for (const method of ["perform", "performList", "performSubscribe", "performUnsubscribe"])
        assert.equal(typeof operation[method], "function", `${key}.${method}`);
    }
    // A delivery cannot be filtered by bill type (the events worker sees ServiceTitan's default
    // list): the instant New Bill offers the filters it can match on each delivery.
    const fields = /** @type {{ key: string }[]} */ (App.triggers.new_bill.operation.inputFields);
    assert.deepEqual(
      fields.map((f) => f.key),
      ["vendorId", "status"],
    );
    assert.equal(App.triggers.bill_changed.operation.type, undefined, "bill_changed polls");
  });

  test("invoice_changed samples: versions newest first, unique ids", async () => {
    const items = await hookOf("invoice_changed").list();
    assert.ok(items.length > 0);
    assert.equal(new Set(items.map((i) => i.id)).size, items.length);
    assert.equal(items[0].id, `${items[0].invoiceId}-${items[0].modifiedOn}`);
    const times = items.map((i) => Date.parse(i.modifiedOn));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  });

  test("new_invoice samples: a changed old invoice is not new (seeded invoices are days old)", async () => {
    const items = await hookOf("new_invoice").list();
    for (const item of items) assert.ok(Date.now() - Date.parse(item.createdOn) <= 24 * 3_600_000);
    assert.deepEqual(items, []);
  });

  test("new_bill samples and bill_changed polling: per-version ids", async () => {
    const created = await hookOf("new_bill").list();
    for (const item of created) assert.equal(item.id, `${item.billId}-${item.createdOn}`);
    const changed = await trigger("bill_changed", { billType: "NotSet" });
    assert.ok(changed.length > 0);
    assert.match(changed[0].id, /^\d+-\d{4}-/);
    assert.equal(changed[0].id, `${changed[0].billId}-${changed[0].modifiedOn}`);
  });

  test("new_bill deliveries pass the trigger's vendor and status filters, as its poll does", async () => {
    const [bill] = await trigger("bill_changed", { billType: "NotSet" });
    const delivered = { ...bill, id: `${bill.billId}-${bill.createdOn}` };
    const hook = hookOf("new_bill");
    assert.deepEqual(await hook.perform(delivered), [delivered]);
    assert.deepEqual(await hook.perform(delivered, { vendorId: String(bill.vendor.id) }), [delivered]);
    assert.deepEqual(await hook.perform(delivered, { vendorId: String(bill.vendor.id + 1) }), []);
    assert.deepEqual(await hook.perform(delivered, { status: [bill.status, "Canceled"] }), [delivered]);
    const other = ["Unreconciled", "Discrepancy", "Reconciled", "Canceled"].filter((s) => s !== bill.status);
    assert.deepEqual(await hook.perform(delivered, { status: other }), []);
  });

  test("dropdowns: tax zones and payment terms as { id, name }", async () => {
    const zones = await trigger("dropdown_taxZones");
    const terms = await trigger("dropdown_paymentTerms");
    assert.ok(zones.length > 0 && terms.length > 0);
    assert.equal(typeof zones[0].id, "number");
    assert.equal(typeof terms[0].name, "string");
  });
});

describe("instant triggers on the events worker", () => {
  /** @type {Awaited<ReturnType<typeof startHookReceiver>>} */
  let receiver;
  before(async () => {
    receiver = await startHookReceiver();
  });
  after(() => receiver?.close());

  test("every instant trigger subscribes one hook per event for bundle.targetUrl and unsubscribes them", async () => {
    for (const key of INSTANT) {
      const op = OPERATIONS.find((o) => o.key === key);
      const targetUrl = receiver.url(`/subscribe-${key}`);
      const hook = hookOf(key);
      const subscribed = await hook.subscribe(targetUrl);
      const mine = (await stack.hooks()).filter((h) => h.targetUrl === targetUrl);
      assert.deepEqual(
        mine.map((h) => [h.id, h.event]),
        op?.events.map((event, i) => [subscribed.ids[i], event]),
        key,
      );
      assert.deepEqual(
        await hook.subscribe(targetUrl),
        subscribed,
        `${key}: a retried subscribe is the same`,
      );
      await hook.unsubscribe(subscribed);
      assert.deepEqual(
        (await stack.hooks()).filter((h) => h.targetUrl === targetUrl),
        [],
        `${key}: unsubscribed`,
      );
      await hook.unsubscribe(subscribed); // already gone: nothing to do
    }
  });

  test("a refused subscription halts with the problem's words", async () => {
    // Private addresses are refused even locally (checked by address: nothing is sent there).
    const error = await rejectsWith(
      hookOf("payment_changed").subscribe("http://10.1.2.3/hook"),
      "HaltedError",
    );
    assert.match(error.message, /request id /);
    assert.match(error.message, /private|refused/i);
    assert.deepEqual(
      (await stack.hooks()).filter((h) => h.targetUrl.includes("10.1.2.3")),
      [],
    );
  });

  test("a payment posted through Zapier arrives signed at both payment triggers, as their polls show it", async () => {
    const changed = hookOf("payment_changed");
    const fresh = hookOf("new_payment");
    const changedSubscription = await changed.subscribe(receiver.url("/payment-changed"));
    const freshSubscription = await fresh.subscribe(receiver.url("/new-payment"));
    try {
      const { single } = await openInvoices();
      const posted = await create("post_payment", {
        invoiceId: String(single.id),
        amount: "1.25",
        paymentType: "Cash",
        memo: "zapier instant test",
      });
      const forPosted = (/** @type {string} */ path) => (/** @type {any} */ d) =>
        d.path === path && d.body?.paymentId === posted.id;
      const delivery = await receiver.next(forPosted("/payment-changed"));
      assert.equal(delivery.headers["x-event"], "payment.created");
      assert.match(String(delivery.headers["x-delivery-id"]), /\S/);
      assertSigned(delivery);
      // What the Zap receives is the delivered item, the very object its poll route answers.
      const [item] = await changed.perform(delivery.body);
      assert.equal(item.id, `${posted.id}-${item.modifiedOn}`);
      assert.deepEqual(
        (await changed.list()).find((i) => i.id === item.id),
        item,
      );
      const first = await receiver.next(forPosted("/new-payment"));
      assertSigned(first);
      const [created] = await fresh.perform(first.body);
      assert.equal(created.id, String(posted.id), "New Payment's id is the payment's own");
      assert.deepEqual(
        (await fresh.list()).find((i) => i.id === created.id),
        created,
      );

      // A status change is a new version for New or Updated Payment; New Payment hears nothing.
      await create("update_payment_status", { paymentIds: [String(posted.id)], status: "Exported" });
      const update = await receiver.next(
        (d) => forPosted("/payment-changed")(d) && d.headers["x-event"] === "payment.updated",
      );
      assertSigned(update);
      assert.equal(update.body.status, "Exported");
      assert.notEqual(update.body.id, item.id, "each version has its own id");
      assert.equal(receiver.deliveries.filter(forPosted("/new-payment")).length, 1);
    } finally {
      await changed.unsubscribe(changedSubscription);
      await fresh.unsubscribe(freshSubscription);
    }
    assert.deepEqual(
      (await stack.hooks()).filter((h) => h.targetUrl.startsWith(receiver.url(""))),
      [],
    );
  });
});

describe("searches", () => {
  test("find_invoices by number, find_invoice_by_id, find_invoices_by_ids", async () => {
    const [first] = await hookOf("invoice_changed").list();
    const byNumber = await search("find_invoices", { number: first.referenceNumber });
    assert.ok(byNumber.some((i) => i.id === first.invoiceId));
    const byId = await search("find_invoice_by_id", { id: String(first.invoiceId), include: "payments" });
    assert.equal(byId.length, 1);
    assert.ok(Array.isArray(byId[0].payments));
    const byIds = await search("find_invoices_by_ids", { ids: `${first.invoiceId}` });
    assert.deepEqual(
      byIds.map((i) => i.id),
      [first.invoiceId],
    );
    assert.deepEqual(
      await search("find_invoice_by_id", { id: "19999999" }),
      [],
      "not found is an empty result",
    );
  });

  test("find_invoices by job number and customer", async () => {
    const invoices = await search("find_invoices", { status: ["Posted"], limit: 50 });
    const withJob = invoices.find((i) => i.job?.number);
    assert.ok(withJob);
    const byJob = await search("find_invoices", { jobNumber: withJob.job.number });
    assert.ok(byJob.some((i) => i.id === withJob.id));
    const byCustomer = await search("find_invoices", { customerId: String(withJob.customer.id) });
    assert.ok(byCustomer.every((i) => i.customer.id === withJob.customer.id));
  });

  test("tax zones: by name, by id, for an invoice", async () => {
    const [zone] = await search("find_tax_zone", { name: "a" });
    assert.ok(zone);
    const [byId] = await search("find_tax_zone_by_id", { id: zone.id });
    assert.equal(byId.name, zone.name);
    const { single } = await openInvoices();
    const [resolved] = await search("find_tax_zone_for_invoice", { invoiceId: String(single.id) });
    assert.equal(resolved.invoice.id, single.id);
    assert.equal(resolved.taxZone.id, single.taxZoneId);
  });

  test("payment terms: by name, by id, with a due date", async () => {
    const terms = await search("find_payment_term", { name: "Net" });
    assert.ok(terms.length > 0);
    const [byId] = await search("find_payment_term_by_id", { id: terms[0].id });
    assert.equal(byId.id, terms[0].id);
    const [due] = await search("find_due_date", {
      id: "18200004",
      invoiceDate: "2026-01-31",
      amount: "100.00",
    });
    assert.equal(due.dueDate, "2026-03-02");
    assert.equal(due.discount.amount, "2.00");
  });

  test("bills: find and by id", async () => {
    const bills = await search("find_bills", { billType: "NotSet" });
    assert.ok(bills.length > 0);
    const [one] = await search("find_bill_by_id", { id: String(bills[0].id) });
    assert.equal(one.referenceNumber, bills[0].referenceNumber);
  });

  test("a refused input halts with the problem's title, detail and field", async () => {
    const error = await rejectsWith(
      search("find_due_date", { id: "18200004", invoiceDate: "31/01/2026" }),
      "HaltedError",
    );
    assert.match(error.message, /^The request is not valid/);
    assert.match(error.message, /Fields: invoiceDate: /);
    assert.match(error.message, /request id /);
  });

  test("a ServiceTitan 429 becomes a ThrottledError with the Retry-After delay", async () => {
    await stack.setFaults([
      { fault: "status=429;retry-after=30", operationId: "Invoices_GetList", times: 1 },
    ]);
    try {
      const error = await rejectsWith(search("find_invoices", { number: "100001" }), "ThrottledError");
      const { message, delay } = JSON.parse(error.message);
      assert.match(message, /rate limit/i);
      assert.ok(delay >= 30 && delay <= 36, `delay ${delay}: Retry-After plus at most 20 % jitter`);
    } finally {
      await stack.clearFaults();
    }
  });
});

describe("creates", () => {
  test("post_payment with splits, replayed: the first answer again and one payment", async () => {
    const { pair } = await openInvoices();
    const input = {
      paymentType: "Check",
      checkNumber: "7001",
      memo: "zapier split test",
      splits: pair.map((invoice) => ({ splits_invoiceId: String(invoice.id), splits_amount: "10.00" })),
    };
    const first = await create("post_payment", input);
    assert.equal(first.amount, "20.00");
    assert.equal(first.idempotentReplayed, false);
    assert.deepEqual(
      first.splits.map((s) => s.invoiceId),
      pair.map((i) => i.id),
    );
    const again = await create("post_payment", input);
    assert.equal(again.id, first.id);
    assert.equal(again.idempotentReplayed, true);
    assert.equal(again.idempotencyKey, first.idempotencyKey);
    const copy = await create("post_payment", input, { meta: { zap: { id: "a-copy-of-the-zap" } } });
    assert.equal(copy.id, first.id, "a copied Zap replays, it does not post again");
    const ledger = await stack.ledger();
    assert.equal(ledger.payments.filter((p) => p.memo?.startsWith("zapier split test")).length, 1);

    const found = await search("find_payment", { invoiceId: String(pair[0].id), checkNumber: "7001" });
    assert.deepEqual(
      found.map((p) => p.id),
      [first.id],
    );
    const [byId] = await search("find_payment_by_id", { id: String(first.id) });
    assert.equal(byId.checkNumber, "7001");
  });

  test("post_payment with the user's reference: another step with it gets the first payment", async () => {
    const { single } = await openInvoices();
    const input = {
      invoiceId: String(single.id),
      amount: "5.00",
      paymentType: "Cash",
      idempotencyKey: "receipt-R-1042",
    };
    const first = await create("post_payment", input);
    assert.equal(first.idempotencyKey, "receipt-R-1042");
    const other = await create("post_payment", input, { meta: { zap: { id: "another-zap" } } });
    assert.equal(other.id, first.id);
    assert.equal(other.idempotentReplayed, true);
  });

  test("post_payment refused: the problem's title, detail and field names, nothing posted", async () => {
    const { single } = await openInvoices();
    const before = (await stack.ledger()).payments.length;
    const error = await rejectsWith(
      create("post_payment", { invoiceId: String(single.id), amount: "12.345", paymentType: "Cash" }),
      "HaltedError",
    );
    assert.match(error.message, /The request is not valid/);
    assert.match(error.message, /amount/);
    assert.equal((await stack.ledger()).payments.length, before);
  });

  test("post_payment to an unknown invoice halts with the problem's words, not an empty answer", async () => {
    const error = await rejectsWith(
      create("post_payment", { invoiceId: "19999999", amount: "5.00", paymentType: "Cash" }),
      "HaltedError",
    );
    assert.match(error.message, /19999999|not found/i);
    assert.match(error.message, /request id /);
  });

  test("check_payment answers what the post would do and writes nothing", async () => {
    const { pair } = await openInvoices();
    const before = (await stack.ledger()).payments.length;
    const checked = await create("check_payment", {
      paymentType: "Check",
      checkNumber: "7002",
      splits: pair.map((invoice) => ({ splits_invoiceId: String(invoice.id), splits_amount: "4.00" })),
    });
    assert.equal(checked.ok, true);
    assert.equal(checked.amount, "8.00");
    assert.equal(checked.type, "Check");
    assert.equal("idempotentReplayed" in checked, false, "a check needs no Idempotency-Key");
    assert.deepEqual(
      checked.splits.map((s) => [s.invoiceId, s.amount]),
      pair.map((i) => [i.id, "4.00"]),
    );
    for (const split of checked.splits) {
      const invoice = pair.find((i) => i.id === split.invoiceId);
      assert.equal(split.balance, invoice.balance);
      assert.equal(Number(split.balanceAfter), Number(invoice.balance) - 4, "whole cents, exact");
    }
    assert.equal((await stack.ledger()).payments.length, before, "nothing posted");
  });

  test("check_payment refused: the reason Post Payment would give, nothing posted", async () => {
    const { single } = await openInvoices();
    const before = (await stack.ledger()).payments.length;
    const over = (Number(single.balance) + 100).toFixed(2);
    const error = await rejectsWith(
      create("check_payment", { invoiceId: String(single.id), amount: over, paymentType: "Cash" }),
      "HaltedError",
    );
    assert.match(error.message, /balance|overpa/i);
    const unknown = await rejectsWith(
      create("check_payment", { invoiceId: "19999999", amount: "5.00", paymentType: "Cash" }),
      "HaltedError",
    );
    assert.match(unknown.message, /19999999|not found/i);
    assert.equal((await stack.ledger()).payments.length, before);
  });

  test("a lost create answer (503 + Retry-After) is retried later and posts once", async () => {
    const { single } = await openInvoices();
    const input = {
      invoiceId: String(single.id),
      amount: "3.00",
      paymentType: "Cash",
      memo: "retry later test",
    };
    await stack.setFaults([{ fault: "status=503", operationId: "Payments_Create", times: 1 }]);
    try {
      const error = await rejectsWith(create("post_payment", input), "ThrottledError");
      assert.ok(JSON.parse(error.message).delay >= 1);
    } finally {
      await stack.clearFaults();
    }
    const posted = await create("post_payment", input);
    assert.equal(posted.amount, "3.00");
    const ledger = await stack.ledger();
    assert.equal(ledger.payments.filter((p) => p.memo?.startsWith("retry later test")).length, 1);
  });

  test("update_payment and update_payment_status", async () => {
    const { single } = await openInvoices();
    const posted = await create("post_payment", {
      invoiceId: String(single.id),
      amount: "2.00",
      paymentType: "Cash",
      memo: "to update",
    });
    const updated = await create("update_payment", {
      id: String(posted.id),
      memo: "updated by zapier",
      checkNumber: "88",
    });
    assert.equal(updated.memo, "updated by zapier");
    assert.equal(updated.checkNumber, "88");
    const status = await create("update_payment_status", {
      paymentIds: [String(posted.id)],
      status: "Exported",
    });
    assert.equal(status.status, "Exported");
    const [after] = await search("find_payment_by_id", { id: String(posted.id) });
    assert.equal(after.status, "Exported");

    const changed = await hookOf("payment_changed").list();
    assert.ok(changed.some((p) => p.paymentId === posted.id && p.id === `${posted.id}-${p.modifiedOn}`));
    const fresh = await hookOf("new_payment").list();
    const mine = fresh.filter((p) => p.id === String(posted.id));
    assert.equal(mine.length, 1, "a new payment fires once, with its own id");
  });

  test("mark_bills_exported and mark_inventory_bills_exported: one result per bill", async () => {
    const [bill] = await search("find_bills", { billType: "NotSet" });
    const marked = await create("mark_bills_exported", { billIds: [String(bill.id), "99999999"] });
    assert.deepEqual(
      marked.results.map((r) => [r.billId, r.success]),
      [
        [bill.id, true],
        [99999999, false],
      ],
    );
    const [after] = await search("find_bill_by_id", { id: String(bill.id) });
    assert.match(after.syncStatus, /Exported/);
    const inventory = await create("mark_inventory_bills_exported", { inventoryBillIds: [String(bill.id)] });
    assert.equal(inventory.results.length, 1);
  });

  test("calculate_tax", async () => {
    const quote = await create("calculate_tax", { id: "18000004", labor: "60.00", material: "40.00" });
    assert.equal(quote.totalTax, "5.30");
    assert.equal(quote.total, "105.30");
  });
});

/** A decimal text as whole cents, exactly ("-12.30" → -1230n): money is never compared as floats. */
function cents(/** @type {string} */ text) {
  const [, sign, whole, fraction = ""] = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text) ?? [];
  assert.ok(whole !== undefined, `${text} is a decimal`);
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign ? -value : value;
}

/** Active invoices of a status, read through our own search, that no payment has touched. */
async function untouched(/** @type {string} */ status) {
  const invoices = await search("find_invoices", { status: [status], limit: 100 });
  const found = invoices.filter((i) => i.active && i.balance === i.total && cents(i.total) > 0n);
  assert.ok(found.length >= 2, `the simulator has ${status} invoices without payments`);
  return found;
}

describe("invoice changes, export marks and adjustments", () => {
  test("add, update and delete an invoice item: exact totals as ServiceTitan holds them", async () => {
    const [invoice] = (await untouched("Pending")).slice(-1);
    const added = await create("add_invoice_item", {
      id: String(invoice.id),
      skuName: "SVC-DIAG",
      description: "After-hours diagnostic (zapier)",
      quantity: "2",
      unitPrice: "10.05",
    });
    assert.equal(typeof added.itemId, "number");
    assert.equal(cents(added.subTotal) - cents(invoice.subTotal), 2010n, "2 × 10.05 exactly");
    assert.equal(cents(added.total), cents(added.subTotal) + cents(added.salesTax));
    const line = added.items.find((/** @type {{ id: number }} */ item) => item.id === added.itemId);
    assert.equal(line.description, "After-hours diagnostic (zapier)");

    const changed = await create("update_invoice_item", {
      id: String(invoice.id),
      itemId: String(added.itemId),
      quantity: "1",
    });
    assert.equal(cents(changed.subTotal) - cents(invoice.subTotal), 1005n);
    assert.equal(
      changed.items.find((/** @type {{ id: number }} */ item) => item.id === added.itemId).description,
      "After-hours diagnostic (zapier)",
      "what was not mapped is kept",
    );

    const deleted = await create("delete_invoice_item", {
      id: String(invoice.id),
      itemId: String(added.itemId),
    });
    assert.equal(deleted.subTotal, invoice.subTotal);
    assert.equal(deleted.balance, invoice.balance);
    assert.ok(!deleted.items.some((/** @type {{ id: number }} */ item) => item.id === added.itemId));
    const ledger = await stack.ledger();
    assert.equal(ledger.invoices.find((i) => i.id === invoice.id).total, invoice.total);

    const updated = await create("update_invoice", {
      id: String(invoice.id),
      summary: "Replaced the condenser fan motor (zapier)",
      reviewStatus: "Reviewed",
      exportId: "",
    });
    assert.equal(updated.summary, "Replaced the condenser fan motor (zapier)");
    assert.equal(updated.reviewStatus, "Reviewed");
    assert.equal(updated.exportId, invoice.exportId, "an unmapped field is not sent, not cleared");
    // Zapier cannot send null: a field chosen in Fields to Clear is sent as null, and emptied.
    const cleared = await create("update_invoice", { id: String(invoice.id), fieldsToClear: ["summary"] });
    assert.equal(cleared.summary, null);
    assert.equal(cleared.reviewStatus, "Reviewed", "what was not chosen is kept");
  });

  test("an item change ServiceTitan refuses (an exported invoice) halts with the lock, nothing changed", async () => {
    // Unpaid: on a paid invoice the gate refuses a deletion first (it could leave it overpaid).
    const exported = (await untouched("Exported")).find((i) => i.items?.length > 0);
    assert.ok(exported, "the simulator has an unpaid exported invoice with items");
    const error = await rejectsWith(
      create("delete_invoice_item", { id: String(exported.id), itemId: String(exported.items[0].id) }),
      "HaltedError",
    );
    assert.match(error.message, /^The invoice's items and amounts cannot be changed/);
    assert.match(error.message, /adjustment/i);
    const [after] = await search("find_invoice_by_id", { id: String(exported.id) });
    assert.equal(after.items.length, exported.items.length);
    assert.equal(after.total, exported.total);
  });

  test("custom fields: find the tenant's types, set a value on an invoice", async () => {
    const types = await search("find_invoice_custom_field_type", { name: "po" });
    assert.deepEqual(
      types.map((t) => t.name),
      ["PO Number"],
      "matched by name, any letter case",
    );
    const [invoice] = await untouched("Pending");
    const set = await create("set_invoice_custom_fields", {
      id: String(invoice.id),
      customFields: [{ customFields_name: "po number", customFields_value: "PO-Z-2405" }],
    });
    assert.deepEqual(
      set.customFields.filter((/** @type {{ name: string }} */ f) => f.name === "PO Number"),
      [{ name: "PO Number", value: "PO-Z-2405" }],
    );
    const error = await rejectsWith(
      create("set_invoice_custom_fields", {
        id: String(invoice.id),
        customFields: [{ customFields_name: "No Such Field", customFields_value: "x" }],
      }),
      "HaltedError",
    );
    assert.match(error.message, /No Such Field/);
  });

  test("mark_invoices_exported: one result per invoice; an edit afterwards fires Invoice Changed After Export once per edit", async () => {
    const [invoice] = await untouched("Pending");
    const externalId = `QB-Z-${invoice.id}`;
    const marked = await create("mark_invoices_exported", {
      invoices: [
        {
          invoices_invoiceId: String(invoice.id),
          invoices_externalId: externalId,
          invoices_externalMessage: "Synced",
        },
        { invoices_invoiceId: "31337" },
      ],
    });
    assert.deepEqual(
      marked.results.map((r) => [r.invoiceId, r.success]),
      [
        [invoice.id, true],
        [31337, false],
      ],
    );
    assert.deepEqual([marked.succeeded, marked.failed], [1, 1]);
    const held = (await stack.ledger()).invoices.find((i) => i.id === invoice.id);
    assert.deepEqual(
      [held.syncStatus, held.exportId, held.exportMessage],
      ["Exported", externalId, "Synced"],
    );

    const drifted = async () =>
      (await trigger("invoice_changed_after_export")).filter((i) => i.invoiceId === invoice.id);
    assert.deepEqual(await drifted(), [], "not edited since its mark");
    await create("update_invoice", {
      id: String(invoice.id),
      summary: "Discount agreed on the phone (zapier)",
    });
    const [first] = await drifted();
    assert.ok(first, "the edit is found");
    assert.equal(first.id, `${invoice.id}-${first.modifiedOn}`);
    assert.equal(first.exportedAs, externalId);
    assert.ok(Date.parse(first.modifiedOn) > Date.parse(first.exportedVersion));
    await create("update_invoice", {
      id: String(invoice.id),
      summary: "Discount agreed in writing (zapier)",
    });
    const [second] = await drifted();
    assert.notEqual(second.id, first.id, "a second edit is a new item");
    const all = await trigger("invoice_changed_after_export");
    const times = all.map((i) => Date.parse(i.modifiedOn));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );

    await create("mark_invoices_exported", {
      invoices: [{ invoices_invoiceId: String(invoice.id), invoices_externalId: externalId }],
    });
    assert.deepEqual(await drifted(), [], "marking again (the books corrected) ends the drift");
  });

  test("create_adjustment_invoice, replayed: the first answer again and one adjustment; the reference with another body is refused", async () => {
    const [original] = await untouched("Posted");
    const input = {
      id: String(original.id),
      summary: "Balance written off (zapier)",
      royaltyMemo: "approved by Dana",
      items: [
        {
          items_skuName: "PM-PROMO",
          items_description: "Write-off",
          items_quantity: "1",
          items_unitPrice: "-5.00",
        },
      ],
    };
    const first = await create("create_adjustment_invoice", input);
    assert.equal(first.adjustmentToId, original.id);
    assert.equal(first.idempotentReplayed, false);
    assert.equal(first.subTotal, "-5.00");
    assert.match(first.marker, /^\[ste:[0-9a-f]{16}\]$/);
    assert.equal(first.royalty.memo, `approved by Dana ${first.marker}`);
    const again = await create("create_adjustment_invoice", input);
    assert.equal(again.id, first.id);
    assert.equal(again.idempotentReplayed, true);
    assert.equal(again.idempotencyKey, first.idempotencyKey);
    const adjustments = (await stack.ledger()).invoices.filter((i) => i.adjustmentToId === original.id);
    assert.deepEqual(
      adjustments.map((i) => i.id),
      [first.id],
    );

    const reference = { ...input, idempotencyKey: `credit-memo-${original.id}` };
    const mine = await create("create_adjustment_invoice", reference);
    assert.equal(mine.idempotencyKey, `credit-memo-${original.id}`);
    const error = await rejectsWith(
      create("create_adjustment_invoice", { ...reference, summary: "Another write-off" }),
      "HaltedError",
    );
    assert.match(error.message, /^Idempotency-Key already used for a different request/);
    assert.equal((await stack.ledger()).invoices.filter((i) => i.adjustmentToId === original.id).length, 2);
  });
});

test("every generated operation and dropdown ran above", () => {
  const expected = [
    ...OPERATIONS.map((o) => o.key),
    ...Object.keys(App.triggers).filter((k) => k.startsWith("dropdown_")),
  ];
  const missing = expected.filter((key) => !covered.has(key));
  assert.deepEqual(missing, [], "add a test for each new operation");
});

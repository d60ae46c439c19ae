// Zapier's app tester runs every trigger, search and create of the integration against the real
// workers and the simulator (one stack for the whole suite, started with wrangler dev on
// ST_EDGE_PORT_BASE + 40). Nothing of our API is mocked.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import zapier from "zapier-platform-core";
import { startHooksStandIn } from "../../../scripts/lib/hooks-stand-in.mjs";
import { startTestStack } from "../../../scripts/lib/test-stack.mjs";
import App from "../index.js";
import { OPERATIONS } from "../src/generated/model.js";
import { hookMethods } from "../src/operations.js";

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
  test("invoice_changed: versions newest first, unique ids", async () => {
    const items = await trigger("invoice_changed");
    assert.ok(items.length > 0);
    assert.equal(new Set(items.map((i) => i.id)).size, items.length);
    assert.equal(items[0].id, `${items[0].invoiceId}-${items[0].modifiedOn}`);
    const times = items.map((i) => Date.parse(i.modifiedOn));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  });

  test("new_invoice: a changed old invoice is not new (seeded invoices are days old)", async () => {
    const items = await trigger("new_invoice");
    for (const item of items) assert.ok(Date.now() - Date.parse(item.createdOn) <= 24 * 3_600_000);
    assert.deepEqual(items, []);
  });

  test("new_bill and bill_changed", async () => {
    const created = await trigger("new_bill", { billType: "NotSet" });
    const changed = await trigger("bill_changed", { billType: "NotSet" });
    assert.ok(created.length > 0 && changed.length > 0);
    assert.match(created[0].id, /^\d+-\d{4}-/);
    assert.equal(created[0].id, `${created[0].billId}-${created[0].createdOn}`);
  });

  test("dropdowns: tax zones and payment terms as { id, name }", async () => {
    const zones = await trigger("dropdown_taxZones");
    const terms = await trigger("dropdown_paymentTerms");
    assert.ok(zones.length > 0 && terms.length > 0);
    assert.equal(typeof zones[0].id, "number");
    assert.equal(typeof terms[0].name, "string");
  });
});

describe("instant triggers (REST hooks)", () => {
  // workers/events does not exist yet: its routes come from a stand-in that follows its brief, and
  // these triggers are built as they will be once `pnpm gen` finds specs/workers/events.openapi.json.
  const routes = { worker: "events", subscribePath: "/hooks", unsubscribePath: "/hooks/{id}", events: [] };
  const events = ["invoice.created", "invoice.updated", "payment.created"];

  test("subscribe makes one hook per event for bundle.targetUrl; unsubscribe deletes them", async () => {
    const hooks = await startHooksStandIn({ apiKey: stack.apiKey, events });
    try {
      const op = {
        ...OPERATIONS.find((o) => o.key === "invoice_changed"),
        events: ["invoice.created", "invoice.updated"],
      };
      const methods = hookMethods(/** @type {never} */ (op), routes);
      const auth = { baseUrl: hooks.url, apiKey: stack.apiKey };
      const targetUrl = "https://hooks.zapier.com/hooks/standard/1/abc";
      const subscribed = await appTester(methods.performSubscribe, {
        authData: auth,
        targetUrl,
        inputData: {},
      });
      assert.deepEqual(
        hooks.hooks().map((h) => [h.event, h.targetUrl]),
        [
          ["invoice.created", targetUrl],
          ["invoice.updated", targetUrl],
        ],
      );
      const delivered = { id: "11000001-2026-12-01T10:00:00.0000000Z", invoiceId: 11000001 };
      assert.deepEqual(
        await appTester(methods.perform, { authData: auth, cleanedRequest: delivered, inputData: {} }),
        [delivered],
      );
      await appTester(methods.performUnsubscribe, {
        authData: auth,
        subscribeData: subscribed,
        inputData: {},
      });
      assert.deepEqual(hooks.hooks(), []);
    } finally {
      await hooks.close();
    }
  });

  test("a refused subscription halts with the problem's fields", async () => {
    const hooks = await startHooksStandIn({ apiKey: stack.apiKey, events });
    try {
      const op = { ...OPERATIONS.find((o) => o.key === "bill_changed"), events: ["bill.updated"] };
      const methods = hookMethods(/** @type {never} */ (op), routes);
      const error = await rejectsWith(
        appTester(methods.performSubscribe, {
          authData: { baseUrl: hooks.url, apiKey: stack.apiKey },
          targetUrl: "https://hooks.zapier.com/x",
          inputData: {},
        }),
        "HaltedError",
      );
      assert.match(error.message, /Fields: event: one of/);
    } finally {
      await hooks.close();
    }
  });
});

describe("searches", () => {
  test("find_invoices by number, find_invoice_by_id, find_invoices_by_ids", async () => {
    const [first] = await trigger("invoice_changed");
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

    const changed = await trigger("payment_changed");
    assert.ok(changed.some((p) => p.paymentId === posted.id && p.id === `${posted.id}-${p.modifiedOn}`));
    const fresh = await trigger("new_payment");
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

test("every generated operation and dropdown ran above", () => {
  const expected = [
    ...OPERATIONS.map((o) => o.key),
    ...Object.keys(App.triggers).filter((k) => k.startsWith("dropdown_")),
  ];
  const missing = expected.filter((key) => !covered.has(key));
  assert.deepEqual(missing, [], "add a test for each new operation");
});

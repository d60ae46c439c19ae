// The invoice writes through MCP against the real invoice-lookup, invoice-changes and
// invoice-adjustments workers and the simulator: export marks (one result per invoice), export
// drift, adjustment invoices (exactly once per token) and field updates. A prepare never writes.
import { createSimulator, type LedgerInvoice } from "@st-edge/simulator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callOk, callRefused, callTool, deployment, reissuedAt, type Sent, TEST_API_KEY } from "./support.ts";

const sim = createSimulator();
const TENANT = 1000001;

const taken = new Set<number>();
const adjustmentsOf = (originalId: number) =>
  sim.ledger(TENANT).invoices.filter((invoice) => invoice.adjustmentToId === originalId);

/** An active original invoice (not an adjustment, none adjusting it) no other test in this file uses. */
function freshInvoice(wanted: (invoice: LedgerInvoice) => boolean = () => true): LedgerInvoice {
  const invoice = sim
    .ledger(TENANT)
    .invoices.find(
      (candidate) =>
        candidate.active &&
        candidate.adjustmentToId === null &&
        !taken.has(candidate.id) &&
        adjustmentsOf(candidate.id).length === 0 &&
        wanted(candidate),
    );
  if (!invoice) throw new Error("ran out of invoices");
  taken.add(invoice.id);
  return invoice;
}
const ledgerInvoice = (id: number) => sim.ledger(TENANT).invoices.find((invoice) => invoice.id === id);
const writesIn = (sent: Sent) => sent.filter((call) => call.method !== "GET");

afterEach(() => vi.restoreAllMocks());

describe("invoice export marks", () => {
  it("prepares marks with the invoices' numbers and exportIds, writing nothing, and commits them once", async () => {
    const { env, sent } = await deployment(sim);
    const [a, b] = [
      freshInvoice((i) => i.syncStatus !== "Exported"),
      freshInvoice((i) => i.syncStatus !== "Exported"),
    ];
    const prepare = await callOk(env, "prepare_invoice_export_mark", {
      invoices: [
        { invoiceId: a.id, externalId: "QB-9001", externalMessage: "Synced by the agent" },
        { invoiceId: b.id },
      ],
    });
    expect(prepare.preview).toEqual({
      summary: "Mark 2 invoices exported (0 already are)",
      invoices: [
        expect.objectContaining({
          id: a.id,
          number: a.referenceNumber,
          status: a.syncStatus,
          exportId: a.exportId,
          externalId: "QB-9001",
          externalMessage: "Synced by the agent",
        }),
        expect.objectContaining({ id: b.id, externalId: null, externalMessage: null }),
      ],
    });
    expect(writesIn(sent)).toEqual([]);
    expect(ledgerInvoice(a.id)?.syncStatus).toBe(a.syncStatus);

    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(String(line)));
    const token = prepare.confirmationToken as string;
    const first = await callOk(env, "commit_invoice_export_mark", { confirmationToken: token });
    expect(first).toEqual({
      results: [
        { invoiceId: a.id, success: true, errorMessage: null },
        { invoiceId: b.id, success: true, errorMessage: null },
      ],
      succeeded: 2,
      failed: 0,
    });
    expect(ledgerInvoice(a.id)).toMatchObject({
      syncStatus: "Exported",
      exportId: "QB-9001",
      exportMessage: "Synced by the agent",
    });
    expect(ledgerInvoice(b.id)?.syncStatus).toBe("Exported");
    // A retried commit sets the same values again: the same answer.
    expect(await callOk(env, "commit_invoice_export_mark", { confirmationToken: token })).toEqual(first);
    expect(sent.filter((call) => call.path === "/invoices/mark-exported")).toHaveLength(2);
    const audits = lines.filter((line) => line.includes('"mcp-audit"')).map((line) => JSON.parse(line));
    expect(audits[0]).toMatchObject({
      tool: "commit_invoice_export_mark",
      outcome: "committed",
      invoiceIds: `${a.id},${b.id}`,
      succeeded: 2,
      failed: 0,
    });
    const again = await callOk(env, "prepare_invoice_export_mark", { invoices: [{ invoiceId: a.id }] });
    expect(again.preview).toMatchObject({
      summary: "Mark 1 invoice exported (1 already are)",
      invoices: [{ id: a.id, status: "Exported", exportId: "QB-9001" }],
    });
  });

  it("answers one result per invoice: an inactive one fails alone", async () => {
    const { env } = await deployment(sim);
    const open = freshInvoice();
    const inactive = sim.ledger(TENANT).invoices.find((invoice) => !invoice.active);
    if (!inactive) throw new Error("no inactive invoice");
    const prepare = await callOk(env, "prepare_invoice_export_mark", {
      invoices: [
        { invoiceId: inactive.id, externalId: "QB-1" },
        { invoiceId: open.id, externalId: "QB-2" },
      ],
    });
    expect(prepare.preview).toMatchObject({
      invoices: [{ id: inactive.id, active: false }, { id: open.id }],
    });
    const committed = await callOk(env, "commit_invoice_export_mark", {
      confirmationToken: prepare.confirmationToken,
    });
    expect(committed).toMatchObject({
      results: [
        { invoiceId: inactive.id, success: false, errorMessage: expect.stringContaining("inactive") },
        { invoiceId: open.id, success: true },
      ],
      succeeded: 1,
      failed: 1,
    });
    expect(ledgerInvoice(open.id)).toMatchObject({ syncStatus: "Exported", exportId: "QB-2" });
  });

  it("refuses invoices not in this tenant and an invoice listed twice, writing nothing", async () => {
    const { env, sent } = await deployment(sim);
    const invoice = freshInvoice();
    const missing = await callRefused(env, "prepare_invoice_export_mark", {
      invoices: [{ invoiceId: invoice.id }, { invoiceId: 99999999 }],
    });
    expect(missing).toMatchObject({
      type: "invoice-not-found",
      status: 404,
      fields: [{ field: "invoices", message: "not found: 99999999" }],
    });
    const twice = await callRefused(env, "prepare_invoice_export_mark", {
      invoices: [{ invoiceId: invoice.id }, { invoiceId: invoice.id }],
    });
    expect(JSON.stringify(twice)).toContain("must not list an invoice twice");
    expect(writesIn(sent)).toEqual([]);
  });
});

describe("find_invoices_changed_after_export", () => {
  it("lists an invoice edited after its mark, with the externalId it was exported as", async () => {
    const { env } = await deployment(sim);
    const invoice = freshInvoice();
    const prepare = await callOk(env, "prepare_invoice_export_mark", {
      invoices: [{ invoiceId: invoice.id, externalId: "XERO-77" }],
    });
    await callOk(env, "commit_invoice_export_mark", { confirmationToken: prepare.confirmationToken });
    const ours = async () =>
      (
        (await callOk(env, "find_invoices_changed_after_export", { limit: 50 })).invoices as { id: number }[]
      ).filter((item) => item.id === invoice.id);
    expect(await ours()).toEqual([]);
    // The office edits it afterwards (through invoice-changes, as a person's edit would show).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const edit = await env.INVOICE_CHANGES.fetch(`https://invoice-changes.internal/invoices/${invoice.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ summary: "Discount agreed on the phone" }),
    });
    expect(edit.status).toBe(200);
    expect(await ours()).toEqual([
      expect.objectContaining({
        id: invoice.id,
        number: invoice.referenceNumber,
        versionId: expect.stringMatching(new RegExp(`^${invoice.id}-`)),
        exportedAs: "XERO-77",
        exportedVersion: expect.any(String),
      }),
    ]);
  });
});

const WRITE_OFF = {
  items: [
    {
      skuName: "PM-PROMO",
      description: "Write-off agreed with the customer",
      quantity: "1",
      unitPrice: "-25.00",
    },
    { skuName: "PM-PROMO", description: "Goodwill", quantity: "1.5", unitPrice: "-3.33" },
  ],
  summary: "Balance written off",
  royaltyMemo: "approved by Dana",
};

describe("adjustment invoices", () => {
  it("prepares an adjustment with its lines and their sum, writing nothing", async () => {
    const { env, sent } = await deployment(sim);
    const original = freshInvoice();
    const prepare = await callOk(env, "prepare_adjustment_invoice", { invoiceId: original.id, ...WRITE_OFF });
    expect(prepare.preview).toMatchObject({
      summary: `Create an adjustment invoice of -30.00 before tax to invoice ${original.referenceNumber} (id ${original.id})`,
      original: { id: original.id, total: original.total, balance: original.balance },
      // 1.5 × -3.33 = -4.995, to two decimals half-even: -5.00.
      items: [{ amount: "-25.00" }, { amount: "-5.00", quantity: "1.5" }],
      subtotal: "-30.00",
      royaltyMemo: "approved by Dana",
    });
    expect(prepare.commitWith).toBe("commit_adjustment_invoice");
    expect(writesIn(sent)).toEqual([]);
    expect(sent.map((call) => call.binding)).toEqual(["INVOICE_LOOKUP"]);
    expect(adjustmentsOf(original.id)).toEqual([]);
  });

  it("creates one adjustment however often the commit is retried, and when five commits race", async () => {
    const { env, sent } = await deployment(sim);
    const original = freshInvoice();
    const prepare = await callOk(env, "prepare_adjustment_invoice", { invoiceId: original.id, ...WRITE_OFF });
    const token = prepare.confirmationToken as string;
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(String(line)));
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        callTool(env, "commit_adjustment_invoice", { confirmationToken: token }),
      ),
    );
    // A racer that waited past the worker's bound gets a retryable 409, never a second adjustment.
    for (const answer of racing.filter((a) => a.isError))
      expect(answer.body).toMatchObject({ retryable: true });
    const retries = [];
    for (let attempt = 0; attempt < 5; attempt++)
      retries.push(await callOk(env, "commit_adjustment_invoice", { confirmationToken: token }));
    const answers = [...racing.filter((a) => !a.isError).map((a) => a.body), ...retries];
    const ids = new Set(answers.map((answer) => (answer.adjustment as { id: number }).id));
    expect(ids.size).toBe(1);
    expect(retries.every((answer) => answer.replayed === true)).toBe(true);
    const [created] = adjustmentsOf(original.id);
    expect(adjustmentsOf(original.id)).toHaveLength(1);
    expect(retries[0]).toMatchObject({
      idempotencyKey: expect.stringMatching(/^mcp-[0-9a-f]{32}$/),
      marker: expect.stringMatching(/^\[ste:[0-9a-f]{16}\]$/),
      adjustment: {
        id: created?.id,
        adjustmentToId: original.id,
        subTotal: "-30.00",
        items: [expect.objectContaining({ price: "-25.00" }), expect.objectContaining({ price: "-3.33" })],
      },
    });
    // The original's own balance is untouched: the adjustment is an invoice of its own.
    expect(ledgerInvoice(original.id)?.balance).toBe(original.balance);
    const keys = new Set(sent.filter((call) => call.method === "POST").map((call) => call.idempotencyKey));
    expect(keys).toEqual(new Set([retries[0]?.idempotencyKey]));
    // One audit line per commit, each naming the original and the one adjustment; never the token.
    const audits = lines.filter((line) => line.includes('"mcp-audit"')).map((line) => JSON.parse(line));
    expect(audits).toHaveLength(10);
    for (const audit of audits.filter((line) => line.outcome === "committed"))
      expect(audit).toMatchObject({
        originalInvoiceId: original.id,
        subtotal: "-30.00",
        adjustmentId: created?.id,
      });
    expect(lines.join("\n")).not.toContain(token);
  });

  it("refuses an expired token, and says whether its earlier commit went through", async () => {
    const { env } = await deployment(sim);
    const original = freshInvoice();
    const prepare = await callOk(env, "prepare_adjustment_invoice", { invoiceId: original.id, ...WRITE_OFF });
    const tokenAt = (now: number) =>
      reissuedAt(prepare.confirmationToken as string, "commit_adjustment_invoice", now);
    const never = await tokenAt(Date.now() - 3_600_000);
    const refusal = await callRefused(env, "commit_adjustment_invoice", { confirmationToken: never });
    expect(refusal).toMatchObject({ type: "confirmation-expired", retryable: false });
    expect(refusal.detail).toMatch(/No adjustment from it is on invoice/);
    expect(adjustmentsOf(original.id)).toEqual([]);

    // Committed while valid, retried after it expired: the refusal names the adjustment.
    const issuedAt = Date.now() - 599_000;
    const late = await tokenAt(issuedAt);
    const committed = await callOk(env, "commit_adjustment_invoice", { confirmationToken: late });
    vi.spyOn(Date, "now").mockReturnValue(issuedAt + 601_000);
    const retried = await callRefused(env, "commit_adjustment_invoice", { confirmationToken: late });
    expect(retried.type).toBe("confirmation-expired");
    expect(retried.detail).toContain(`adjustment invoice ${(committed.adjustment as { id: number }).id}`);
    expect(adjustmentsOf(original.id)).toHaveLength(1);
  });

  it("makes two adjustments from two prepares: each token is its own write", async () => {
    const { env } = await deployment(sim);
    const original = freshInvoice();
    for (let n = 0; n < 2; n++) {
      const prepare = await callOk(env, "prepare_adjustment_invoice", {
        invoiceId: original.id,
        ...WRITE_OFF,
      });
      await callOk(env, "commit_adjustment_invoice", { confirmationToken: prepare.confirmationToken });
    }
    expect(adjustmentsOf(original.id)).toHaveLength(2);
  });

  it("refuses a missing, inactive or adjustment original and bad lines as tool errors, writing nothing", async () => {
    const { env, sent } = await deployment(sim);
    const inactive = sim.ledger(TENANT).invoices.find((invoice) => !invoice.active);
    const adjustment = sim.ledger(TENANT).invoices.find((invoice) => invoice.adjustmentToId !== null);
    if (!inactive || !adjustment) throw new Error("no inactive invoice or adjustment in the seed");
    expect(
      await callRefused(env, "prepare_adjustment_invoice", { invoiceId: 99999999, ...WRITE_OFF }),
    ).toMatchObject({ type: "not-found", status: 404 });
    expect(
      await callRefused(env, "prepare_adjustment_invoice", { invoiceId: inactive.id, ...WRITE_OFF }),
    ).toMatchObject({
      type: "invoice-inactive",
      status: 422,
      fields: [{ field: "invoiceId" }],
    });
    const ofAdjustment = await callRefused(env, "prepare_adjustment_invoice", {
      invoiceId: adjustment.id,
      ...WRITE_OFF,
    });
    expect(ofAdjustment).toMatchObject({ type: "unprocessable", status: 422 });
    expect(ofAdjustment.detail).toContain(`adjust invoice ${adjustment.adjustmentToId}`);
    const invoiceId = freshInvoice().id;
    for (const item of [
      { skuName: "PM-PROMO", description: "x", quantity: "0", unitPrice: "-1.00" },
      { skuName: "PM-PROMO", skuId: 1, description: "x", quantity: "1", unitPrice: "-1.00" },
      { skuName: "PM-PROMO", description: "x", quantity: "1", unitPrice: "-1.005" },
      { skuName: "PM-PROMO", description: "x", quantity: "1", unitPrice: -1 },
    ]) {
      await callRefused(env, "prepare_adjustment_invoice", { invoiceId, items: [item] });
    }
    expect(writesIn(sent)).toEqual([]);
    expect(adjustmentsOf(invoiceId)).toEqual([]);
  });

  it("answers ServiceTitan's refusal of a line at commit as a tool error, creating nothing", async () => {
    const { env } = await deployment(sim);
    const original = freshInvoice();
    const prepare = await callOk(env, "prepare_adjustment_invoice", {
      invoiceId: original.id,
      items: [{ skuName: "NO-SUCH-SKU", description: "x", quantity: "1", unitPrice: "-1.00" }],
    });
    const refusal = await callRefused(env, "commit_adjustment_invoice", {
      confirmationToken: prepare.confirmationToken,
    });
    expect(refusal.status).toBeGreaterThanOrEqual(400);
    expect(refusal.status).toBeLessThan(500);
    expect(adjustmentsOf(original.id)).toEqual([]);
  });
});

describe("invoice field updates", () => {
  it("prepares a change with each field now beside the new value, writing nothing, and commits it", async () => {
    const { env, sent } = await deployment(sim);
    const invoice = freshInvoice();
    const changes = { summary: "Replaced the condenser fan motor", dueDate: "2027-01-31", exportId: "QB-77" };
    const prepare = await callOk(env, "prepare_invoice_update", { invoiceId: invoice.id, ...changes });
    expect(prepare.preview).toMatchObject({
      summary: expect.stringContaining(
        `Change dueDate, summary, exportId of invoice ${invoice.referenceNumber}`,
      ),
      invoice: { id: invoice.id, number: invoice.referenceNumber },
      changes: [
        { field: "dueDate", after: "2027-01-31" },
        { field: "summary", after: changes.summary },
        { field: "exportId", now: invoice.exportId, after: "QB-77" },
      ],
    });
    expect(writesIn(sent)).toEqual([]);
    const token = prepare.confirmationToken as string;
    const committed = await callOk(env, "commit_invoice_update", { confirmationToken: token });
    expect(committed.invoice).toMatchObject({
      id: invoice.id,
      summary: changes.summary,
      dueDate: expect.stringMatching(/^2027-01-31/),
      exportId: "QB-77",
      // What was not sent is kept.
      number: invoice.referenceNumber,
    });
    expect(sent.filter((call) => call.method === "PATCH").map((call) => call.path)).toEqual([
      `/invoices/${invoice.id}`,
    ]);
    // A retried commit sets the same values again (ServiceTitan stamps a new modifiedOn).
    expect((await callOk(env, "commit_invoice_update", { confirmationToken: token })).invoice).toEqual({
      ...(committed.invoice as object),
      modifiedOn: expect.any(String),
    });
    const cleared = await callOk(env, "prepare_invoice_update", {
      invoiceId: invoice.id,
      summary: null,
      exportId: "QB-77",
    });
    expect(cleared.preview).toMatchObject({
      summary: expect.stringContaining("1 already as asked"),
      changes: [
        { field: "summary", now: changes.summary, after: null },
        { field: "exportId", now: "QB-77", after: "QB-77" },
      ],
    });
    const after = await callOk(env, "commit_invoice_update", {
      confirmationToken: cleared.confirmationToken,
    });
    expect(after.invoice).toMatchObject({ summary: null, exportId: "QB-77" });
  });

  it("refuses no field, a field that moves money, an inactive invoice and a bad date, writing nothing", async () => {
    const { env, sent } = await deployment(sim);
    const invoice = freshInvoice();
    const inactive = sim.ledger(TENANT).invoices.find((candidate) => !candidate.active);
    if (!inactive) throw new Error("no inactive invoice");
    expect(
      JSON.stringify(await callRefused(env, "prepare_invoice_update", { invoiceId: invoice.id })),
    ).toContain("at least one field");
    await callRefused(env, "prepare_invoice_update", { invoiceId: invoice.id, taxZoneId: 1 });
    await callRefused(env, "prepare_invoice_update", {
      invoiceId: invoice.id,
      dueDate: "2027-02-30T00:00:00Z",
    });
    expect(
      await callRefused(env, "prepare_invoice_update", { invoiceId: inactive.id, summary: "x" }),
    ).toMatchObject({ type: "invoice-inactive", status: 422 });
    expect(writesIn(sent)).toEqual([]);
  });
});

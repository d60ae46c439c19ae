// The invoice writes through MCP against the real invoice-lookup, invoice-changes and
// invoice-adjustments workers and the simulator: export marks (one result per invoice), export
// drift, adjustment invoices (exactly once per token) and field updates. A prepare never writes.
import { createSimulator, type LedgerInvoice } from "@st-edge/simulator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callOk, callRefused, deployment, type Sent, TEST_API_KEY } from "./support.ts";

const sim = createSimulator();
const TENANT = 1000001;

const taken = new Set<number>();
/** An active original invoice (not an adjustment) no other test in this file uses. */
function freshInvoice(wanted: (invoice: LedgerInvoice) => boolean = () => true): LedgerInvoice {
  const invoice = sim
    .ledger(TENANT)
    .invoices.find(
      (candidate) =>
        candidate.active &&
        candidate.adjustmentToId === null &&
        !taken.has(candidate.id) &&
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

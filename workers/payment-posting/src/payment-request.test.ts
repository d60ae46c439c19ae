// Canonical payments and fingerprints: equal meaning, equal hash; cross-field rules as 400s.
import { ProblemError } from "@st-edge/edge";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { CreatePaymentBody } from "./api.ts";
import { canonicalJson, requestHash, toCanonicalPayment } from "./payment-request.ts";

const canonical = (raw: unknown) => toCanonicalPayment(z.parse(CreatePaymentBody, raw));

function fieldErrors(raw: unknown): Record<string, string> {
  try {
    canonical(raw);
  } catch (error) {
    if (error instanceof ProblemError) {
      return Object.fromEntries((error.init.errors ?? []).map((e) => [e.field, e.message]));
    }
    const parsed = z.safeParse(CreatePaymentBody, raw);
    if (!parsed.success)
      return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message]));
    throw error;
  }
  return {};
}

describe("toCanonicalPayment", () => {
  it("treats the shorthand, a single split, text and number amounts as one payment", async () => {
    const forms = [
      { typeId: 5, invoiceId: 10, amount: "12.3" },
      { typeId: "5", invoiceId: "10", amount: 12.3 },
      { typeId: 5, splits: [{ invoiceId: 10, amount: "12.30" }] },
      { typeId: 5, amount: 12.3, splits: [{ invoiceId: 10, amount: 12.3 }] },
      { typeId: 5, allowOverpayment: "false", splits: [{ invoiceId: 10, amount: "12.300" }] },
    ];
    const hashes = new Set(await Promise.all(forms.map((form) => requestHash(canonical(form)))));
    expect(hashes.size).toBe(1);
  });

  it("compares invoice numbers case-insensitively, as the duplicate check and the lookup do", async () => {
    const a = await requestHash(canonical({ typeId: 5, invoiceNumber: "INV-7", amount: 1 }));
    const b = await requestHash(canonical({ typeId: 5, invoiceNumber: " inv-7", amount: 1 }));
    expect(a).toBe(b);
  });

  it("compares payment type names case-insensitively", async () => {
    const a = await requestHash(canonical({ paymentType: "Check", invoiceId: 1, amount: 1 }));
    const b = await requestHash(canonical({ paymentType: " check ", invoiceId: 1, amount: 1 }));
    expect(a).toBe(b);
  });

  it("changes the fingerprint when anything that matters changes", async () => {
    const base = { typeId: 5, invoiceId: 10, amount: "12.30", memo: "m" };
    const variants = [
      { ...base, amount: "12.31" },
      { ...base, invoiceId: 11 },
      { ...base, typeId: 6 },
      { ...base, memo: "n" },
      { ...base, status: "Posted" },
      { ...base, paidOn: "2026-01-31" },
      { ...base, allowOverpayment: true },
      { ...base, checkNumber: "1001" },
    ];
    const hashes = new Set(
      await Promise.all([base, ...variants].map((form) => requestHash(canonical(form)))),
    );
    expect(hashes.size).toBe(variants.length + 1);
  });

  it("derives the amount from the splits and keeps it exact", () => {
    const payment = canonical({
      typeId: 1,
      splits: [
        { invoiceId: 1, amount: "0.10" },
        { invoiceId: 2, amount: 0.2 },
        { invoiceNumber: "INV-3", amount: "1000000.01" },
      ],
    });
    expect(payment.amount.toFixed(2)).toBe("1000000.31");
    expect(JSON.parse(canonicalJson(payment)).splits).toEqual([
      { invoice: { id: 1 }, amount: "0.10" },
      { invoice: { id: 2 }, amount: "0.20" },
      // Numbers are compared without case (payment-request.ts sameInvoiceNumber).
      { invoice: { number: "inv-3" }, amount: "1000000.01" },
    ]);
  });

  const invalid: [string, { given: unknown; want: Record<string, string> }][] = [
    [
      "no type",
      {
        given: { invoiceId: 1, amount: 1 },
        want: { typeId: "is required (or give paymentType, the type's name)" },
      },
    ],
    [
      "both type forms",
      {
        given: { typeId: 1, paymentType: "Cash", invoiceId: 1, amount: 1 },
        want: { paymentType: "give typeId or paymentType, not both" },
      },
    ],
    [
      "no invoices",
      {
        given: { typeId: 1, amount: 1 },
        want: { splits: "is required (or give invoiceId and amount for a single invoice)" },
      },
    ],
    [
      "shorthand without amount",
      { given: { typeId: 1, invoiceId: 1 }, want: { amount: "is required with invoiceId" } },
    ],
    [
      "splits and shorthand",
      {
        given: { typeId: 1, invoiceId: 1, amount: 1, splits: [{ invoiceId: 2, amount: 1 }] },
        want: { invoiceId: "give splits or invoiceId, not both" },
      },
    ],
    [
      "split without invoice",
      {
        given: { typeId: 1, splits: [{ amount: 1 }] },
        want: { "splits.0": "give exactly one of invoiceId and invoiceNumber" },
      },
    ],
    [
      "same invoice twice",
      {
        given: {
          typeId: 1,
          splits: [
            { invoiceId: 1, amount: 1 },
            { invoiceId: 1, amount: 2 },
          ],
        },
        want: { "splits.1": "lists the same invoice twice; combine the amounts" },
      },
    ],
    [
      "sum differs",
      {
        given: {
          typeId: 1,
          amount: "10.00",
          splits: [
            { invoiceId: 1, amount: "4" },
            { invoiceId: 2, amount: "5.99" },
          ],
        },
        want: { amount: "must equal the sum of the splits (9.99)" },
      },
    ],
    [
      "zero split",
      {
        given: { typeId: 1, splits: [{ invoiceId: 1, amount: 0 }] },
        want: { "splits.0.amount": "must be greater than 0" },
      },
    ],
    [
      "placeholder memo",
      {
        given: { typeId: 1, invoiceId: 1, amount: 1, memo: "{{memo}}" },
        want: { memo: "contains an unfilled template placeholder ({{...}})" },
      },
    ],
    [
      "empty check number",
      {
        given: { typeId: 1, invoiceId: 1, amount: 1, checkNumber: "" },
        want: { checkNumber: "must not be empty" },
      },
    ],
    [
      "placeholder type name",
      {
        given: { paymentType: "undefined", invoiceId: 1, amount: 1 },
        want: { paymentType: '"undefined" is a placeholder, not a value' },
      },
    ],
    [
      "zero invoice id",
      { given: { typeId: 1, invoiceId: 0, amount: 1 }, want: { invoiceId: "must be a positive integer" } },
    ],
    [
      "unknown field",
      { given: { typeId: 1, invoiceId: 1, ammount: 1 }, want: { "": "unknown field(s): ammount" } },
    ],
  ];
  it.each(invalid)("refuses %s", (_, { given, want }) => {
    const errors = fieldErrors(given);
    for (const [field, message] of Object.entries(want)) {
      if (field === "") expect(Object.keys(errors).length).toBeGreaterThan(0);
      else expect(errors[field]).toBe(message);
    }
  });
});

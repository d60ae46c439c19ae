import { ProblemError } from "@st-edge/edge";
import { Decimal } from "@st-edge/servicetitan";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { basisOf, type QuoteAmounts, type QuoteRate, type QuoteZone, quoteTax } from "./quote.ts";

const d = Decimal.parse;
const rate = (
  taxRate: string,
  taxBaseType: string[],
  taxName: string | null = "Tax",
  id: number | null = 1,
): QuoteRate => ({
  id,
  taxName,
  taxBaseType,
  taxRate: d(taxRate),
});
const zone = (isTaxRateSeparated: boolean, ...rates: QuoteRate[]): QuoteZone => ({
  isTaxRateSeparated,
  rates,
});

interface Want {
  lines: [basis: string, taxable: string, tax: string][];
  totalTax: string;
  total: string;
}

describe("quoteTax", () => {
  const cases: [string, { given: { zone: QuoteZone; amounts: QuoteAmounts }; want: Want }][] = [
    [
      "one subtotal rate",
      {
        given: { zone: zone(false, rate("0.0825", ["Subtotal"])), amounts: { subtotal: d("100.00") } },
        want: { lines: [["subtotal", "100.00", "8.25"]], totalTax: "8.25", total: "108.25" },
      },
    ],
    [
      "zero subtotal",
      {
        given: { zone: zone(false, rate("0.0825", ["Subtotal"])), amounts: { subtotal: d("0") } },
        want: { lines: [["subtotal", "0.00", "0.00"]], totalTax: "0.00", total: "0.00" },
      },
    ],
    [
      "zone without rates",
      {
        given: { zone: zone(false), amounts: { subtotal: d("10") } },
        want: { lines: [], totalTax: "0.00", total: "10.00" },
      },
    ],
    [
      "zero rate",
      {
        given: { zone: zone(false, rate("0", ["Subtotal"])), amounts: { subtotal: d("99.99") } },
        want: { lines: [["subtotal", "99.99", "0.00"]], totalTax: "0.00", total: "99.99" },
      },
    ],
    [
      "tie rounds half-up: 0.50 × 5 % = 0.025 → 0.03",
      {
        given: { zone: zone(false, rate("0.05", ["Subtotal"])), amounts: { subtotal: d("0.50") } },
        want: { lines: [["subtotal", "0.50", "0.03"]], totalTax: "0.03", total: "0.53" },
      },
    ],
    [
      "tie rounds up: 0.90 × 5 % = 0.045 → 0.05 (half-even would give 0.04)",
      {
        given: { zone: zone(false, rate("0.05", ["Subtotal"])), amounts: { subtotal: d("0.90") } },
        want: { lines: [["subtotal", "0.90", "0.05"]], totalTax: "0.05", total: "0.95" },
      },
    ],
    [
      "just below a tie rounds down: 10.50 × 2.5 % = 0.2625 → 0.26",
      {
        given: { zone: zone(false, rate("0.025", ["Subtotal"])), amounts: { subtotal: d("10.50") } },
        want: { lines: [["subtotal", "10.50", "0.26"]], totalTax: "0.26", total: "10.76" },
      },
    ],
    [
      "tie 0.125 goes up (banker's rounding would give 0.12)",
      {
        given: { zone: zone(false, rate("0.125", ["Subtotal"])), amounts: { subtotal: d("1.00") } },
        want: { lines: [["subtotal", "1.00", "0.13"]], totalTax: "0.13", total: "1.13" },
      },
    ],
    [
      "multiple rates on the subtotal are rounded per line, then summed",
      {
        given: {
          zone: zone(false, rate("0.0625", ["Subtotal"], "State"), rate("0.0125", ["Subtotal"], "City")),
          amounts: { subtotal: d("10.20") },
        },
        // 10.20 × 0.0625 = 0.6375 → 0.64; 10.20 × 0.0125 = 0.1275 → 0.13; sum 0.77 (0.765 unrounded)
        want: {
          lines: [
            ["subtotal", "10.20", "0.64"],
            ["subtotal", "10.20", "0.13"],
          ],
          totalTax: "0.77",
          total: "10.97",
        },
      },
    ],
    [
      "separated zone: labor and material rates apply to their own part",
      {
        given: {
          zone: zone(true, rate("0.05", ["Labor"], "Labor tax"), rate("0.08", ["Material"], "Material tax")),
          amounts: { labor: d("60.00"), material: d("40.00") },
        },
        want: {
          lines: [
            ["labor", "60.00", "3.00"],
            ["material", "40.00", "3.20"],
          ],
          totalTax: "6.20",
          total: "106.20",
        },
      },
    ],
    [
      "separated zone: a Subtotal rate covers labor + material",
      {
        given: {
          zone: zone(true, rate("0.01", ["Subtotal"], "County"), rate("0.06", ["Material"], "State")),
          amounts: { labor: d("60.00"), material: d("40.00") },
        },
        want: {
          lines: [
            ["subtotal", "100.00", "1.00"],
            ["material", "40.00", "2.40"],
          ],
          totalTax: "3.40",
          total: "103.40",
        },
      },
    ],
    [
      "separated zone: Labor + Material together is the subtotal",
      {
        given: {
          zone: zone(true, rate("0.1", ["Labor", "Material"])),
          amounts: { labor: d("0.05"), material: d("0") },
        },
        want: { lines: [["subtotal", "0.05", "0.01"]], totalTax: "0.01", total: "0.06" },
      },
    ],
    [
      "separated zone: a rate with no base type taxes nothing",
      {
        given: { zone: zone(true, rate("0.1", [])), amounts: { labor: d("5"), material: d("5") } },
        want: { lines: [["none", "0.00", "0.00"]], totalTax: "0.00", total: "10.00" },
      },
    ],
    [
      "not separated: a material-only rate still taxes material only (as the simulator's Capital City Metro)",
      {
        given: {
          zone: zone(
            false,
            rate("0.06", ["Subtotal"], "State"),
            rate("0.015", ["Subtotal"], "City"),
            rate("0.005", ["Material"], "Transit"),
          ),
          amounts: { labor: d("60.00"), material: d("40.00") },
        },
        want: {
          lines: [
            ["subtotal", "100.00", "6.00"],
            ["subtotal", "100.00", "1.50"],
            ["material", "40.00", "0.20"],
          ],
          totalTax: "7.70",
          total: "107.70",
        },
      },
    ],
    [
      "labor and material with a subtotal zone",
      {
        given: {
          zone: zone(false, rate("0.0725", ["Subtotal"])),
          amounts: { labor: d("0"), material: d("19.99") },
        },
        // 19.99 × 0.0725 = 1.449275 → 1.45
        want: { lines: [["subtotal", "19.99", "1.45"]], totalTax: "1.45", total: "21.44" },
      },
    ],
    [
      "large amount keeps every digit",
      {
        given: {
          zone: zone(false, rate("0.0825", ["Subtotal"])),
          amounts: { subtotal: d("999999999999.99") },
        },
        // 82499999999.999175 → 82500000000.00
        want: {
          lines: [["subtotal", "999999999999.99", "82500000000.00"]],
          totalTax: "82500000000.00",
          total: "1082499999999.99",
        },
      },
    ],
  ];

  it.each(cases)("%s", (_, { given, want }) => {
    const quote = quoteTax(given.zone, given.amounts);
    expect(
      quote.lines.map((line) => [line.basis, line.taxableAmount.toFixed(2), line.tax.toFixed(2)]),
    ).toEqual(want.lines);
    expect(quote.totalTax.toFixed(2)).toBe(want.totalTax);
    expect(quote.total.toFixed(2)).toBe(want.total);
  });

  const needsSplit: [string, QuoteZone][] = [
    ["a labor-only rate", zone(false, rate("0.05", ["Labor"]))],
    ["a material-only rate", zone(false, rate("0.05", ["Subtotal"]), rate("0.01", ["Material"]))],
    ["a zone flagged isTaxRateSeparated", zone(true, rate("0.05", ["Subtotal"]))],
  ];
  it.each(needsSplit)("refuses a subtotal alone for %s", (_, given) => {
    expect(() => quoteTax(given, { subtotal: d("100") })).toThrow(ProblemError);
    expect(() => quoteTax(given, { labor: d("100"), material: d("0") })).not.toThrow();
  });

  it("lines always add up to the total tax, and no line is off by more than half a cent", () => {
    const cents = fc
      .bigInt({ min: 0n, max: 10n ** 13n })
      .map((units) => d(`${units / 100n}.${String(units % 100n).padStart(2, "0")}`));
    const rates = fc.array(
      fc.integer({ min: 0, max: 200_000 }).map((n) => d(`0.${String(n).padStart(6, "0")}`)),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(cents, rates, (subtotal, taxRates) => {
        const quote = quoteTax(zone(false, ...taxRates.map((r) => rate(r.toString(), ["Subtotal"], null))), {
          subtotal,
        });
        expect(quote.totalTax.equals(Decimal.sum(quote.lines.map((line) => line.tax)))).toBe(true);
        for (const line of quote.lines) {
          const error = line.tax.minus(subtotal.times(line.taxRate));
          expect(error.compare(d("0.005")) <= 0 && error.compare(d("-0.005")) > 0).toBe(true);
        }
      }),
    );
  });
});

describe("basisOf", () => {
  const cases: [string, { given: string[]; want: string }][] = [
    ["Subtotal", { given: ["Subtotal"], want: "subtotal" }],
    ["Labor", { given: ["Labor"], want: "labor" }],
    ["Material", { given: ["Material"], want: "material" }],
    ["Labor + Material", { given: ["Material", "Labor"], want: "subtotal" }],
    ["Subtotal + Labor", { given: ["Labor", "Subtotal"], want: "subtotal" }],
    ["nothing", { given: [], want: "none" }],
    ["unknown type", { given: ["Equipment"], want: "none" }],
    ["case-insensitive", { given: ["labor"], want: "labor" }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(basisOf({ taxBaseType: given })).toBe(want);
  });
});

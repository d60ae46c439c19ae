// Integration tests in workerd against the simulator: list, get, due dates on the seeded terms,
// input validation, tenant isolation and ServiceTitan failures.
import { env } from "cloudflare:test";
import {
  callWorker,
  expectProblem,
  faultBinding,
  OTHER_TENANT,
  simulatorEnv,
  tenantBindings,
} from "@st-edge/edge/testing";
import { createSimulator } from "@st-edge/simulator";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import type { PaymentTermsBindings } from "../src/routes/payment-terms.ts";
import type { PaymentTermView } from "../src/view.ts";

const sim = createSimulator();

type TermList = { count: number; data: PaymentTermView[] };

async function json<T>(response: Response, status = 200): Promise<T> {
  expect(response.status).toBe(status);
  return (await response.json()) as T;
}

/** Demo bindings plus this worker's own vars, which are not EdgeBindings (DISCOUNT_PERCENT_UNIT). */
const termsEnv = async (vars: Partial<PaymentTermsBindings> = {}) => ({
  ...(await simulatorEnv(env, sim)),
  ...vars,
});

const get = async <T>(path: string, vars: Partial<PaymentTermsBindings> = {}) =>
  json<T>(await callWorker(worker, await termsEnv(vars), path));

async function termNamed(name: string): Promise<PaymentTermView> {
  const term = (await get<TermList>("/payment-terms?active=any")).data.find(
    (candidate) => candidate.name === name,
  );
  if (!term) throw new Error(`the simulator has no term ${name}`);
  return term;
}

describe("GET /payment-terms", () => {
  it("lists active terms by name, discounts as decimal strings or null", async () => {
    const list = await get<TermList>("/payment-terms");
    expect(list.count).toBe(list.data.length);
    expect(list.data.every((term) => term.active)).toBe(true);
    const names = list.data.map((term) => term.name ?? "");
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));
    const net30 = list.data.find((term) => term.name === "Net 30");
    expect(net30).toMatchObject({ dueDayType: "NumberOfDays", dueDay: 30, paymentTermDiscountModel: null });
    const early = list.data.find((term) => term.name === "2% 10 Net 30");
    expect(early?.paymentTermDiscountModel).toMatchObject({
      discountType: "Percent",
      discount: "2",
      applyBy: "NumberOfDays",
      applyByValue: 10,
      discountApplyTo: "ApplyToTotalAmount",
    });
  });

  it("filters by active state and name", async () => {
    const all = await get<TermList>("/payment-terms?active=any");
    const inactive = await get<TermList>("/payment-terms?active=false");
    const active = await get<TermList>("/payment-terms");
    expect(all.count).toBe(active.count + inactive.count);
    expect(inactive.data.map((term) => term.name)).toEqual(["Net 60 (retired)"]);
    const net = await get<TermList>("/payment-terms?name=NET&active=any");
    expect(net.data.every((term) => term.name?.toLowerCase().includes("net"))).toBe(true);
    expect(net.count).toBeGreaterThan(2);
  });

  it("refuses an unknown query parameter, so a typo does not widen the answer", async () => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), "/payment-terms?actve=false"),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual([
      expect.objectContaining({ in: "query", field: "actve", message: expect.stringContaining("actve") }),
    ]);
  });

  it("refuses bad filters with field errors", async () => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), "/payment-terms?active=maybe&name="),
      400,
      "validation-failed",
    );
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: "query", field: "active" }),
        expect.objectContaining({ in: "query", field: "name" }),
      ]),
    );
  });
});

describe("GET /payment-terms/{id}", () => {
  it("answers each term as the list does", async () => {
    for (const term of (await get<TermList>("/payment-terms?active=any")).data) {
      expect(await get(`/payment-terms/${term.id}`)).toEqual(term);
    }
  });

  it("answers 404 for an unknown id and for another tenant's term", async () => {
    const other = await json<TermList>(
      await callWorker(worker, await simulatorEnv(env, sim, tenantBindings(OTHER_TENANT)), "/payment-terms"),
    );
    const foreignId = other.data[0]?.id;
    expect(foreignId).toBeDefined();
    const e = await simulatorEnv(env, sim);
    const body = await expectProblem(
      await callWorker(worker, e, `/payment-terms/${foreignId}`),
      404,
      "not-found",
    );
    expect(body.detail).toBe(`No payment term ${foreignId} in this tenant`);
    await expectProblem(await callWorker(worker, e, "/payment-terms/777"), 404, "not-found");
    await expectProblem(
      await callWorker(worker, e, `/payment-terms/${foreignId}/due-date?invoiceDate=2026-01-01`),
      404,
    );
  });

  it("refuses an id that is not a safe positive integer", async () => {
    for (const id of ["abc", "0", "9007199254740993"]) {
      const body = await expectProblem(
        await callWorker(worker, await simulatorEnv(env, sim), `/payment-terms/${id}`),
        400,
        "validation-failed",
      );
      expect(body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ in: "path", field: "id" })]),
      );
    }
  });
});

describe("GET /payment-terms/{id}/due-date", () => {
  it("net 30 with a 2 % 10-day discount, across February", async () => {
    const term = await termNamed("2% 10 Net 30");
    expect(await get(`/payment-terms/${term.id}/due-date?invoiceDate=2026-01-31&amount=100.00`)).toEqual({
      paymentTermId: term.id,
      paymentTermName: "2% 10 Net 30",
      dueDayType: "NumberOfDays",
      dueDay: 30,
      invoiceDate: "2026-01-31",
      dueDate: "2026-03-02",
      discount: {
        deadline: "2026-02-10",
        discountType: "Percent",
        discount: "2",
        discountApplyTo: "ApplyToTotalAmount",
        base: "100.00",
        amount: "2.00",
      },
    });
  });

  it("gives the discount deadline without an amount", async () => {
    const term = await termNamed("2% 10 Net 30");
    const body = await get<{ discount: Record<string, unknown> }>(
      `/payment-terms/${term.id}/due-date?invoiceDate=2028-02-29`,
    );
    expect(body.discount).toMatchObject({ deadline: "2028-03-10", base: null, amount: null });
  });

  it("has no discount for a term without one", async () => {
    const term = await termNamed("Net 15");
    expect(await get(`/payment-terms/${term.id}/due-date?invoiceDate=2026-12-20&amount=5`)).toMatchObject({
      dueDate: "2027-01-04",
      discount: null,
    });
  });

  it.each([
    ["before the day", "2026-01-10", "", "2026-01-25"],
    ["on the day", "2026-01-25", "", "2026-01-25"],
    ["after the day: next month by default", "2026-01-26", "", "2026-02-25"],
    ["after the day, ifDayPassed=invoiceDate", "2026-01-26", "&ifDayPassed=invoiceDate", "2026-01-26"],
    ["after the day, ifDayPassed=keep", "2026-01-26", "&ifDayPassed=keep", "2026-01-25"],
    ["after the day in December", "2026-12-31", "", "2027-01-25"],
  ])("certain day of the current month, %s", async (_, invoiceDate, extra, want) => {
    const term = await termNamed("Due on the 25th");
    const body = await get<{ dueDate: string }>(
      `/payment-terms/${term.id}/due-date?invoiceDate=${invoiceDate}${extra}`,
    );
    expect(body.dueDate).toBe(want);
  });

  it("certain day of the following month with a fixed discount by day of month, capped at the amount", async () => {
    const term = await termNamed("10th of Following Month");
    expect(await get(`/payment-terms/${term.id}/due-date?invoiceDate=2026-12-20&amount=10.00`)).toMatchObject(
      {
        dueDate: "2027-01-10",
        discount: {
          deadline: "2027-01-05",
          discountType: "Fixed",
          discount: "25",
          base: "10.00",
          amount: "10.00",
        },
      },
    );
  });

  it("reads Percent discounts as fractions when the deployment says so", async () => {
    const term = await termNamed("2% 10 Net 30");
    const path = `/payment-terms/${term.id}/due-date?invoiceDate=2026-01-01&amount=1.00`;
    const body = await get<{ discount: { amount: string } }>(path, { DISCOUNT_PERCENT_UNIT: "fraction" });
    expect(body.discount.amount).toBe("2.00");
    await expectProblem(
      await callWorker(worker, await termsEnv({ DISCOUNT_PERCENT_UNIT: "percentage" }), path),
      500,
      "misconfigured",
    );
  });

  it.each<[string, string, string[]]>([
    ["no invoice date", "", ["invoiceDate"]],
    ["an impossible date", "invoiceDate=2026-02-30", ["invoiceDate"]],
    ["a date-time", "invoiceDate=2026-01-31T00:00:00Z", ["invoiceDate"]],
    ["a date out of range", "invoiceDate=0099-01-01", ["invoiceDate"]],
    ["three decimals", "invoiceDate=2026-01-01&amount=1.005", ["amount"]],
    ["a negative amount", "invoiceDate=2026-01-01&amount=-1", ["amount"]],
    ["an unknown rule", "invoiceDate=2026-01-01&ifDayPassed=later", ["ifDayPassed"]],
    ["everything at once", "invoiceDate=x&amount=y&ifDayPassed=z", ["invoiceDate", "amount", "ifDayPassed"]],
  ])("refuses %s with field errors", async (_, query, fields) => {
    const body = await expectProblem(
      await callWorker(worker, await simulatorEnv(env, sim), `/payment-terms/1/due-date?${query}`),
      400,
      "validation-failed",
    );
    const errors = body.errors as { in: string; field: string }[];
    expect([...new Set(errors.map((error) => error.field))].sort()).toEqual([...fields].sort());
    expect(errors.every((error) => error.in === "query")).toBe(true);
  });
});

describe("ServiceTitan failures", () => {
  it.each<[string, string, number, string]>([
    ["not licensed", "not-licensed", 403, "not-entitled"],
    ["rate limited", "status=429;retry-after=30", 429, "upstream-rate-limited"],
    ["unavailable", "status=503;retry-after=30", 503, "upstream-unavailable"],
  ])("maps %s (%s) to %i %s", async (_, fault, status, type) => {
    const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBinding(sim, fault) });
    await expectProblem(await callWorker(worker, e, "/payment-terms"), status, type);
    const response = await callWorker(worker, e, "/payment-terms/1/due-date?invoiceDate=2026-01-01");
    await expectProblem(response, status, type);
    if (status === 429) expect(response.headers.get("Retry-After")).toBe("30");
  });

  it("maps a hang to a 504 timeout", async () => {
    const e = await simulatorEnv(env, sim, { SERVICETITAN: faultBinding(sim, "hang"), ST_TIMEOUT_MS: "100" });
    await expectProblem(await callWorker(worker, e, "/payment-terms/1"), 504, "upstream-timeout");
  });
});

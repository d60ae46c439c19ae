// Handlers for the payment-terms routes: the list, one term, and due dates computed from a term.
import { mount, ProblemError, serviceTitanFor, type WorkerEnv } from "@st-edge/edge";
import { allPages, type ServiceTitanClient, ServiceTitanError, unwrap } from "@st-edge/servicetitan";
import type { Hono } from "hono";
import { getDueDate, getPaymentTerm, listPaymentTerms } from "../api.ts";
import { discountFor, dueDate, formatDay, type PercentUnit, parseDay } from "../due-date.ts";
import { type PaymentTermView, toDiscountTerm, toPaymentTermView } from "../view.ts";

/** The generated bindings (worker-configuration.d.ts) and this worker's optional var. */
export type PaymentTermsBindings = Env & {
  /** "percent" (default: a Percent discount of 2 means 2 %) or "fraction" (0.02 means 2 %); UNCONFIRMED upstream. */
  DISCOUNT_PERCENT_UNIT?: string;
};

const TERM_PAGE_SIZE = 500;

function percentUnit(env: PaymentTermsBindings): PercentUnit {
  const unit = env.DISCOUNT_PERCENT_UNIT ?? "percent";
  if (unit !== "percent" && unit !== "fraction") {
    throw new ProblemError({
      type: "misconfigured",
      detail: "DISCOUNT_PERCENT_UNIT must be percent or fraction",
    });
  }
  return unit;
}

/** One term by id; ServiceTitan's 404 (an unknown id, or another tenant's) becomes our not-found problem. */
async function fetchTerm(client: ServiceTitanClient, id: number): Promise<PaymentTermView> {
  const notFound = (traceId?: string) =>
    new ProblemError({ type: "not-found", detail: `No payment term ${id} in this tenant`, traceId });
  try {
    const { data } = await client.GET("/tenant/{tenant}/payment-terms/{paymentTermId}", {
      params: { path: { paymentTermId: id } },
    });
    // An empty 200 is read as "no such term" too (the spec declares no 404 for this operation).
    if (!data) throw notFound();
    return toPaymentTermView(data, id);
  } catch (error) {
    if (error instanceof ServiceTitanError && error.status === 404) throw notFound(error.traceId);
    throw error;
  }
}

const byName = (a: PaymentTermView, b: PaymentTermView) =>
  (a.name ?? "\uffff").localeCompare(b.name ?? "\uffff", "en", { sensitivity: "base" }) || a.id - b.id;

/**
 * Mounts every payment-terms route on `app`.
 *
 * @example registerPaymentTermRoutes(createWorkerApp<PaymentTermsBindings>({ name: "payment-terms", openapi }));
 */
export function registerPaymentTermRoutes<B extends PaymentTermsBindings>(app: Hono<WorkerEnv<B>>): void {
  mount(app, listPaymentTerms, async (c, { query }) => {
    const { client } = await serviceTitanFor(c);
    const needle = query.name?.toLowerCase();
    const terms: PaymentTermView[] = [];
    const pages = allPages(async (page) =>
      unwrap(
        await client.GET("/tenant/{tenant}/payment-terms", {
          params: { query: { page, pageSize: TERM_PAGE_SIZE } },
        }),
      ),
    );
    for await (const term of pages) {
      const view = toPaymentTermView(term);
      if (query.active !== "any" && view.active !== (query.active === "true")) continue;
      if (needle !== undefined && !(view.name ?? "").toLowerCase().includes(needle)) continue;
      terms.push(view);
    }
    terms.sort(byName);
    return c.json({ count: terms.length, data: terms });
  });

  mount(app, getPaymentTerm, async (c, { params }) => {
    const { client } = await serviceTitanFor(c);
    return c.json(await fetchTerm(client, params.id));
  });

  mount(app, getDueDate, async (c, { params, query }) => {
    const unit = percentUnit(c.env);
    const { client } = await serviceTitanFor(c);
    const term = await fetchTerm(client, params.id);
    const invoice = parseDay(query.invoiceDate);
    const due = dueDate(term, invoice, query.ifDayPassed);
    const discount = discountFor(toDiscountTerm(term), invoice, query.amount ?? null, {
      ifDayPassed: query.ifDayPassed,
      percentUnit: unit,
    });
    const model = term.paymentTermDiscountModel;
    return c.json({
      paymentTermId: term.id,
      paymentTermName: term.name,
      dueDayType: term.dueDayType,
      dueDay: term.dueDay,
      invoiceDate: query.invoiceDate,
      dueDate: formatDay(due),
      discount:
        discount && model
          ? {
              deadline: formatDay(discount.deadline),
              discountType: model.discountType ?? "",
              discount: model.discount ?? "0",
              discountApplyTo: model.discountApplyTo,
              base: query.amount?.toFixed(2) ?? null,
              amount: discount.amount?.toFixed(2) ?? null,
            }
          : null,
    });
  });
}

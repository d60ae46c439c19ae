// The read-only lists a consumer looks things up in: payment types (list + get), payment terms
// (list + get) and tax zones (list; the spec has no get-by-id). They only change in the
// ServiceTitan app, never through the API.
import type { components } from "@st-edge/servicetitan";
import { Hono } from "hono";
import type { ApiEnv, SimulatorState } from "../context.ts";
import { notFound } from "../errors.ts";
import { activeArg, inList, instantOf, within } from "../filters.ts";
import { operation } from "../operation.ts";
import { pageOf, readPaging, sortRecords } from "../paging.ts";
import { parseQuery, pathId } from "../validation.ts";

type S = components["schemas"];
type PaymentTerm = S["Accounting.V2.PaymentTermAPIModel"];
type TaxZone = S["Accounting.V2.TaxZoneResponse"];

const TERM_SORT = {
  Id: (term: PaymentTerm) => term.id ?? 0,
  Name: (term: PaymentTerm) => term.name ?? "",
  CreatedOn: (term: PaymentTerm) => instantOf(term.createdOn) ?? 0,
};

const ZONE_SORT = {
  Id: (zone: TaxZone) => zone.id,
  Name: (zone: TaxZone) => zone.name ?? "",
  CreatedOn: (zone: TaxZone) => instantOf(zone.createdOn) ?? 0,
};

/** Payment types, payment terms and tax zones. */
export function referenceDataRoutes(state: SimulatorState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const { maxPageSize } = state.settings;

  routes.get("/payment-types", operation(state, "PaymentTypes_GetList"), (c) => {
    const q = parseQuery("PaymentTypes_GetList", new URL(c.req.url));
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      maxPageSize,
    );
    const ids = q.ids("ids");
    const types = c.var.store
      .paymentTypes()
      .filter(
        ({ record, active }) =>
          inList(record.id, ids) &&
          activeArg(active, q.string("active")) &&
          within(record.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")),
      )
      .map(({ record }) => record);
    return c.json(
      pageOf(
        sortRecords(types, undefined, {}),
        paging,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.PaymentTypeResponse"],
    );
  });

  routes.get("/payment-types/:id", operation(state, "PaymentTypes_Get"), (c) => {
    const id = pathId("id", c.req.param("id"));
    const type = c.var.store.paymentTypes().find(({ record }) => record.id === id);
    if (!type) throw notFound(`Payment type ${id}`);
    return c.json(type.record satisfies S["Accounting.V2.PaymentTypeResponse"]);
  });

  routes.get("/payment-terms", operation(state, "PaymentTerms_GetList"), (c) => {
    const q = parseQuery("PaymentTerms_GetList", new URL(c.req.url));
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      maxPageSize,
    );
    const ids = q.ids("ids");
    const terms = c.var.store
      .paymentTerms()
      .filter(
        (term) =>
          inList(term.id, ids) &&
          within(term.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
          within(term.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")),
      );
    return c.json(
      pageOf(
        sortRecords(terms, q.string("sort"), TERM_SORT),
        paging,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.PaymentTermAPIModel"],
    );
  });

  routes.get("/payment-terms/:paymentTermId", operation(state, "PaymentTerms_GetPaymentTermModel"), (c) => {
    const id = pathId("paymentTermId", c.req.param("paymentTermId"));
    const term = c.var.store.paymentTerms().find((candidate) => candidate.id === id);
    if (!term) throw notFound(`Payment term ${id}`);
    return c.json(term satisfies S["Accounting.V2.PaymentTermAPIModel"]);
  });

  routes.get("/tax-zones", operation(state, "TaxZones_GetList"), (c) => {
    const q = parseQuery("TaxZones_GetList", new URL(c.req.url));
    const paging = readPaging(
      { page: q.int("page"), pageSize: q.int("pageSize"), includeTotal: q.bool("includeTotal") },
      maxPageSize,
    );
    const ids = q.ids("ids");
    const zones = c.var.store
      .taxZones()
      .filter(
        (zone) =>
          inList(zone.id, ids) &&
          activeArg(zone.active, q.string("active")) &&
          within(zone.createdOn, q.instant("createdOnOrAfter"), q.instant("createdBefore")) &&
          within(zone.modifiedOn, q.instant("modifiedOnOrAfter"), q.instant("modifiedBefore")),
      );
    return c.json(
      pageOf(
        sortRecords(zones, q.string("sort"), ZONE_SORT),
        paging,
      ) satisfies S["PaginatedResponse_Of_Accounting.V2.TaxZoneResponse"],
    );
  });

  return routes;
}

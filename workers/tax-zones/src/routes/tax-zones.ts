// Handlers for the tax-zones routes: the cached zone list, one zone, an invoice's zone and quotes.
import { mount, ProblemError, serviceTitanFor, type TenantClient, type WorkerEnv } from "@st-edge/edge";
import { allPages, Decimal, fetchOneById, type ServiceTitanClient, unwrap } from "@st-edge/servicetitan";
import type { Hono } from "hono";
import { getTaxZone, listTaxZones, quoteTaxZone, resolveTaxZone } from "../api.ts";
import { type QuoteAmounts, quoteTax, ROUNDING_RULE } from "../quote.ts";
import { type TaxZoneView, toQuoteZone, toTaxZoneView } from "../view.ts";
import { createZoneCache, type ZoneCache } from "../zone-cache.ts";

/** Zones per list call; tax zones number in the tens, so one call normally covers a tenant. */
const ZONE_PAGE_SIZE = 500;

// One cache per deployment connection (per isolate, upstream, environment, tenant and
// credentials), keyed inside by environment and tenant so a key never serves another tenant.
const zoneCaches = new WeakMap<object, ZoneCache<TaxZoneView[]>>();

const cacheKey = (tenant: TenantClient) => `${tenant.environment}:${tenant.tenantId}`;

function cacheFor(tenant: TenantClient): ZoneCache<TaxZoneView[]> {
  let cache = zoneCaches.get(tenant.scope);
  if (!cache) {
    cache = createZoneCache<TaxZoneView[]>();
    zoneCaches.set(tenant.scope, cache);
  }
  return cache;
}

async function loadZones(client: ServiceTitanClient): Promise<TaxZoneView[]> {
  const zones: TaxZoneView[] = [];
  const pages = allPages(async (page) =>
    unwrap(
      await client.GET("/tenant/{tenant}/tax-zones", {
        params: { query: { active: "Any", page, pageSize: ZONE_PAGE_SIZE } },
      }),
    ),
  );
  for await (const zone of pages) zones.push(toTaxZoneView(zone));
  return zones;
}

/** Every zone of the tenant, active or not, from the cache (one upstream list per TTL). */
export function allZones(tenant: TenantClient): Promise<TaxZoneView[]> {
  return cacheFor(tenant).get(cacheKey(tenant), () => loadZones(tenant.client));
}

/** One zone by id: from the cached list, else straight from ServiceTitan (a zone newer than the cache). */
export async function findZone(tenant: TenantClient, id: number): Promise<TaxZoneView | undefined> {
  const cached = (await allZones(tenant)).find((zone) => zone.id === id);
  if (cached) return cached;
  const fresh = await fetchOneById(
    id,
    async (ids) =>
      unwrap(
        await tenant.client.GET("/tenant/{tenant}/tax-zones", {
          params: { query: { ids, active: "Any", pageSize: 1 } },
        }),
      ).data,
  );
  // The list is stale (a zone was added): reload it next time rather than miss again.
  if (fresh) cacheFor(tenant).invalidate(cacheKey(tenant));
  return fresh ? toTaxZoneView(fresh) : undefined;
}

async function requireZone(tenant: TenantClient, id: number): Promise<TaxZoneView> {
  const zone = await findZone(tenant, id);
  if (!zone) throw new ProblemError({ type: "not-found", detail: `No tax zone ${id} in this tenant` });
  return zone;
}

const byName = (a: TaxZoneView, b: TaxZoneView) =>
  (a.name ?? "\uffff").localeCompare(b.name ?? "\uffff", "en", { sensitivity: "base" }) || a.id - b.id;

const money = (value: Decimal | null) => (value === null ? null : value.toFixed(2));

/**
 * Mounts every tax-zones route on `app`.
 *
 * @example registerTaxZoneRoutes(createWorkerApp<Env>({ name: "tax-zones", openapi }));
 */
export function registerTaxZoneRoutes<E extends WorkerEnv>(app: Hono<E>): void {
  mount(app, listTaxZones, async (c, { query }) => {
    const needle = query.name?.toLowerCase();
    const zones = (await allZones(await serviceTitanFor(c)))
      .filter((zone) => query.active === "any" || zone.active === (query.active === "true"))
      .filter((zone) => needle === undefined || (zone.name ?? "").toLowerCase().includes(needle))
      .sort(byName);
    return c.json({ count: zones.length, data: zones });
  });

  mount(app, resolveTaxZone, async (c, { query }) => {
    const tenant = await serviceTitanFor(c);
    const invoice = await fetchOneById(
      query.invoiceId,
      async (ids) =>
        unwrap(
          await tenant.client.GET("/tenant/{tenant}/invoices", {
            params: { query: { ids, activeState: "All", pageSize: 1 } },
          }),
        ).data,
    );
    if (!invoice) {
      throw new ProblemError({ type: "not-found", detail: `No invoice ${query.invoiceId} in this tenant` });
    }
    const taxZoneId = invoice.taxZoneId ?? null;
    if (taxZoneId === null) {
      throw new ProblemError({
        type: "unprocessable",
        detail: `Invoice ${invoice.id} has no tax zone (its customer location has none)`,
        extensions: { invoiceId: invoice.id },
      });
    }
    const zone = await findZone(tenant, taxZoneId);
    if (!zone) {
      throw new ProblemError({
        type: "unprocessable",
        detail: `Invoice ${invoice.id} names tax zone ${taxZoneId}, which does not exist in this tenant`,
        extensions: { invoiceId: invoice.id, taxZoneId },
      });
    }
    return c.json({
      invoice: {
        id: invoice.id,
        referenceNumber: invoice.referenceNumber ?? null,
        taxZoneId,
        // Checked as decimals, passed on at ServiceTitan's own scale (never re-rounded).
        subTotal: Decimal.fromServiceTitan(invoice.subTotal)?.toString() ?? null,
        salesTax: Decimal.fromServiceTitan(invoice.salesTax)?.toString() ?? null,
      },
      taxZone: zone,
    });
  });

  mount(app, getTaxZone, async (c, { params }) =>
    c.json(await requireZone(await serviceTitanFor(c), params.id)),
  );

  mount(app, quoteTaxZone, async (c, { params, body }) => {
    const zone = await requireZone(await serviceTitanFor(c), params.id);
    const amounts: QuoteAmounts =
      body.subtotal !== undefined
        ? { subtotal: body.subtotal }
        : { labor: body.labor ?? Decimal.ZERO, material: body.material ?? Decimal.ZERO };
    const quote = quoteTax(toQuoteZone(zone), amounts);
    return c.json({
      taxZoneId: zone.id,
      taxZoneName: zone.name,
      isTaxRateSeparated: zone.isTaxRateSeparated,
      labor: money(quote.labor),
      material: money(quote.material),
      subtotal: money(quote.subtotal),
      lines: quote.lines.map((line) => ({
        rateId: line.rateId,
        taxName: line.taxName,
        taxRate: line.taxRate.toString(),
        basis: line.basis,
        taxableAmount: money(line.taxableAmount),
        tax: money(line.tax),
      })),
      totalTax: money(quote.totalTax),
      total: money(quote.total),
      rounding: ROUNDING_RULE,
    });
  });
}

// Id ranges. Each tenant owns a block of ten million ids and each record kind a range inside
// it, so ids never collide across tenants (another tenant's invoice id is a real "not found")
// and a payment id passed where an invoice id belongs finds nothing.

const TENANT_BLOCK = 10_000_000;

/** Offsets inside a tenant's block; a kind owns the ids up to the next kind's offset. */
export const ID_KIND = {
  invoice: 1_000_000,
  invoiceItem: 2_000_000,
  payment: 3_000_000,
  paymentApplication: 3_500_000,
  customer: 4_000_000,
  location: 4_500_000,
  job: 5_000_000,
  apBill: 6_000_000,
  apBillItem: 7_000_000,
  taxZone: 8_000_000,
  taxRate: 8_100_000,
  paymentTerm: 8_200_000,
  paymentType: 8_300_000,
  vendor: 8_400_000,
  businessUnit: 8_500_000,
  batch: 8_600_000,
  sku: 8_700_000,
  glAccount: 8_800_000,
  employee: 8_900_000,
  purchaseOrder: 9_000_000,
  invoiceType: 9_100_000,
  membership: 9_200_000,
  project: 9_300_000,
  deposit: 9_400_000,
  inventoryLocation: 9_500_000,
  equipment: 9_600_000,
  termDiscount: 9_700_000,
  interestSetting: 9_800_000,
  customFieldType: 9_900_000,
  purchaseOrderType: 9_950_000,
} as const;

export type IdKind = keyof typeof ID_KIND;

const offsets = Object.values(ID_KIND).sort((a, b) => a - b);
const capacity = (offset: number): number => (offsets.find((next) => next > offset) ?? TENANT_BLOCK) - offset;

/**
 * The `n`th id (1-based) of a kind for the tenant at `tenantIndex` (0-based position in the
 * tenant list). Throws rather than spill into the next kind's (or tenant's) range.
 */
export function makeId(tenantIndex: number, kind: IdKind, n: number): number {
  const offset = ID_KIND[kind];
  if (!Number.isInteger(n) || n < 1 || n >= capacity(offset))
    throw new RangeError(`${kind} #${n} does not fit its id range`);
  return (tenantIndex + 1) * TENANT_BLOCK + offset + n;
}

/** Invoice and job numbers are per-tenant too ("100042" for tenant 1, "200042" for tenant 2). */
export const makeNumber = (tenantIndex: number, n: number): string => String((tenantIndex + 1) * 100_000 + n);

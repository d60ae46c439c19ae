// One tenant's live data: a copy-on-write view of its (frozen) seed that writes change for the
// life of the process or isolate, until reset. Every write goes through `apply` (writes/), which
// is also how a journal replays them; every invoice change goes through one commit, which derives
// the balance one way for seeded and written records alike: total minus what active payments
// apply, in Decimal.
import type {
  ApBill,
  components,
  Decimal,
  DetailedPayment,
  ExportPayment,
  Invoice,
  InvoiceItem,
  PaymentResponse,
  PaymentTerm,
  TaxZone,
} from "@st-edge/servicetitan";
import { invoiceNumberKey } from "./filters.ts";
import { makeId } from "./ids.ts";
import { cents, money, ZERO } from "./money.ts";
import type { InvoiceLocks } from "./options.ts";
import type {
  Customer,
  NextIds,
  PaymentStatus,
  StoredPayment,
  StoredPaymentType,
  TenantData,
} from "./records.ts";
import { formatDate, formatInstant, formatTimestamp } from "./time.ts";
import type { WriteContext } from "./writes/context.ts";
import { runWrite, type TenantWrite, type WriteOperation, type WriteResult } from "./writes/index.ts";

type ExportInvoiceItem = components["schemas"]["Accounting.V2.ExportInvoiceItemResponse"];

/** One application of a payment to an invoice, money as a 2-decimal string. */
export interface LedgerSplit {
  appliedId: number;
  invoiceId: number;
  invoiceNumber: string | null;
  amount: string;
  appliedOn: string;
}

/** A payment as the ledger shows it: every stored field, including `exportId` and its origin. */
export interface LedgerPayment {
  id: number;
  origin: "seed" | "api";
  active: boolean;
  status: PaymentStatus;
  typeId: number;
  customerId: number | null;
  total: string;
  unappliedAmount: string;
  paidOn: string | null;
  memo: string | null;
  checkNumber: string | null;
  authCode: string | null;
  exportId: string | null;
  referenceNumber: string | null;
  createdOn: string;
  modifiedOn: string;
  splits: LedgerSplit[];
}

/** An invoice's money and export state: total, balance at seed time and now, what active payments apply. */
export interface LedgerInvoice {
  id: number;
  referenceNumber: string | null;
  active: boolean;
  /** Set on adjustment invoices: the invoice they adjust. */
  adjustmentToId: number | null;
  syncStatus: string | null;
  exportId: string | null;
  /** The `externalMessage` of the last export mark (no ServiceTitan read returns it). */
  exportMessage: string | null;
  subTotal: string;
  salesTax: string;
  total: string;
  /** The balance the seed gave this invoice (for an invoice the API created: its balance at creation). */
  seededBalance: string;
  balance: string;
  /** Sum of what active payments apply to this invoice. */
  applied: string;
  /** Active payments with a split on this invoice. */
  paymentIds: number[];
}

/**
 * Every payment with its splits, and every invoice's seeded and current balance: what tests
 * count with.
 *
 * @example
 * const posted = sim.ledger(1000001).payments.filter((p) => p.origin === "api");
 * expect(posted).toHaveLength(1); // exactly one payment, even after a retried POST
 */
export interface SimulatorLedger {
  tenantId: number;
  payments: LedgerPayment[];
  invoices: LedgerInvoice[];
}

/** What a store needs from its simulator. */
export interface TenantStoreOptions {
  /** The time a write happens at (epoch ms). */
  now: () => number;
  /** The invoice locks in force (they can change while the simulator runs). */
  locks: () => InvoiceLocks;
  /** Told of every write that went through, with the time it happened at. */
  onWrite?: (write: TenantWrite, at: number) => void;
  /** Told of every invoice a write creates or changes (the simulated webhooks, see webhooks.ts). */
  onInvoiceChange?: InvoiceChangeListener;
}

/** Told of an invoice as a write left it, and as it was before (undefined: the write created it). */
export type InvoiceChangeListener = (invoice: Invoice, previous: Invoice | undefined) => void;

/** A retired (deleted) invoice item, kept for the invoice-items export feed. */
interface RetiredItem {
  invoiceId: number;
  item: InvoiceItem;
}

/** Records indexed by id: O(1) lookup, copy-on-write replacement, insertion order kept. */
class RecordList<T extends { id: number }> {
  #records: T[] = [];
  #position = new Map<number, number>();

  reset(records: readonly T[]): void {
    this.#records = [...records];
    this.#position = new Map(this.#records.map((record, index) => [record.id, index]));
  }

  all(): readonly T[] {
    return this.#records;
  }

  get(id: number): T | undefined {
    const position = this.#position.get(id);
    return position === undefined ? undefined : this.#records[position];
  }

  /** Adds a new record or replaces the one with its id (seeded records are frozen, never mutated). */
  put(record: T): void {
    const position = this.#position.get(record.id);
    if (position === undefined) {
      this.#position.set(record.id, this.#records.length);
      this.#records.push(record);
    } else {
      this.#records[position] = record;
    }
  }
}

type Counters = { -readonly [K in keyof NextIds]: number };

/**
 * A tenant's data and the writes on it.
 *
 * @example
 * const store = new TenantStore(seedTenant({...}), { now: () => clock.now(), locks: () => DEFAULT_INVOICE_LOCKS });
 * store.apply({ op: "Payments_Create", body: { typeId, splits: [{ invoiceId, amount: 10.5 }] } });
 */
export class TenantStore {
  readonly tenantId: number;
  readonly #seed: TenantData;
  readonly #options: TenantStoreOptions;
  /** Each invoice's balance when it came to be: the seed's, or at creation for invoices the API created. */
  #startingBalances = new Map<number, string>();
  readonly #customers: Map<number, Customer>;
  // Copy-on-write over the (frozen) seed: a write replaces the records it changes with copies,
  // so a reset is a few shallow copies instead of a deep clone of megabytes of invoices.
  readonly #invoices = new RecordList<Invoice>();
  readonly #payments = new RecordList<StoredPayment>();
  readonly #apBills = new RecordList<ApBill>();
  #invoiceIdsByNumber = new Map<string, number>();
  #retiredItems: RetiredItem[] = [];
  #exportMessages = new Map<number, string | null>();
  #next: NextIds;

  constructor(seed: TenantData, options: TenantStoreOptions) {
    this.tenantId = seed.tenantId;
    this.#seed = seed;
    this.#options = options;
    this.#next = seed.next;
    this.#customers = new Map(seed.customers.map((customer) => [customer.id, customer]));
    this.reset();
  }

  /** Back to the seed, exactly. */
  reset(): void {
    this.#invoices.reset(this.#seed.invoices);
    this.#payments.reset(this.#seed.payments);
    this.#apBills.reset(this.#seed.apBills);
    this.#invoiceIdsByNumber = new Map(
      this.#seed.invoices.flatMap((invoice) =>
        invoice.referenceNumber ? [[invoiceNumberKey(invoice.referenceNumber), invoice.id] as const] : [],
      ),
    );
    this.#startingBalances = new Map(
      this.#seed.invoices.map((invoice) => [invoice.id, invoice.balance ?? "0.00"]),
    );
    this.#retiredItems = [];
    this.#exportMessages = new Map();
    this.#next = this.#seed.next;
  }

  /** The tenant's reference data as seeded (types, zones, terms, SKUs, custom field types, …). */
  get data(): TenantData {
    return this.#seed;
  }

  /**
   * Carries out one write at `at` (default: now), then reports it to `onWrite`. A refused write
   * throws before anything changes, ids included.
   */
  apply<K extends WriteOperation>(write: TenantWrite<K>, at = this.#options.now()): WriteResult<K> {
    const next: Counters = { ...this.#next };
    const result = runWrite(this.#context(at, next), write);
    this.#next = next;
    this.#options.onWrite?.(write, at);
    return result;
  }

  invoices(): readonly Invoice[] {
    return this.#invoices.all();
  }

  invoice(id: number): Invoice | undefined {
    return this.#invoices.get(id);
  }

  payments(): readonly StoredPayment[] {
    return this.#payments.all();
  }

  paymentTypes(): readonly StoredPaymentType[] {
    return this.#seed.paymentTypes;
  }

  paymentTerms(): readonly PaymentTerm[] {
    return this.#seed.paymentTerms;
  }

  taxZones(): readonly TaxZone[] {
    return this.#seed.taxZones;
  }

  apBills(): readonly ApBill[] {
    return this.#apBills.all();
  }

  apBill(id: number): ApBill | undefined {
    return this.#apBills.get(id);
  }

  /** Every invoice item as the export feed shows it: current ones with their invoice's `active`, deleted ones inactive. */
  exportInvoiceItems(): ExportInvoiceItem[] {
    return [
      ...this.#invoices
        .all()
        .flatMap((invoice) =>
          (invoice.items ?? []).map((item) => ({ ...item, active: invoice.active, invoiceId: invoice.id })),
        ),
      ...this.#retiredItems.map(({ invoiceId, item }) => ({ ...item, active: false, invoiceId })),
    ];
  }

  /** The write primitives, over a private copy of the id counters that `apply` adopts on success. */
  #context(now: number, next: Counters): WriteContext {
    return {
      now,
      data: this.#seed,
      locks: this.#options.locks(),
      invoice: (id) => this.#invoices.get(id),
      invoiceByNumber: (number) => {
        const id = this.#invoiceIdsByNumber.get(invoiceNumberKey(number));
        return id === undefined ? undefined : this.#invoices.get(id);
      },
      invoices: () => this.#invoices.all(),
      payment: (id) => this.#payments.get(id),
      payments: () => this.#payments.all(),
      apBill: (id) => this.#apBills.get(id),
      nextId: (kind) => makeId(this.#seed.tenantIndex, kind, next[kind]++),
      putPayment: (payment) => this.#payments.put(payment),
      commitInvoice: (invoice) => this.#commitInvoice(invoice, now),
      commitApBill: (bill) => this.#apBills.put({ ...bill, modifiedOn: formatTimestamp(now) }),
      retireItem: (invoiceId, item) => {
        this.#retiredItems.push({ invoiceId, item });
      },
      noteExportMessage: (invoiceId, message) => {
        this.#exportMessages.set(invoiceId, message);
      },
    };
  }

  /**
   * The one place an invoice is created or changed (an "invoice changed" notification belongs
   * here). Balance = total − what active payments apply; paidOn = the last payment's day once
   * nothing is left to pay; modifiedOn = now.
   */
  #commitInvoice(invoice: Invoice, now: number): Invoice {
    let applied = ZERO;
    let lastPaid: number | undefined;
    for (const payment of this.#payments.all()) {
      if (!payment.active) continue;
      for (const split of payment.splits) {
        if (split.invoiceId !== invoice.id) continue;
        applied = applied.plus(money(split.amount));
        lastPaid = Math.max(lastPaid ?? 0, payment.paidOn ?? now);
      }
    }
    const balance = money(invoice.total ?? "0").minus(applied);
    const stored: Invoice = {
      ...invoice,
      balance: cents(balance),
      paidOn: lastPaid !== undefined && !balance.isPositive() ? formatDate(lastPaid) : null,
      modifiedOn: formatTimestamp(now),
    };
    const before = this.#invoices.get(invoice.id);
    const previous = before?.referenceNumber;
    if (previous && previous !== stored.referenceNumber)
      this.#invoiceIdsByNumber.delete(invoiceNumberKey(previous));
    if (!this.#startingBalances.has(stored.id))
      this.#startingBalances.set(stored.id, stored.balance ?? "0.00");
    if (stored.referenceNumber)
      this.#invoiceIdsByNumber.set(invoiceNumberKey(stored.referenceNumber), stored.id);
    this.#invoices.put(stored);
    this.#options.onInvoiceChange?.(stored, before);
    return stored;
  }

  /** Sum of the splits, and what is left unapplied on the payment. */
  #amounts(payment: StoredPayment): { applied: Decimal; unapplied: Decimal } {
    const applied = payment.splits.reduce((sum, split) => sum.plus(money(split.amount)), ZERO);
    return { applied, unapplied: money(payment.total).minus(applied) };
  }

  detailedPayment(payment: StoredPayment): DetailedPayment {
    const customer = payment.customerId === null ? undefined : this.#customers.get(payment.customerId);
    const type = this.#seed.paymentTypes.find((candidate) => candidate.record.id === payment.typeId);
    return {
      active: payment.active,
      appliedTo: payment.splits.map((split) => ({
        appliedAmount: split.amount,
        appliedBy: split.appliedBy,
        appliedId: split.appliedId,
        appliedOn: formatTimestamp(split.appliedOn),
        appliedTo: split.invoiceId,
        appliedToReferenceNumber: this.invoice(split.invoiceId)?.referenceNumber ?? null,
      })),
      authCode: payment.authCode,
      batch: payment.batch,
      businessUnit: payment.businessUnit,
      checkNumber: payment.checkNumber,
      createdBy: payment.createdBy,
      createdOn: formatTimestamp(payment.createdOn),
      customer: customer ? { id: customer.id, name: customer.name } : null,
      customFields: payment.customFields,
      date: payment.paidOn === null ? null : formatInstant(payment.paidOn),
      deposit: payment.deposit,
      generalLedgerAccount: payment.generalLedgerAccount,
      id: payment.id,
      memo: payment.memo,
      modifiedOn: formatTimestamp(payment.modifiedOn),
      referenceNumber: payment.referenceNumber,
      refundedPaymentId: payment.refundedPaymentId,
      syncStatus: payment.status,
      total: payment.total,
      type: type?.record.name ?? null,
      // ServiceTitan's DetailedPaymentResponse carries typeId as a string (FACTS.md §3).
      typeId: String(payment.typeId),
      unappliedAmount: cents(this.#amounts(payment).unapplied),
    };
  }

  exportPayment(payment: StoredPayment): ExportPayment {
    return this.detailedPayment(payment);
  }

  paymentResponse(payment: StoredPayment): PaymentResponse {
    return {
      active: payment.active,
      authCode: payment.authCode,
      checkNumber: payment.checkNumber,
      customerId: payment.customerId,
      exportId: payment.exportId,
      id: payment.id,
      memo: payment.memo,
      paidOn: payment.paidOn === null ? null : formatInstant(payment.paidOn),
      splits: payment.splits.map((split) => ({
        amount: money(split.amount).toNumber(),
        invoiceId: split.invoiceId,
        invoiceNumber: this.invoice(split.invoiceId)?.referenceNumber ?? null,
      })),
      status: payment.status,
      transactionStatus: "Success",
      typeId: payment.typeId,
    };
  }

  ledger(): SimulatorLedger {
    const applied = new Map<number, Decimal>();
    const paymentIds = new Map<number, number[]>();
    for (const payment of this.#payments.all()) {
      if (!payment.active) continue;
      for (const split of payment.splits) {
        applied.set(split.invoiceId, (applied.get(split.invoiceId) ?? ZERO).plus(money(split.amount)));
        paymentIds.set(split.invoiceId, [
          ...new Set([...(paymentIds.get(split.invoiceId) ?? []), payment.id]),
        ]);
      }
    }
    return {
      tenantId: this.tenantId,
      payments: this.#payments.all().map((payment) => ({
        id: payment.id,
        origin: payment.origin,
        active: payment.active,
        status: payment.status,
        typeId: payment.typeId,
        customerId: payment.customerId,
        total: payment.total,
        unappliedAmount: cents(this.#amounts(payment).unapplied),
        paidOn: payment.paidOn === null ? null : formatInstant(payment.paidOn),
        memo: payment.memo,
        checkNumber: payment.checkNumber,
        authCode: payment.authCode,
        exportId: payment.exportId,
        referenceNumber: payment.referenceNumber,
        createdOn: formatTimestamp(payment.createdOn),
        modifiedOn: formatTimestamp(payment.modifiedOn),
        splits: payment.splits.map((split) => ({
          appliedId: split.appliedId,
          invoiceId: split.invoiceId,
          invoiceNumber: this.invoice(split.invoiceId)?.referenceNumber ?? null,
          amount: split.amount,
          appliedOn: formatTimestamp(split.appliedOn),
        })),
      })),
      invoices: this.#invoices.all().map((invoice) => ({
        id: invoice.id,
        referenceNumber: invoice.referenceNumber ?? null,
        active: invoice.active,
        adjustmentToId: invoice.adjustmentToId ?? null,
        syncStatus: invoice.syncStatus ?? null,
        exportId: invoice.exportId ?? null,
        exportMessage: this.#exportMessages.get(invoice.id) ?? null,
        subTotal: invoice.subTotal ?? "0.00",
        salesTax: invoice.salesTax ?? "0.00",
        total: invoice.total ?? "0.00",
        seededBalance: this.#startingBalances.get(invoice.id) ?? "0.00",
        balance: invoice.balance ?? "0.00",
        applied: cents(applied.get(invoice.id) ?? ZERO),
        paymentIds: paymentIds.get(invoice.id) ?? [],
      })),
    };
  }
}

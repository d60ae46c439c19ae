// One tenant's live data: a copy-on-write view of its (frozen) seed that payment writes change
// for the life of the process or isolate, until reset. Balances are always derived one way, for
// seeded and written payments alike: invoice total minus what active payments apply, in Decimal.
import type {
  ApBill,
  components,
  Decimal,
  DetailedPayment,
  ExportPayment,
  Invoice,
  PaymentCreateRequest,
  PaymentResponse,
  PaymentTerm,
  PaymentUpdateRequest,
  TaxZone,
} from "@st-edge/servicetitan";
import { type FieldErrors, notFound, validationProblem } from "./errors.ts";
import { makeId } from "./ids.ts";
import { cents, money, ZERO } from "./money.ts";
import type {
  Customer,
  PaymentStatus,
  StoredPayment,
  StoredPaymentType,
  StoredSplit,
  TenantData,
} from "./records.ts";
import { formatDate, formatTimestamp, parseDateTime, startOfUtcDay } from "./time.ts";

type SplitRequest = components["schemas"]["Accounting.V2.PaymentSplitApiModel"];

/** Who ServiceTitan would name as creator of records written through the API. */
const API_USER = "ServiceTitan API";

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

/** An invoice's money: total, balance at seed time and now, and what active payments apply. */
export interface LedgerInvoice {
  id: number;
  referenceNumber: string | null;
  active: boolean;
  total: string;
  /** The balance the seed gave this invoice. */
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

/** Date-only instants (midnight UTC) print as ServiceTitan prints dates; others as timestamps. */
const formatInstant = (ms: number): string =>
  startOfUtcDay(ms) === ms ? formatDate(ms) : formatTimestamp(ms);

const parseOptionalInstant = (text: string | null | undefined): number | undefined =>
  text === null || text === undefined ? undefined : parseDateTime(text);

interface ResolvedSplit {
  invoice: Invoice;
  amount: Decimal;
}

/** Told of every invoice change a write makes (the simulated webhooks, see webhooks.ts). */
export type InvoiceChangeListener = (invoice: Invoice, previous: Invoice) => void;

/**
 * A tenant's data and the writes on it.
 *
 * @example
 * const store = new TenantStore(seedTenant({...}), () => clock.now());
 * store.createPayment({ typeId, splits: [{ invoiceId, amount: 10.5 }] });
 */
export class TenantStore {
  readonly tenantId: number;
  readonly #seed: TenantData;
  readonly #now: () => number;
  readonly #onInvoiceChange: InvoiceChangeListener | undefined;
  readonly #seededBalances: Map<number, string>;
  readonly #invoicePosition: Map<number, number>;
  readonly #invoiceIdsByNumber: Map<string, number>;
  readonly #customers: Map<number, Customer>;
  // Copy-on-write over the (frozen) seed: a write replaces the records it changes with copies,
  // so a reset is a few shallow copies instead of a deep clone of megabytes of invoices.
  #invoices: Invoice[] = [];
  #payments: StoredPayment[] = [];
  #paymentPosition = new Map<number, number>();
  #next = { payment: 0, application: 0 };

  constructor(seed: TenantData, now: () => number, onInvoiceChange?: InvoiceChangeListener) {
    this.tenantId = seed.tenantId;
    this.#seed = seed;
    this.#now = now;
    this.#onInvoiceChange = onInvoiceChange;
    this.#seededBalances = new Map(seed.invoices.map((invoice) => [invoice.id, invoice.balance ?? "0.00"]));
    this.#invoicePosition = new Map(seed.invoices.map((invoice, index) => [invoice.id, index]));
    this.#invoiceIdsByNumber = new Map(
      seed.invoices.flatMap((invoice) =>
        invoice.referenceNumber ? [[invoice.referenceNumber, invoice.id] as const] : [],
      ),
    );
    this.#customers = new Map(seed.customers.map((customer) => [customer.id, customer]));
    this.reset();
  }

  /** Back to the seed, exactly. */
  reset(): void {
    this.#invoices = [...this.#seed.invoices];
    this.#payments = [...this.#seed.payments];
    this.#paymentPosition = new Map(this.#payments.map((payment, index) => [payment.id, index]));
    this.#next = { ...this.#seed.next };
  }

  invoices(): readonly Invoice[] {
    return this.#invoices;
  }

  payments(): readonly StoredPayment[] {
    return this.#payments;
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
    return this.#seed.apBills;
  }

  invoice(id: number): Invoice | undefined {
    const position = this.#invoicePosition.get(id);
    return position === undefined ? undefined : this.#invoices[position];
  }

  #invoiceByNumber(number: string): Invoice | undefined {
    const id = this.#invoiceIdsByNumber.get(number);
    return id === undefined ? undefined : this.invoice(id);
  }

  #payment(id: number): StoredPayment | undefined {
    const position = this.#paymentPosition.get(id);
    return position === undefined ? undefined : this.#payments[position];
  }

  /** Stores a new payment, or replaces one with its changed copy (seeded records are never mutated). */
  #putPayment(payment: StoredPayment): void {
    const position = this.#paymentPosition.get(payment.id);
    if (position === undefined) {
      this.#paymentPosition.set(payment.id, this.#payments.length);
      this.#payments.push(payment);
    } else {
      this.#payments[position] = payment;
    }
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
      customFields: [],
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

  /** Payments_Create: validates against this tenant's data, stores, and settles the invoices in its splits. */
  createPayment(request: PaymentCreateRequest): StoredPayment {
    const errors: FieldErrors = {};
    this.#checkType(request.typeId, errors);
    const splits = this.#resolveSplits(request.splits ?? [], errors);
    const customerId = this.#resolveCustomer(request.customerId ?? null, splits, errors);
    const applied = splits.reduce((sum, split) => sum.plus(split.amount), ZERO);
    let total = applied;
    if (request.amount !== null && request.amount !== undefined) {
      const amount = this.#amount(request.amount, "amount", errors);
      if (amount) {
        total = amount;
        if (amount.isNegative() ? applied.compare(amount) < 0 : applied.compare(amount) > 0) {
          errors.amount = [
            `The splits add up to ${cents(applied)}, more than the payment amount ${cents(amount)}.`,
          ];
        }
      }
    } else if (splits.length === 0 && !errors.splits) {
      errors.amount = ["The amount field is required when there are no splits."];
    }
    const paidOn = parseOptionalInstant(request.paidOn);
    if (Object.keys(errors).length > 0) throw validationProblem(errors);

    const now = this.#now();
    const id = this.#nextPaymentId();
    const payment: StoredPayment = {
      id,
      origin: "api",
      active: true,
      typeId: request.typeId,
      status: request.status ?? "Pending",
      total: cents(total),
      paidOn: paidOn ?? now,
      memo: request.memo ?? null,
      checkNumber: request.checkNumber ?? null,
      authCode: request.authCode ?? null,
      exportId: request.exportId ?? null,
      referenceNumber: null,
      customerId,
      businessUnit: splits[0]?.invoice.businessUnit ?? null,
      batch: null,
      deposit: null,
      generalLedgerAccount: null,
      refundedPaymentId: null,
      createdBy: API_USER,
      createdOn: now,
      modifiedOn: now,
      splits: splits.map((split) => this.#application(split, now)),
    };
    this.#putPayment(payment);
    this.#settle(new Set(payment.splits.map((split) => split.invoiceId)), now);
    return payment;
  }

  /** Payments_Update: replaces the splits (required by the spec) and any other field given. */
  updatePayment(id: number, request: PaymentUpdateRequest): StoredPayment {
    const existing = this.#payment(id);
    if (!existing) throw notFound(`Payment ${id}`);
    const payment: StoredPayment = { ...existing };
    const errors: FieldErrors = {};
    this.#checkType(request.typeId, errors, payment.typeId);
    const splits = this.#resolveSplits(request.splits, errors);
    this.#resolveCustomer(payment.customerId, splits, errors);
    const applied = splits.reduce((sum, split) => sum.plus(split.amount), ZERO);
    const total = money(payment.total);
    if (total.isNegative() ? applied.compare(total) < 0 : applied.compare(total) > 0) {
      errors.splits = [
        ...(errors.splits ?? []),
        `The splits add up to ${cents(applied)}, more than the payment total ${payment.total}.`,
      ];
    }
    const paidOn = parseOptionalInstant(request.paidOn);
    if (Object.keys(errors).length > 0) throw validationProblem(errors);

    const now = this.#now();
    const before = new Set(payment.splits.map((split) => split.invoiceId));
    const kept = [...payment.splits];
    payment.splits = splits.map((split) => {
      // An unchanged split keeps its application (and its appliedOn).
      const same = kept.findIndex(
        (old) => old.invoiceId === split.invoice.id && money(old.amount).equals(split.amount),
      );
      const [reused] = same >= 0 ? kept.splice(same, 1) : [];
      return reused ?? this.#application(split, now);
    });
    payment.typeId = request.typeId;
    if (request.active !== undefined) payment.active = request.active;
    if (request.authCode !== undefined) payment.authCode = request.authCode;
    if (request.checkNumber !== undefined) payment.checkNumber = request.checkNumber;
    if (request.exportId !== undefined) payment.exportId = request.exportId;
    if (request.memo !== undefined) payment.memo = request.memo;
    if (request.status !== undefined) payment.status = request.status;
    if (paidOn !== undefined) payment.paidOn = paidOn;
    payment.modifiedOn = now;
    this.#putPayment(payment);
    this.#settle(new Set([...before, ...payment.splits.map((split) => split.invoiceId)]), now);
    return payment;
  }

  /** Payments_UpdateStatus: all or nothing; unknown ids are a 400. */
  updatePaymentStatus(paymentIds: number[], status: PaymentStatus): void {
    const missing = paymentIds.filter((id) => !this.#paymentPosition.has(id));
    if (missing.length > 0)
      throw validationProblem({ paymentIds: missing.map((id) => `Payment ${id} was not found.`) });
    const now = this.#now();
    for (const id of paymentIds) {
      const payment = this.#payment(id);
      if (payment) this.#putPayment({ ...payment, status, modifiedOn: now });
    }
  }

  ledger(): SimulatorLedger {
    const applied = new Map<number, Decimal>();
    const paymentIds = new Map<number, number[]>();
    for (const payment of this.#payments) {
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
      payments: this.#payments.map((payment) => ({
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
      invoices: this.#invoices.map((invoice) => ({
        id: invoice.id,
        referenceNumber: invoice.referenceNumber ?? null,
        active: invoice.active,
        total: invoice.total ?? "0.00",
        seededBalance: this.#seededBalances.get(invoice.id) ?? "0.00",
        balance: invoice.balance ?? "0.00",
        applied: cents(applied.get(invoice.id) ?? ZERO),
        paymentIds: paymentIds.get(invoice.id) ?? [],
      })),
    };
  }

  #nextPaymentId(): number {
    return makeId(this.#seed.tenantIndex, "payment", this.#next.payment++);
  }

  #application(split: ResolvedSplit, now: number): StoredSplit {
    return {
      appliedId: makeId(this.#seed.tenantIndex, "paymentApplication", this.#next.application++),
      invoiceId: split.invoice.id,
      amount: cents(split.amount),
      appliedOn: now,
      appliedBy: API_USER,
    };
  }

  /** Recomputes balance and paidOn of these invoices from all active payments, and stamps them modified. */
  #settle(invoiceIds: Set<number>, now: number): void {
    for (const invoiceId of invoiceIds) {
      const position = this.#invoicePosition.get(invoiceId);
      const invoice = position === undefined ? undefined : this.#invoices[position];
      if (position === undefined || !invoice) continue;
      let applied = ZERO;
      let lastPaid: number | undefined;
      for (const payment of this.#payments) {
        if (!payment.active) continue;
        for (const split of payment.splits) {
          if (split.invoiceId !== invoiceId) continue;
          applied = applied.plus(money(split.amount));
          lastPaid = Math.max(lastPaid ?? 0, payment.paidOn ?? now);
        }
      }
      const balance = money(invoice.total ?? "0").minus(applied);
      const changed: Invoice = {
        ...invoice,
        balance: cents(balance),
        paidOn: lastPaid !== undefined && !balance.isPositive() ? formatDate(lastPaid) : null,
        modifiedOn: formatTimestamp(now),
      };
      this.#invoices[position] = changed;
      this.#onInvoiceChange?.(changed, invoice);
    }
  }

  #checkType(typeId: number, errors: FieldErrors, current?: number): void {
    const type = this.#seed.paymentTypes.find((candidate) => candidate.record.id === typeId);
    if (!type) errors.typeId = [`Payment type ${typeId} was not found.`];
    else if (!type.active && typeId !== current) errors.typeId = [`Payment type ${typeId} is inactive.`];
  }

  #amount(value: number, field: string, errors: FieldErrors): Decimal | undefined {
    try {
      const amount = money(value);
      if (amount.significantScale() > 2) errors[field] = ["Amounts can have at most 2 decimal places."];
      else if (amount.isZero()) errors[field] = ["The amount must not be zero."];
      else return amount;
    } catch {
      errors[field] = ["The amount is not a valid decimal."];
    }
    return undefined;
  }

  /** Splits may name the invoice by id or by number (referenceNumber); both must exist in this tenant. */
  #resolveSplits(splits: SplitRequest[], errors: FieldErrors): ResolvedSplit[] {
    const resolved: ResolvedSplit[] = [];
    const seen = new Set<number>();
    splits.forEach((split, index) => {
      const at = `splits[${index}]`;
      let invoice: Invoice | undefined;
      if (split.invoiceId !== null && split.invoiceId !== undefined) {
        invoice = this.invoice(split.invoiceId);
        if (!invoice) errors[`${at}.invoiceId`] = [`Invoice ${split.invoiceId} was not found.`];
      }
      if (split.invoiceNumber !== null && split.invoiceNumber !== undefined) {
        const byNumber = this.#invoiceByNumber(split.invoiceNumber);
        if (!byNumber)
          errors[`${at}.invoiceNumber`] = [`Invoice number ${split.invoiceNumber} was not found.`];
        else if (invoice && invoice !== byNumber) {
          errors[`${at}.invoiceNumber`] = [
            `Invoice number ${split.invoiceNumber} is not invoice ${split.invoiceId}.`,
          ];
        } else invoice = byNumber;
      }
      if ((split.invoiceId ?? null) === null && (split.invoiceNumber ?? null) === null) {
        errors[at] = ["Either invoiceId or invoiceNumber is required."];
      }
      if (invoice && !invoice.active) errors[at] = [`Invoice ${invoice.id} is inactive.`];
      if (invoice && seen.has(invoice.id))
        errors[at] = [`Invoice ${invoice.id} appears in more than one split.`];
      if (invoice) seen.add(invoice.id);
      if (split.amount === null || split.amount === undefined) {
        errors[`${at}.amount`] = ["The amount field is required."];
        return;
      }
      const amount = this.#amount(split.amount, `${at}.amount`, errors);
      if (invoice && amount) resolved.push({ invoice, amount });
    });
    return resolved;
  }

  /** A payment belongs to one customer; every invoice it settles must be that customer's. */
  #resolveCustomer(customerId: number | null, splits: ResolvedSplit[], errors: FieldErrors): number | null {
    if (customerId !== null && !this.#customers.has(customerId)) {
      errors.customerId = [`Customer ${customerId} was not found.`];
      return null;
    }
    const owner = customerId ?? splits[0]?.invoice.customer?.id ?? null;
    splits.forEach((split, index) => {
      if (split.invoice.customer?.id !== owner) {
        errors[`splits[${index}]`] = [`Invoice ${split.invoice.id} belongs to another customer.`];
      }
    });
    return owner;
  }
}

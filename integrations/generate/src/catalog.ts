// The hand-written half of the integrations: what a platform needs judgement for and an OpenAPI
// document cannot say — the words users see (labels, nouns, help), which reads are dropdowns,
// which triggers a poll route yields, the REST hook events behind a trigger, and sample values.
// Everything else comes from specs/workers/*.openapi.json. An operation missing here is still
// generated, with labels made from its summary and parameter names; an entry whose operation no
// longer exists is an error at `pnpm gen`, so this file cannot silently go stale.

/** How one operation appears. Keys are operationIds. */
export interface OperationNotes {
  /** Zapier key and n8n operation value; default: from the operationId. */
  key?: string;
  kind?: "trigger" | "search" | "create";
  /** Singular noun ("Invoice"): Zapier's `noun`, n8n's resource. Default: from the OpenAPI tag. */
  noun?: string;
  /** n8n resource when it is not the noun (a due date belongs with payment terms). */
  resource?: string;
  label?: string;
  description?: string;
  /** n8n operation name shown in the node (Get, Find, Post, ...). */
  action?: string;
  resultList?: string;
  /** Field overrides by key (label, help, required, dropdown, placeholder) and fields to hide. */
  fields?: Record<string, FieldNotes>;
  hide?: string[];
  /** Client-side match inputs of a search (not sent to the worker). */
  local?: { key: string; label: string; help: string; match: "equals" | "contains" | "amount" }[];
  /** A caller-mapped Idempotency-Key field (creates that require the header). */
  reference?: { label: string; help: string };
  sample?: Record<string, unknown>;
  /** Polls: one trigger per entry (a poll's `mode` values, or derived variants). */
  triggers?: TriggerNotes[];
  hidden?: boolean;
  /** Not a user's action at all (a receiver for ServiceTitan, an operator's route): no step on either platform. */
  omit?: boolean;
}

export interface TriggerNotes {
  key: string;
  noun: string;
  label: string;
  description: string;
  fixed?: Record<string, string>;
  transform?: "firstVersion";
  recordIdField?: string;
  /** Events of the events worker's REST hooks that deliver the same items. */
  events: string[];
}

export interface FieldNotes {
  label?: string;
  help?: string;
  required?: boolean;
  dropdown?: string;
  placeholder?: string;
  /**
   * A trigger filter: the member of a poll item it is about (a dot path, e.g. "vendor.id"), so an
   * instant trigger can apply it to each delivery. A filter without one is polling-only (the
   * events worker delivers every change of its kind).
   */
  item?: string;
}

/** Labels for parameter names that recur across workers. */
export const FIELD_LABELS: Record<string, FieldNotes> = {
  id: { label: "ID" },
  customerId: { label: "Customer ID" },
  adjustmentToId: {
    label: "Adjustments of Invoice ID",
    help: "An original invoice's id: finds the adjustment invoices made of it.",
  },
  invoiceId: { label: "Invoice ID", help: "ServiceTitan's invoice id (a number), e.g. 11000001." },
  invoiceNumber: { label: "Invoice Number", help: "The invoice's reference number, instead of its id." },
  jobNumber: { label: "Job Number" },
  typeId: { label: "Payment Type ID", dropdown: "paymentTypeIds" },
  paymentType: {
    label: "Payment Type",
    dropdown: "paymentTypeNames",
    help: "The payment type's name as in ServiceTitan (Cash, Check, Credit Card, …), matched case-insensitively. Give this or Payment Type ID.",
  },
  taxZoneId: { label: "Tax Zone", dropdown: "taxZones" },
  paidOn: {
    label: "Paid On",
    help: "A date (2026-01-31, midnight UTC) or an RFC 3339 date-time. Default: now.",
  },
  memo: { label: "Memo", help: "Shown in ServiceTitan. At most 232 characters." },
  checkNumber: { label: "Check Number" },
  authCode: { label: "Authorization Code" },
  allowOverpayment: {
    label: "Allow Overpayment",
    help: "Yes to accept a split above its invoice's balance. Default: no (such a payment is refused).",
  },
  modifiedSince: { label: "Modified Since", help: "Only invoices changed on or after this moment." },
  active: { label: "Active" },
  name: { label: "Name Contains" },
  status: { label: "Status" },
  limit: { label: "Max Results" },
};

/** Dynamic dropdowns: a list operation and the members giving each choice's value and label. */
export const DROPDOWNS: Record<string, { operationId: string; value: string; label: string }> = {
  taxZones: { operationId: "listTaxZones", value: "id", label: "name" },
  paymentTerms: { operationId: "listPaymentTerms", value: "id", label: "name" },
  // No worker lists payment types yet (ServiceTitan's PaymentTypes_GetList is not exposed): these
  // two switch on by themselves once an operation `listPaymentTypes` appears in a worker document.
  paymentTypeIds: { operationId: "listPaymentTypes", value: "id", label: "name" },
  paymentTypeNames: { operationId: "listPaymentTypes", value: "name", label: "name" },
};

const INVOICE_SAMPLE = {
  id: 11000001,
  referenceNumber: "100001",
  syncStatus: "Posted",
  active: true,
  invoiceDate: "2026-11-02T00:00:00Z",
  dueDate: "2026-12-02T00:00:00Z",
  subTotal: "250.00",
  salesTax: "20.63",
  total: "270.63",
  balance: "0.00",
  amountPaid: "270.63",
  isPaid: true,
  customer: { id: 14000001, name: "Jordan Rivera" },
  job: { id: 15000001, number: "J-5001", type: "Service" },
  taxZoneId: 18000001,
  termName: "Net 30",
  createdOn: "2026-11-02T15:04:05.1234567Z",
  modifiedOn: "2026-11-20T09:30:00.0000000Z",
};

const PAYMENT_SAMPLE = {
  id: 13000248,
  typeId: 18300002,
  type: "Check",
  amount: "25.00",
  paidOn: "2026-11-25T00:00:00Z",
  memo: "first payment",
  marker: "[ste:49e7a0b175a77079]",
  checkNumber: "1042",
  authCode: null,
  status: "Pending",
  customerId: 14000039,
  active: true,
  splits: [{ invoiceId: 11000006, amount: "25.00" }],
};

const BILL_SAMPLE = {
  id: 16000001,
  referenceNumber: "INV-88123",
  vendor: { id: 19000001, name: "Ferguson Supply" },
  status: "Unreconciled",
  syncStatus: "Pending",
  billType: "Procurement",
  billDate: "2026-11-18T00:00:00Z",
  dueDate: "2026-12-18T00:00:00Z",
  billAmount: "1234.50",
  createdOn: "2026-11-18T10:00:00.0000000Z",
  modifiedOn: "2026-11-18T10:00:00.0000000Z",
};

const TAX_ZONE_SAMPLE = {
  id: 18000004,
  name: "Ogdenville Labor & Materials",
  active: true,
  isTaxRateSeparated: true,
  rates: [{ id: 18100006, taxName: "Labor Tax", taxBaseType: ["Labor"], taxRate: "0.04" }],
};

const PAYMENT_TERM_SAMPLE = {
  id: 18200004,
  name: "2% 10 Net 30",
  active: true,
  dueDayType: "NumberOfDays",
  dueDay: 30,
};

/** Inputs of a payment post, shared by Post Payment and its check. */
const PAYMENT_FIELDS: Record<string, FieldNotes> = {
  amount: {
    label: "Amount",
    help: "Decimal text such as 125.50. With splits it must equal their sum; without, it goes to the invoice below.",
  },
  invoiceId: { help: "The invoice this payment is for (or use Splits for several)." },
  splits: {
    label: "Splits",
    help: "One line per invoice: its id or number and the amount applied to it.",
  },
  status: {
    label: "Status",
    help: "ServiceTitan's transaction status for the new payment. Default: Pending.",
  },
};

const REFERENCE = {
  label: "Your Reference (Idempotency Key)",
  help: "Optional. A number that identifies this payment in the system it comes from (an order, receipt or charge id). The same reference never posts twice, across replays, Zaps and workflows. Leave empty to let the integration derive one from this step and its inputs.",
};

const DRIFT_SAMPLE = {
  ...INVOICE_SAMPLE,
  id: "11000001-2026-11-28T16:45:00.0000000Z",
  invoiceId: 11000001,
  syncStatus: "Exported",
  exportId: "QB-1042",
  modifiedOn: "2026-11-28T16:45:00.0000000Z",
  exportedVersion: "2026-11-20T09:30:00.0000000Z",
  exportedAs: "QB-1042",
};

/** A new line (an item added to an invoice, or a line of an adjustment invoice). */
const ITEM_FIELDS: Record<string, FieldNotes> = {
  skuId: { label: "SKU ID", help: "The price-book item's id. Give this or SKU Code." },
  skuName: { label: "SKU Code", help: "The price-book item's code (e.g. SVC-DIAG), instead of its id." },
  description: { label: "Description", help: "As printed on the invoice (HTML allowed)." },
  quantity: { label: "Quantity", help: "Decimal text such as 1 or 1.5." },
  unitPrice: {
    label: "Unit Price",
    help: "Decimal text such as 89.95; negative for a discount or a write-off.",
  },
  cost: { label: "Cost" },
  technicianId: { label: "Technician ID" },
  isAddOn: { label: "Add-On" },
  budgetCodeId: { label: "Budget Code ID" },
};

/** The invoice a change is about (the path's id). */
const INVOICE_ID: FieldNotes = FIELD_LABELS.invoiceId ?? {};

/** An invoice's own fields, as Update Invoice and Create Adjustment Invoice take them. */
const INVOICE_FIELDS: Record<string, FieldNotes> = {
  id: INVOICE_ID,
  number: { label: "Invoice Number" },
  typeId: { label: "Invoice Type ID" },
  invoicedOn: { label: "Invoice Date", help: "A date (2026-01-31) or an RFC 3339 date-time." },
  summary: { label: "Summary", help: "HTML, as printed on the invoice." },
  reviewStatus: { label: "Review Status" },
  assignedToId: { label: "Assigned To (Employee ID)" },
  exportId: { label: "Export ID", help: "The invoice's id in your accounting system." },
  budgetCodeId: { label: "Budget Code ID" },
};

/** One invoice as answered after a change (item routes add the item's id). */
const CHANGED_SAMPLE = { ...INVOICE_SAMPLE, itemId: 12000001 };

export const OPERATIONS: Record<string, OperationNotes> = {
  // invoice-lookup
  findInvoices: {
    key: "find_invoices",
    noun: "Invoice",
    label: "Find Invoices",
    action: "Find",
    description: "Finds invoices by number, job number, customer or status (most recently changed first).",
    fields: {
      number: { label: "Invoice Number" },
      customerId: { help: "ServiceTitan's customer id." },
    },
    sample: INVOICE_SAMPLE,
  },
  getInvoice: {
    key: "find_invoice_by_id",
    noun: "Invoice",
    label: "Find Invoice by ID",
    action: "Get",
    description: "Finds one invoice by its ServiceTitan id, optionally with the payments applied to it.",
    fields: {
      id: { label: "Invoice ID" },
      include: { label: "Include", help: "payments: add the payments applied to it." },
    },
    sample: INVOICE_SAMPLE,
  },
  batchInvoices: {
    key: "find_invoices_by_ids",
    noun: "Invoice",
    label: "Find Several Invoices by ID",
    action: "Get Many",
    description: "Finds up to 200 invoices by id at once.",
    resultList: "invoices",
    fields: { ids: { label: "Invoice IDs", help: "Comma-separated invoice ids, at most 200." } },
    sample: INVOICE_SAMPLE,
  },
  pollInvoices: {
    noun: "Invoice",
    triggers: [
      {
        key: "invoice_changed",
        noun: "Invoice",
        label: "New or Updated Invoice",
        description:
          "Triggers when an invoice is created or changes (paid, posted, exported, edited): once per version.",
        events: ["invoice.created", "invoice.updated"],
      },
      {
        key: "new_invoice",
        noun: "Invoice",
        label: "New Invoice",
        description: "Triggers once for each invoice created in ServiceTitan.",
        transform: "firstVersion",
        recordIdField: "invoiceId",
        events: ["invoice.created"],
      },
    ],
    sample: { ...INVOICE_SAMPLE, id: "11000001-2026-11-20T09:30:00.0000000Z", invoiceId: 11000001 },
  },
  // payment-posting
  createPayment: {
    key: "post_payment",
    noun: "Payment",
    label: "Post Payment",
    action: "Post",
    description:
      "Posts a payment to one or more invoices in ServiceTitan, exactly once (a replayed step returns the first answer).",
    fields: PAYMENT_FIELDS,
    reference: REFERENCE,
    sample: { ...PAYMENT_SAMPLE, idempotencyKey: "order-1042" },
  },
  // An action, not a search: it finds nothing, and a refusal must halt with the post's own reason
  // (a search would turn it into "nothing found"). Not hidden: a Zap that takes money or marks
  // something paid elsewhere first checks that ServiceTitan will accept the payment.
  checkPayment: {
    key: "check_payment",
    noun: "Payment",
    label: "Check Payment Before Posting",
    action: "Check",
    description:
      "Runs every check Post Payment makes (payment type, invoices, balances, one customer) and answers what the payment would do, posting nothing. A refusal halts with the reason Post Payment would give.",
    fields: PAYMENT_FIELDS,
    sample: {
      ok: true,
      typeId: 18300002,
      type: "Check",
      amount: "25.00",
      customerId: 14000039,
      splits: [
        {
          invoiceId: 11000006,
          invoiceNumber: "100006",
          amount: "25.00",
          balance: "120.00",
          available: "120.00",
          balanceAfter: "95.00",
        },
      ],
    },
  },
  listPayments: {
    key: "find_payment",
    noun: "Payment",
    label: "Find Payment",
    action: "Find",
    description:
      "Finds payments applied to an invoice, optionally matching a check number, authorization code or amount.",
    resultList: "data",
    fields: { invoiceId: { required: true } },
    local: [
      {
        key: "checkNumber",
        label: "Check Number",
        help: "Only payments with this check number.",
        match: "equals",
      },
      {
        key: "authCode",
        label: "Authorization Code",
        help: "Only payments with this authorization code.",
        match: "equals",
      },
      { key: "amount", label: "Amount", help: "Only payments of this total (25 = 25.00).", match: "amount" },
    ],
    sample: PAYMENT_SAMPLE,
  },
  getPayment: {
    key: "find_payment_by_id",
    noun: "Payment",
    label: "Find Payment by ID",
    action: "Get",
    description: "Finds one payment by its ServiceTitan id.",
    fields: { id: { label: "Payment ID" } },
    sample: PAYMENT_SAMPLE,
  },
  pollPayments: {
    noun: "Payment",
    triggers: [
      {
        key: "payment_changed",
        noun: "Payment",
        label: "New or Updated Payment",
        description:
          "Triggers when a payment is posted or changes (status, splits, voided): once per version.",
        events: ["payment.created", "payment.updated"],
      },
      {
        key: "new_payment",
        noun: "Payment",
        label: "New Payment",
        description: "Triggers once for each payment posted in ServiceTitan.",
        transform: "firstVersion",
        recordIdField: "paymentId",
        events: ["payment.created"],
      },
    ],
    sample: { ...PAYMENT_SAMPLE, id: "13000248-2026-11-25T04:20:10.1370000Z", paymentId: 13000248 },
  },
  updatePayment: {
    key: "update_payment",
    noun: "Payment",
    label: "Update Payment",
    action: "Update",
    description:
      "Changes a payment's type, memo, check number, paid-on date, status or splits; what you leave empty is kept.",
    fields: {
      id: { label: "Payment ID" },
      splits: { label: "Splits", help: "When given, these replace all of the payment's splits." },
    },
    sample: PAYMENT_SAMPLE,
  },
  updatePaymentStatus: {
    key: "update_payment_status",
    noun: "Payment",
    label: "Update Payment Status",
    action: "Set Status",
    description: "Sets the status (Pending, Posted, Exported) of up to 50 payments.",
    fields: {
      paymentIds: { label: "Payment IDs", help: "Up to 50 payment ids." },
      status: { label: "Status" },
    },
    sample: { paymentIds: [13000248], status: "Exported" },
  },
  // tax-zones
  listTaxZones: {
    key: "find_tax_zone",
    noun: "Tax Zone",
    label: "Find Tax Zone",
    action: "Find",
    description: "Finds the tenant's tax zones by name.",
    resultList: "data",
    fields: { active: { help: "true (default), false or any." } },
    sample: TAX_ZONE_SAMPLE,
  },
  getTaxZone: {
    key: "find_tax_zone_by_id",
    noun: "Tax Zone",
    label: "Find Tax Zone by ID",
    action: "Get",
    description: "Finds one tax zone with its rates.",
    fields: { id: { label: "Tax Zone", dropdown: "taxZones" } },
    sample: TAX_ZONE_SAMPLE,
  },
  resolveTaxZone: {
    key: "find_tax_zone_for_invoice",
    noun: "Tax Zone",
    label: "Find Tax Zone for Invoice",
    action: "Get for Invoice",
    description: "Finds the tax zone that applies to an invoice, with its rates.",
    sample: {
      id: 18000004,
      invoice: {
        id: 11000001,
        referenceNumber: "100001",
        taxZoneId: 18000004,
        subTotal: "250.00",
        salesTax: "20.63",
      },
      taxZone: TAX_ZONE_SAMPLE,
    },
  },
  quoteTax: {
    key: "calculate_tax",
    kind: "create",
    noun: "Tax Quote",
    resource: "Tax Zone",
    label: "Calculate Tax",
    action: "Calculate",
    description: "Calculates the tax on an amount in a tax zone, per rate and in total (exact decimals).",
    fields: {
      id: { label: "Tax Zone", dropdown: "taxZones" },
      subtotal: {
        label: "Subtotal",
        help: "Taxable amount, e.g. 100.00. Or give Labor and Material instead.",
      },
      labor: { label: "Labor", help: "Taxable labor amount, e.g. 60.00." },
      material: { label: "Material", help: "Taxable material amount, e.g. 40.00." },
    },
    sample: {
      taxZoneId: 18000004,
      taxZoneName: "Ogdenville Labor & Materials",
      subtotal: "100.00",
      totalTax: "5.30",
      total: "105.30",
    },
  },
  // payment-terms
  listPaymentTerms: {
    key: "find_payment_term",
    noun: "Payment Term",
    label: "Find Payment Term",
    action: "Find",
    description: "Finds the tenant's payment terms by name.",
    resultList: "data",
    fields: { active: { help: "true (default), false or any." } },
    sample: PAYMENT_TERM_SAMPLE,
  },
  getPaymentTerm: {
    key: "find_payment_term_by_id",
    noun: "Payment Term",
    label: "Find Payment Term by ID",
    action: "Get",
    description: "Finds one payment term.",
    fields: { id: { label: "Payment Term", dropdown: "paymentTerms" } },
    sample: PAYMENT_TERM_SAMPLE,
  },
  getDueDate: {
    key: "find_due_date",
    noun: "Due Date",
    resource: "Payment Term",
    label: "Find Payment Term with Due Date",
    action: "Get Due Date",
    description:
      "Finds a payment term with the due date (and early-payment discount) it gives an invoice dated a given day.",
    fields: {
      id: { label: "Payment Term", dropdown: "paymentTerms" },
      invoiceDate: { label: "Invoice Date", help: "YYYY-MM-DD, e.g. 2026-01-31." },
      amount: { label: "Amount", help: "Optional: the amount the discount applies to, e.g. 100.00." },
      ifDayPassed: { label: "If the Day Has Passed" },
    },
    sample: {
      id: 18200004,
      paymentTermId: 18200004,
      paymentTermName: "2% 10 Net 30",
      invoiceDate: "2026-01-31",
      dueDate: "2026-03-02",
      discount: { deadline: "2026-02-10", amount: "2.00" },
    },
  },
  // events: what is not a subscription is for ServiceTitan or the operator, not a step in a Zap
  receiveServiceTitanWebhook: { omit: true },
  publishChange: { omit: true },
  listDeadLetters: { omit: true },
  replayDeadLetter: { omit: true },
  getWatcher: { omit: true },
  // bills
  listBills: {
    key: "find_bills",
    noun: "Bill",
    label: "Find Bills",
    action: "Find",
    description: "Finds AP bills by number, vendor, job, status or dates (one page).",
    resultList: "data",
    hide: ["page", "pageSize", "ids"],
    sample: BILL_SAMPLE,
  },
  getBill: {
    key: "find_bill_by_id",
    noun: "Bill",
    label: "Find Bill by ID",
    action: "Get",
    description: "Finds one AP bill with its items.",
    fields: { id: { label: "Bill ID" } },
    sample: BILL_SAMPLE,
  },
  markBillsExported: {
    key: "mark_bills_exported",
    noun: "Bill",
    label: "Mark AP Bills Exported",
    action: "Mark Exported",
    description: "Tells ServiceTitan your ledger now holds these AP bills: one result per bill.",
    fields: { billIds: { label: "Bill IDs", help: "Up to 50 ServiceTitan AP bill ids." } },
    sample: {
      results: [{ billId: 16000001, success: true, errorMessage: null }],
      succeeded: 1,
      failed: 0,
    },
  },
  markInventoryBillsExported: {
    key: "mark_inventory_bills_exported",
    noun: "Bill",
    label: "Mark Inventory Bills Exported",
    action: "Mark Inventory Exported",
    description: "Tells ServiceTitan your ledger now holds these inventory bills: one result per bill.",
    fields: {
      inventoryBillIds: { label: "Inventory Bill IDs", help: "Up to 50 ServiceTitan inventory bill ids." },
    },
    sample: {
      results: [{ inventoryBillId: 16000001, success: true, errorMessage: null }],
      succeeded: 1,
      failed: 0,
    },
  },
  pollBills: {
    noun: "Bill",
    // vendorId and status are matched on each delivery too; billType only polls (the events
    // worker lists AP bills as ServiceTitan does by default: Procurement bills).
    fields: { vendorId: { item: "vendor.id" }, status: { item: "status" } },
    triggers: [
      {
        key: "new_bill",
        noun: "Bill",
        label: "New Bill",
        description: "Triggers when an AP bill is created in ServiceTitan.",
        fixed: { mode: "new" },
        events: ["bill.created"],
      },
      {
        key: "bill_changed",
        noun: "Bill",
        label: "New or Updated Bill",
        description: "Triggers when an AP bill is created or changes: once per version.",
        fixed: { mode: "updated" },
        // Polls: the events worker delivers a new bill as bill.created with the createdOn-stamped
        // id of mode=new, not this trigger's modifiedOn-stamped one, so the two would not agree on
        // a bill first seen after an edit; and polling keeps every bill type within reach.
        events: [],
      },
    ],
    sample: { ...BILL_SAMPLE, id: "16000001-2026-11-18T10:00:00.0000000Z", billId: 16000001 },
  },
  // invoice-changes
  updateInvoice: {
    key: "update_invoice",
    noun: "Invoice",
    label: "Update Invoice",
    action: "Update",
    description:
      "Changes an invoice's fields (summary, dates, tax zone, review status, assignee, export id, royalty); only what you map is sent.",
    fields: {
      ...INVOICE_FIELDS,
      dueDate: { label: "Due Date", help: "YYYY-MM-DD, e.g. 2026-12-31." },
      royaltyStatus: { label: "Royalty Status" },
      royaltyDate: { label: "Royalty Date" },
      royaltySentOn: { label: "Royalty Sent On" },
      royaltyMemo: { label: "Royalty Memo" },
    },
    sample: INVOICE_SAMPLE,
  },
  addInvoiceItem: {
    key: "add_invoice_item",
    noun: "Invoice Item",
    resource: "Invoice",
    label: "Add Invoice Item",
    action: "Add Item",
    description:
      "Adds a line (a service fee, a discount) to an invoice; the answer is the invoice with its new totals and balance. Refused when it could leave the invoice paid beyond its total.",
    fields: { id: INVOICE_ID, ...ITEM_FIELDS },
    sample: CHANGED_SAMPLE,
  },
  changeInvoiceItem: {
    key: "update_invoice_item",
    noun: "Invoice Item",
    resource: "Invoice",
    label: "Update Invoice Item",
    action: "Update Item",
    description:
      "Changes one line of an invoice (quantity, price, description, …); what you leave empty is kept.",
    fields: { id: INVOICE_ID, itemId: { label: "Item ID" }, ...ITEM_FIELDS },
    sample: CHANGED_SAMPLE,
  },
  deleteInvoiceItem: {
    key: "delete_invoice_item",
    noun: "Invoice Item",
    resource: "Invoice",
    label: "Delete Invoice Item",
    action: "Delete Item",
    description:
      "Deletes one line of an invoice; the answer is the invoice with its new totals. Refused when the invoice is locked or it would be overpaid.",
    fields: { id: INVOICE_ID, itemId: { label: "Item ID" } },
    sample: CHANGED_SAMPLE,
  },
  listCustomFieldTypes: {
    key: "find_invoice_custom_field_type",
    noun: "Custom Field Type",
    resource: "Invoice",
    label: "Find Invoice Custom Field Type",
    action: "Find Custom Field Types",
    description: "Finds the tenant's invoice custom field types (their names, kinds and dropdown options).",
    resultList: "data",
    local: [
      {
        key: "name",
        label: "Name Contains",
        help: "Only types whose name contains this.",
        match: "contains",
      },
    ],
    sample: {
      id: 1,
      name: "PO Number",
      dataType: "Text",
      dataTypeOptions: null,
      createdOn: "2026-01-05T12:00:00Z",
      modifiedOn: "2026-01-05T12:00:00Z",
    },
  },
  setCustomFields: {
    key: "set_invoice_custom_fields",
    noun: "Invoice",
    label: "Set Invoice Custom Fields",
    action: "Set Custom Fields",
    description:
      "Sets custom field values (a PO number, a ledger reference) on an invoice; fields you do not list keep their values.",
    fields: {
      id: INVOICE_ID,
      customFields: {
        label: "Custom Fields",
        help: "One line per field: its name as in ServiceTitan (any letter case) and its value.",
      },
    },
    sample: INVOICE_SAMPLE,
  },
  markInvoicesExported: {
    key: "mark_invoices_exported",
    noun: "Invoice",
    label: "Mark Invoices Exported",
    action: "Mark Exported",
    description:
      "Tells ServiceTitan your ledger now holds these invoices, with your ledger's id for each: one result per invoice. Later edits show in Invoice Changed After Export.",
    fields: {
      invoices: {
        label: "Invoices",
        help: "Up to 50 lines: the invoice id, your ledger's id for it (it becomes the invoice's Export ID) and a message.",
      },
    },
    sample: {
      results: [{ invoiceId: 11000001, success: true, errorMessage: null }],
      succeeded: 1,
      failed: 0,
    },
  },
  exportDrift: {
    kind: "trigger",
    noun: "Invoice",
    triggers: [
      {
        key: "invoice_changed_after_export",
        noun: "Invoice",
        label: "Invoice Changed After Export",
        description:
          "Triggers when an invoice marked exported (through Mark Invoices Exported) is edited afterwards: once per edit, so your books can be corrected.",
        // Polls: no event says "edited after its export mark" (invoice.updated is every edit).
        events: [],
      },
    ],
    sample: DRIFT_SAMPLE,
  },
  // invoice-adjustments
  createAdjustment: {
    key: "create_adjustment_invoice",
    noun: "Adjustment Invoice",
    resource: "Invoice",
    label: "Create Adjustment Invoice",
    action: "Create Adjustment",
    description:
      "Creates an adjustment invoice for an invoice (a write-off, a charge found after export), exactly once (a replayed step returns the first answer).",
    fields: {
      ...INVOICE_FIELDS,
      id: { label: "Original Invoice ID", help: "The invoice this adjusts, e.g. 11000001." },
      royaltyMemo: {
        label: "Royalty Memo",
        help: "At most 232 characters: a tracing marker is added after it.",
      },
      items: {
        label: "Items",
        help: "One line per item: SKU id or code, description, quantity and unit price (negative for a write-off).",
      },
    },
    reference: {
      label: "Your Reference (Idempotency Key)",
      help: "Optional. A reference that identifies this adjustment in your system (a credit memo number). The same reference never creates twice. Leave empty to let the integration derive one from this step and its inputs.",
    },
    sample: {
      ...INVOICE_SAMPLE,
      id: 11003001,
      adjustmentToId: 11000001,
      idempotencyKey: "credit-77",
      marker: "[ste:0123456789abcdef]",
    },
  },
};

/** Inputs a trigger never shows: the platform decides them. */
export const TRIGGER_MANAGED = ["limit", "since", "mode"];

/** How many items a poll asks for (Zapier and n8n read the first page only). */
export const POLL_LIMIT = "100";

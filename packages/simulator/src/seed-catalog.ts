// The fixed vocabulary the seed draws from: names, SKUs, tax zones, payment terms and types. Kept
// apart from the generator so the data's shape can be read (and extended) at a glance.
import type { components } from "@st-edge/servicetitan";

type S = components["schemas"];

export const BUSINESS_UNITS = [
  "Plumbing - Service",
  "HVAC - Service",
  "HVAC - Install",
  "Drains & Sewer",
] as const;

export const OFFICE_STAFF = ["Maria Lopez", "Dan Whitaker", "Priya Natarajan", "Office Import"] as const;

export const TECHNICIANS = [
  "Sam Ortiz",
  "Jamie Chen",
  "Alex Brooks",
  "Taylor Nguyen",
  "Chris Morgan",
  "Jordan Ellis",
] as const;

export const FIRST_NAMES = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Ava",
  "Elijah",
  "Sophia",
  "James",
  "Isabella",
  "Benjamin",
  "Mia",
  "Lucas",
  "Harper",
  "Henry",
  "Evelyn",
  "Theodore",
  "Abigail",
  "Jack",
  "Ella",
  "Levi",
] as const;

export const LAST_NAMES = [
  "Anderson",
  "Baker",
  "Carter",
  "Diaz",
  "Edwards",
  "Foster",
  "Garcia",
  "Hughes",
  "Iverson",
  "Jensen",
  "Kowalski",
  "Larsen",
  "Mitchell",
  "Novak",
  "O'Brien",
  "Patel",
  "Quinn",
  "Reyes",
  "Sullivan",
  "Thompson",
] as const;

export const COMPANY_NAMES = [
  "Lakeside Apartments LLC",
  "Maple Grove HOA",
  "Riverside Dental Group",
  "Harbor View Property Mgmt",
  "Sunrise Bakery",
  "Oak Street Church",
  "Prairie Schools District 12",
  "Northgate Shopping Center",
  "Blue Fin Restaurant",
  "Summit Medical Offices",
  "Cedar Ridge Condos",
  "Union Street Lofts",
] as const;

export const STREETS = [
  "Maple Ave",
  "Oak St",
  "Elm Dr",
  "Lakeview Rd",
  "Cedar Ln",
  "Washington Blvd",
  "Prairie Way",
  "Hillcrest Ct",
  "River Rd",
  "Sunset Blvd",
  "Park Pl",
  "Willow Bend",
] as const;

export interface TaxZoneDef {
  name: string;
  city: string;
  zip: string;
  color: number;
  active: boolean;
  separated: boolean;
  rates: {
    taxName: string;
    base: S["Accounting.V2.TaxBaseTypeNames"][];
    rate: string;
    salesTaxItem: string | null;
  }[];
}

/** Single rates, several rates on one base, and separate labor/material rates: every way tax is computed. */
export const TAX_ZONES: TaxZoneDef[] = [
  {
    name: "Springfield City",
    city: "Springfield",
    zip: "62701",
    color: 3447003,
    active: true,
    separated: false,
    rates: [
      {
        taxName: "Springfield Sales Tax",
        base: ["Subtotal"],
        rate: "0.0825",
        salesTaxItem: "Sales Tax - Springfield",
      },
    ],
  },
  {
    name: "Shelbyville County",
    city: "Shelbyville",
    zip: "62565",
    color: 15105570,
    active: true,
    separated: false,
    rates: [{ taxName: "County Sales Tax", base: ["Subtotal"], rate: "0.0625", salesTaxItem: null }],
  },
  {
    name: "Capital City Metro",
    city: "Capital City",
    zip: "62702",
    color: 10181046,
    active: true,
    separated: false,
    rates: [
      { taxName: "State Sales Tax", base: ["Subtotal"], rate: "0.0600", salesTaxItem: "State Tax" },
      { taxName: "City Sales Tax", base: ["Subtotal"], rate: "0.0150", salesTaxItem: "City Tax" },
      { taxName: "Transit District Tax", base: ["Material"], rate: "0.0050", salesTaxItem: "Transit Tax" },
    ],
  },
  {
    name: "Ogdenville Labor & Materials",
    city: "Ogdenville",
    zip: "62703",
    color: 3066993,
    active: true,
    separated: true,
    rates: [
      { taxName: "Labor Tax", base: ["Labor"], rate: "0.0400", salesTaxItem: "Labor Tax" },
      { taxName: "Materials Tax", base: ["Material"], rate: "0.0725", salesTaxItem: "Materials Tax" },
    ],
  },
  {
    name: "North Haverbrook Combined",
    city: "North Haverbrook",
    zip: "62704",
    color: 16776960,
    active: true,
    separated: false,
    rates: [
      {
        taxName: "State Tax (labor & materials)",
        base: ["Labor", "Material"],
        rate: "0.0500",
        salesTaxItem: null,
      },
      { taxName: "Local Option Tax", base: ["Subtotal"], rate: "0.0125", salesTaxItem: null },
    ],
  },
  {
    name: "Tax Exempt",
    city: "Springfield",
    zip: "62705",
    color: 9807270,
    active: true,
    separated: false,
    rates: [{ taxName: "Exempt", base: ["Subtotal"], rate: "0", salesTaxItem: null }],
  },
  {
    name: "Old Town District (retired)",
    city: "Springfield",
    zip: "62706",
    color: 0,
    active: false,
    separated: false,
    rates: [{ taxName: "Old Town Tax", base: ["Subtotal"], rate: "0.0700", salesTaxItem: null }],
  },
];

export interface TermDef {
  name: string;
  dueDayType: S["Accounting.V2.PaymentTermDueDayType"];
  dueDay: number;
  customerDefault: boolean;
  vendorDefault: boolean;
  active: boolean;
  discount: S["Accounting.V2.PaymentTermDiscountAPIModel"] | null;
  interest: boolean;
}

/** Every `dueDayType`, with and without early-payment discounts. */
export const PAYMENT_TERMS: TermDef[] = [
  {
    name: "Due Upon Receipt",
    dueDayType: "NumberOfDays",
    dueDay: 0,
    customerDefault: true,
    vendorDefault: false,
    active: true,
    discount: null,
    interest: true,
  },
  {
    name: "Net 15",
    dueDayType: "NumberOfDays",
    dueDay: 15,
    customerDefault: false,
    vendorDefault: false,
    active: true,
    discount: null,
    interest: true,
  },
  {
    name: "Net 30",
    dueDayType: "NumberOfDays",
    dueDay: 30,
    customerDefault: false,
    vendorDefault: true,
    active: true,
    discount: null,
    interest: false,
  },
  {
    name: "2% 10 Net 30",
    dueDayType: "NumberOfDays",
    dueDay: 30,
    customerDefault: false,
    vendorDefault: false,
    active: true,
    interest: false,
    discount: {
      discountApplyTo: "ApplyToTotalAmount",
      discount: 2,
      discountType: "Percent",
      account: "Discounts Given",
      applyBy: "NumberOfDays",
      applyByValue: 10,
    },
  },
  {
    name: "Due on the 25th",
    dueDayType: "CertainDayOfCurrentMonth",
    dueDay: 25,
    customerDefault: false,
    vendorDefault: false,
    active: true,
    discount: null,
    interest: false,
  },
  {
    name: "10th of Following Month",
    dueDayType: "CertainDayOfFollowingMonth",
    dueDay: 10,
    customerDefault: false,
    vendorDefault: false,
    active: true,
    interest: true,
    discount: {
      discountApplyTo: "ApplyToSubtotalAmount",
      discount: 25,
      discountType: "Fixed",
      account: "Early Pay Discounts",
      applyBy: "DayOfMonth",
      applyByValue: 5,
    },
  },
  {
    name: "Net 60 (retired)",
    dueDayType: "NumberOfDays",
    dueDay: 60,
    customerDefault: false,
    vendorDefault: false,
    active: false,
    discount: null,
    interest: false,
  },
];

/** Payment types; the last one is inactive so the `active` filter has something to hide. */
export const PAYMENT_TYPES: { name: string; active: boolean; weight: number }[] = [
  { name: "Cash", active: true, weight: 10 },
  { name: "Check", active: true, weight: 25 },
  { name: "Credit Card", active: true, weight: 40 },
  { name: "ACH / EFT", active: true, weight: 15 },
  { name: "Debit Card", active: true, weight: 5 },
  { name: "Financing", active: true, weight: 5 },
  { name: "Gift Certificate", active: false, weight: 0 },
];

export interface SkuDef {
  code: string;
  name: string;
  type: S["Accounting.V2.InvoiceItemType"];
  price: string;
  cost: string;
  hours: number | null;
}

export const SKUS: SkuDef[] = [
  { code: "SVC-DIAG", name: "Diagnostic Fee", type: "Service", price: "89.00", cost: "0.00", hours: 1 },
  {
    code: "SVC-DRAIN",
    name: "Main Line Drain Cleaning",
    type: "Service",
    price: "189.00",
    cost: "0.00",
    hours: 1.5,
  },
  { code: "SVC-TUNEUP", name: "AC Tune-Up", type: "Service", price: "129.00", cost: "0.00", hours: 1 },
  {
    code: "SVC-WHINST",
    name: "Water Heater Install Labor",
    type: "Service",
    price: "450.00",
    cost: "0.00",
    hours: 4,
  },
  { code: "SVC-LABOR", name: "Hourly Labor", type: "Service", price: "125.50", cost: "0.00", hours: 1 },
  {
    code: "MAT-PIPE",
    name: "1/2in Copper Pipe (ft)",
    type: "Material",
    price: "4.25",
    cost: "1.87",
    hours: null,
  },
  { code: "MAT-ELBOW", name: "PVC Elbow 2in", type: "Material", price: "2.10", cost: "0.64", hours: null },
  {
    code: "MAT-CAP",
    name: "Run Capacitor 45/5 MFD",
    type: "Material",
    price: "38.50",
    cost: "11.20",
    hours: null,
  },
  {
    code: "MAT-R410",
    name: "Refrigerant R-410A (lb)",
    type: "Material",
    price: "85.00",
    cost: "22.35",
    hours: null,
  },
  {
    code: "MAT-FILTER",
    name: "Air Filter 16x25x1",
    type: "Material",
    price: "12.99",
    cost: "3.15",
    hours: null,
  },
  {
    code: "EQ-WH50",
    name: "50 Gal Gas Water Heater",
    type: "Equipment",
    price: "1249.00",
    cost: "612.40",
    hours: null,
  },
  {
    code: "EQ-AC3T",
    name: "3 Ton AC Condenser 16 SEER",
    type: "Equipment",
    price: "3899.00",
    cost: "1874.99",
    hours: null,
  },
  {
    code: "EQ-TANKLESS",
    name: "Tankless Water Heater",
    type: "Equipment",
    price: "2450.00",
    cost: "1133.33",
    hours: null,
  },
  {
    code: "PM-MEMBER",
    name: "Member Discount",
    type: "PriceModifier",
    price: "-25.00",
    cost: "0.00",
    hours: null,
  },
  {
    code: "PM-PROMO",
    name: "Seasonal Promotion",
    type: "PriceModifier",
    price: "-50.00",
    cost: "0.00",
    hours: null,
  },
];

export const MEMBERSHIP_SKU: SkuDef = {
  code: "MEM-ANNUAL",
  name: "Annual Comfort Club Membership",
  type: "Service",
  price: "199.00",
  cost: "0.00",
  hours: null,
};

export const INTEREST_SKU: SkuDef = {
  code: "FIN-INTEREST",
  name: "Late Payment Interest",
  type: "Service",
  price: "15.75",
  cost: "0.00",
  hours: null,
};

export const INVOICE_TYPES = ["Service", "Install", "Maintenance", "Warranty"] as const;

export const JOB_TYPES = ["Service Call", "Install", "Maintenance", "Estimate Follow-up"] as const;

export const VENDORS: { name: string; termDays: number }[] = [
  { name: "Ferguson Supply", termDays: 30 },
  { name: "Johnstone Supply", termDays: 30 },
  { name: "Winsupply of Springfield", termDays: 15 },
  { name: "Grainger", termDays: 30 },
  { name: "Home Depot Pro", termDays: 0 },
  { name: "Carrier Distribution", termDays: 45 },
  { name: "Rheem Parts Depot", termDays: 30 },
  { name: "Shell Fleet Fuel", termDays: 15 },
  { name: "Verizon Wireless", termDays: 20 },
  { name: "Springfield Tool Rental", termDays: 10 },
];

export const EXPENSES = ["Truck fuel", "Tool rental", "Dump fees", "Permit fees", "Mobile phones"] as const;

export const GL_ACCOUNTS: S["Accounting.V2.GLAccountResponse"][] = [
  { id: 1, name: "Undeposited Funds", number: "1200", type: "Asset", detailType: "Other Current Asset" },
  { id: 2, name: "Inventory Asset", number: "1300", type: "Asset", detailType: "Inventory" },
  { id: 3, name: "Accounts Payable", number: "2000", type: "Liability", detailType: "Accounts Payable" },
  { id: 4, name: "Service Revenue", number: "4000", type: "Income", detailType: "Service/Fee Income" },
  { id: 5, name: "Equipment Sales", number: "4100", type: "Income", detailType: "Sales of Product Income" },
  {
    id: 6,
    name: "Cost of Materials",
    number: "5000",
    type: "Cost of Goods Sold",
    detailType: "Supplies & Materials",
  },
  { id: 7, name: "Vehicle Expense", number: "6100", type: "Expense", detailType: "Auto" },
];

/**
 * The tenant's invoice custom field types (Invoices_GetCustomFieldTypes). `createdDays` is how
 * long after the tenant's setup each was added, so created/modified filters have something to
 * tell apart.
 */
export const INVOICE_CUSTOM_FIELDS: {
  name: string;
  dataType: S["Accounting.V2.CustomFieldDataType"];
  options: string[] | null;
  createdDays: number;
}[] = [
  { name: "PO Number", dataType: "Text", options: null, createdDays: 0 },
  { name: "Ledger Ref", dataType: "Text", options: null, createdDays: 120 },
  {
    name: "Job Source",
    dataType: "Dropdown",
    options: ["Google", "Referral", "Repeat Customer", "Yard Sign"],
    createdDays: 200,
  },
  { name: "Warranty Months", dataType: "Numeric", options: null, createdDays: 310 },
];

/** Purchase-order types a procurement bill's purchase order can have (the purchaseOrderTypes filter). */
export const PURCHASE_ORDER_TYPES = [
  "Standard",
  "Job Materials",
  "Stock Replenishment",
  "Drop Ship",
] as const;

// The operations the simulator serves, by operationId. The contract test walks exactly these.
export const IMPLEMENTED_OPERATIONS = [
  "Invoices_GetList",
  "Payments_GetList",
  "Payments_Create",
  "Payments_Update",
  "Payments_UpdateStatus",
  "PaymentTypes_GetList",
  "PaymentTypes_Get",
  "PaymentTerms_GetList",
  "PaymentTerms_GetPaymentTermModel",
  "TaxZones_GetList",
  "ApBills_GetListPaginated",
  "ApBills_GetById",
  "Export_Invoices",
  "Export_Payments",
] as const;

// @st-edge/servicetitan: the typed ServiceTitan Accounting v2 client and what every worker
// needs around it (errors, ids, money, paging, tokens).

export type { ServiceTitanClient, ServiceTitanClientOptions } from "./client.ts";
export { createServiceTitanClient } from "./client.ts";
export type { Clock, ManualClock } from "./clock.ts";
export { manualClock, systemClock } from "./clock.ts";
export { type Deadline, deadlineIn, unlessAborted } from "./deadline.ts";
export type { ServiceTitanEnvironment, ServiceTitanHosts } from "./environments.ts";
export { accountingBaseUrl, resolveHosts, SERVICETITAN_ENVIRONMENTS, tokenUrl } from "./environments.ts";
export type { ServiceTitanFailure, ServiceTitanProblem, TokenFailure } from "./errors.ts";
export { ServiceTitanAuthError, ServiceTitanError } from "./errors.ts";
export type { components, operations, paths } from "./generated/accounting-v2.ts";
export { InvalidIdError, isId, parseId } from "./ids.ts";
export { Decimal, MoneyFormatError, type Rounding } from "./money.ts";
export type { ExportBatch, ExportFeedOptions, Page } from "./paging.ts";
export { allPages, chunk, exportFeed, fetchByIds, fetchOneById, MAX_IDS_PER_CALL, unwrap } from "./paging.ts";
export type { ServiceTitanPaths } from "./paths.ts";
export { parseRetryAfter, secondsHintFromTitle } from "./retry-after.ts";
export { stampKey } from "./stamp.ts";
export type {
  ClientCredentials,
  IssuedToken,
  MemoryTokenProviderOptions,
  TokenProvider,
  TokenRequestOptions,
} from "./token-provider.ts";
export { createMemoryTokenProvider, isFresh, requestToken, SingleFlight } from "./token-provider.ts";
export type { AuthorizationScheme } from "./transport/auth.ts";
export type { Fetch } from "./transport/fetch.ts";
export type { RetryOptions } from "./transport/retry.ts";

/** Shorthands for the ServiceTitan records workers use most. */
import type { components as C } from "./generated/accounting-v2.ts";
export type Invoice = C["schemas"]["Accounting.V2.InvoiceResponse"];
export type InvoiceItem = C["schemas"]["Accounting.V2.InvoiceItemResponse"];
export type DetailedPayment = C["schemas"]["Accounting.V2.DetailedPaymentResponse"];
export type PaymentResponse = C["schemas"]["Accounting.V2.PaymentResponse"];
export type PaymentCreateRequest = C["schemas"]["Accounting.V2.PaymentCreateRequest"];
export type PaymentUpdateRequest = C["schemas"]["Accounting.V2.PaymentUpdateRequest"];
export type PaymentType = C["schemas"]["Accounting.V2.PaymentTypeResponse"];
export type PaymentTerm = C["schemas"]["Accounting.V2.PaymentTermAPIModel"];
export type TaxZone = C["schemas"]["Accounting.V2.TaxZoneResponse"];
export type ApBill = C["schemas"]["Accounting.V2.ApBillResponse"];
export type ExportInvoice = C["schemas"]["Accounting.V2.ExportInvoiceResponse"];
export type ExportPayment = C["schemas"]["Accounting.V2.ExportPaymentResponse"];
/** ServiceTitan's webhook (v2, beta) CloudEvents about invoices, from the March 2026 document. */
export type InvoiceWebhookEvent =
  | C["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoiceBatchedEventPayload"]
  | C["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoiceExportedEventPayload"]
  | C["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoicePostedEventPayload"]
  | C["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoiceUpdatedEventPayload"];
export type InvoiceTaskWebhookEvent =
  | C["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoiceTaskCreatedEventPayload"]
  | C["schemas"]["CloudEvent_Of_Accounting.V2.Webhook.InvoiceTaskUpdatedEventPayload"];

/** The token endpoint's bodies (specs/servicetitan/oauth-token.json). */
import type { components as OAuth } from "./generated/oauth-token.ts";
export type TokenResponse = OAuth["schemas"]["TokenResponse"];
export type TokenErrorBody = OAuth["schemas"]["TokenError"];

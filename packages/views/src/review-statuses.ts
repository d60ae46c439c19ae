// ServiceTitan's invoice review statuses (InvoiceResponse.reviewStatus, InvoiceUpdateRequest's),
// in one list every shape that reads or sets them uses. Plain data: a bundle that needs only the
// list (the MCP server's tool schemas) does not take the view schemas with it.
export const REVIEW_STATUSES = [
  "NeedsReview",
  "OnHold",
  "Reviewed",
  "PendingApproval",
  "Rejected",
  "ReadyForBilling",
  "Invoiced",
] as const;

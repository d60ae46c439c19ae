// ServiceTitan's AP-bill `dateFrom` / `dateTo` are date-times in its spec ("Filter bills created
// on or after / on or before this date"). Callers may send a day: it becomes that day's first or
// last instant in UTC, so "to 2026-01-31" keeps bills created at any time on the 31st. A
// date-time is sent as given.

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The date-time to send for a `dateFrom` (`from`) or `dateTo` (`to`) bound.
 *
 * @example createdBound("2026-01-31", "to") // "2026-01-31T23:59:59.9999999Z"
 */
export function createdBound(value: string, end: "from" | "to"): string {
  if (!DAY.test(value)) return value;
  // Seven fractional digits: the last tick .NET can tell apart within the day.
  return end === "from" ? `${value}T00:00:00Z` : `${value}T23:59:59.9999999Z`;
}

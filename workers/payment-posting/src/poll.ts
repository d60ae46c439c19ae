// Which payments a poll answers: newest versions first by ServiceTitan's modifiedOn, the first
// `limit` of them and every payment tied with the last one (a tie is never cut, or a trigger
// would miss one of two payments changed at the same instant). Times compare as instants, so
// "…38.5Z" and "…38.5000000Z" (ServiceTitan prints .NET's seven digits) are one time.
import type { DetailedPayment } from "@st-edge/servicetitan";

/** Sortable form of ServiceTitan's date-times (7-digit fractions included). */
export function instant(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:Z|\+00:00)?$/i.exec(value);
  if (match) return `${match[1]}.${(match[2] ?? "").padEnd(9, "0").slice(0, 9)}`;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : instant(new Date(parsed).toISOString());
}

/** Newest first; among payments of one instant, the higher id first. */
export const newestFirst = (
  a: Pick<DetailedPayment, "id" | "modifiedOn">,
  b: Pick<DetailedPayment, "id" | "modifiedOn">,
) => {
  const byTime = instant(b.modifiedOn).localeCompare(instant(a.modifiedOn));
  return byTime !== 0 ? byTime : b.id - a.id;
};

/** The first `limit` payments newest first, and every one of the same instant as the last. */
export function newestVersions<P extends Pick<DetailedPayment, "id" | "modifiedOn">>(
  payments: readonly P[],
  limit: number,
): P[] {
  const sorted = [...payments].sort(newestFirst);
  const boundary = sorted[limit - 1];
  if (!boundary) return sorted;
  const cut = instant(boundary.modifiedOn);
  return sorted.filter((payment, index) => index < limit || instant(payment.modifiedOn) === cut);
}

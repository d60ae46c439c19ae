// Timestamps as ServiceTitan writes them, and the strict date-time parsing its query
// parameters get. Internally every instant is epoch milliseconds.

export const SECOND_MS = 1_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * ServiceTitan's audit timestamps come from .NET with seven fractional digits
 * ("2021-07-19T20:35:38.2876004Z", FACTS.md §3), so consumers must parse more than milliseconds;
 * we emit that shape (the extra digits are zero because we keep milliseconds).
 */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

/** Business dates (invoice date, due date, paid on) are midnight UTC: "2021-07-19T00:00:00Z". */
export function formatDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`;
}

export function startOfUtcDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a date-time query value the way ASP.NET binds one: RFC 3339 with or without a zone
 * (no zone = UTC, as ServiceTitan's parameter docs say "in UTC"), or a bare date. Returns
 * undefined for anything else, including impossible dates such as 2026-02-30 that
 * `Date.parse` would silently roll over.
 */
export function parseDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", zone = "Z"] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const ms = Number(fraction.padEnd(3, "0").slice(0, 3));
  let instant = Date.UTC(y, m - 1, d, Number(hour), Number(minute), Number(second), ms);
  if (zone.toUpperCase() !== "Z") {
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!offset) return undefined;
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    instant -= (offset[1] === "-" ? -1 : 1) * minutes * 60_000;
  }
  return instant;
}

/** Date-only instants (midnight UTC) print as ServiceTitan prints dates; others as timestamps. */
export const formatInstant = (ms: number): string =>
  startOfUtcDay(ms) === ms ? formatDate(ms) : formatTimestamp(ms);

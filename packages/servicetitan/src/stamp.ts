// ServiceTitan timestamps as sortable text: .NET writes up to seven fractional digits
// ("2021-07-19T20:35:38.2876004Z"), which Date.parse would cut to milliseconds and which do not
// compare as plain strings ("…:38Z" sorts after "…:38.5Z"). Used wherever records are ordered or
// versions compared by createdOn / modifiedOn.

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * A sortable key for a ServiceTitan timestamp, exact to the 100 ns ticks .NET writes
 * ("2021-07-19T20:35:38.2876004Z" would lose digits in Date.parse). Unreadable or missing
 * stamps sort oldest.
 *
 * @example stampKey("2026-01-05T10:00:00.1Z") === stampKey("2026-01-05T10:00:00.1000000Z") // true
 */
export function stampKey(stamp: string | null | undefined): string {
  const match = stamp ? STAMP.exec(stamp.trim()) : null;
  if (!match) return "";
  const [, base = "", fraction = "", zone = "Z"] = match;
  const seconds = Date.parse(`${base}${zone.toUpperCase()}`) / 1000;
  if (!Number.isFinite(seconds)) return "";
  // Offsets keep seconds in range; pad so string order is numeric order (years 1970–2286).
  return `${String(seconds).padStart(11, "0")}.${fraction.padEnd(9, "0")}`;
}

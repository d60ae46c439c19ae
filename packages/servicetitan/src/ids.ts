// ServiceTitan ids are int64. JavaScript numbers are exact only up to 2^53 - 1, so ids beyond
// that are refused at our boundaries instead of being silently rounded to another record's id.

export class InvalidIdError extends Error {
  override readonly name = "InvalidIdError";
}

/**
 * A positive, safe integer id from a number or a decimal string; throws InvalidIdError otherwise.
 *
 * @example parseId("123") // 123
 */
export function parseId(value: unknown): number {
  const id = typeof value === "string" && /^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidIdError("id must be a positive integer no larger than 9007199254740991");
  }
  return id;
}

/** True when `value` is a usable id. */
export function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

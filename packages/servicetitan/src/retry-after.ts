// How long ServiceTitan asks us to wait. `Retry-After` is honoured when sent (seconds or an
// HTTP date); ServiceTitan is also seen to put the wait in the 429 body's `title`, as text like
// "... Try again in 12 seconds." (UNCONFIRMED format, see FACTS.md §4), so that is read too.

/** Parses a `Retry-After` header value into seconds (≥ 0), or undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and month ("Wed, 25 Nov 2026 12:00:10 GMT"); bare numbers are not dates.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** Reads "N second(s)" from a problem title, e.g. "Rate limit is exceeded. Try again in 3 seconds." */
export function secondsHintFromTitle(title: unknown): number | undefined {
  if (typeof title !== "string") return undefined;
  const match = /(\d+(?:\.\d+)?)\s*sec(?:ond)?s?\b/i.exec(title);
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]));
}

/** The wait ServiceTitan asked for on this response, in seconds, from the header or the body title. */
export async function retryAfterSeconds(response: Response, now: number): Promise<number | undefined> {
  const header = parseRetryAfter(response.headers.get("Retry-After"), now);
  if (header !== undefined) return header;
  if (response.status !== 429) return undefined;
  try {
    const body: unknown = await response.clone().json();
    return typeof body === "object" && body !== null && "title" in body
      ? secondsHintFromTitle(body.title)
      : undefined;
  } catch {
    return undefined;
  }
}

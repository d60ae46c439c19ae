import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryAfterSeconds, secondsHintFromTitle } from "./retry-after.ts";

const NOW = Date.parse("2026-11-25T12:00:00Z");

describe("parseRetryAfter", () => {
  const cases: [string, { given: string | null; want: number | undefined }][] = [
    ["seconds", { given: "3", want: 3 }],
    ["zero", { given: "0", want: 0 }],
    ["padded", { given: " 12 ", want: 12 }],
    ["HTTP date in the future", { given: "Wed, 25 Nov 2026 12:00:10 GMT", want: 10 }],
    ["HTTP date in the past", { given: "Wed, 25 Nov 2026 11:59:00 GMT", want: 0 }],
    ["absent", { given: null, want: undefined }],
    ["negative", { given: "-5", want: undefined }],
    ["garbage", { given: "soon", want: undefined }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(parseRetryAfter(given, NOW)).toBe(want);
  });
});

describe("secondsHintFromTitle", () => {
  const cases: [string, { given: unknown; want: number | undefined }][] = [
    ["ServiceTitan style", { given: "Rate limit is exceeded. Try again in 7 seconds.", want: 7 }],
    ["one second", { given: "Too many requests, retry in 1 second", want: 1 }],
    ["fractional rounds up", { given: "wait 2.5 sec", want: 3 }],
    ["no number", { given: "Rate limit is exceeded.", want: undefined }],
    ["not a string", { given: 42, want: undefined }],
  ];
  it.each(cases)("%s", (_, { given, want }) => {
    expect(secondsHintFromTitle(given)).toBe(want);
  });
});

describe("retryAfterSeconds", () => {
  it("prefers the header, then the 429 title, and leaves the body readable", async () => {
    const withHeader = new Response(JSON.stringify({ title: "Try again in 9 seconds." }), {
      status: 429,
      headers: { "Retry-After": "4" },
    });
    expect(await retryAfterSeconds(withHeader, NOW)).toBe(4);
    const titleOnly = new Response(JSON.stringify({ title: "Try again in 9 seconds.", traceId: "t" }), {
      status: 429,
    });
    expect(await retryAfterSeconds(titleOnly, NOW)).toBe(9);
    expect(await titleOnly.json()).toMatchObject({ traceId: "t" });
    expect(await retryAfterSeconds(new Response("not json", { status: 429 }), NOW)).toBeUndefined();
    expect(await retryAfterSeconds(new Response("{}", { status: 503 }), NOW)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { Text } from "./schemas.ts";
import { textProblem } from "./text.ts";

describe("textProblem", () => {
  it.each<[string, { given: string; want: RegExp | undefined }]>([
    ["plain text", { given: "Check 1001 — paid in full, merci é 💥", want: undefined }],
    ["tab and line feed", { given: "line one\n\tline two", want: undefined }],
    ["a CRLF line break", { given: "line one\r\nline two\r\n", want: undefined }],
    ["a lone carriage return", { given: "paid\roverwritten", want: /carriage return/ }],
    ["a carriage return at the end", { given: "paid\r", want: /carriage return/ }],
    ["NUL", { given: "nul\u0000", want: /U\+0000/ }],
    ["ESC (a terminal escape)", { given: "\u001b[31mred", want: /U\+001B/ }],
    ["DEL", { given: "a\u007f", want: /U\+007F/ }],
    ["a C1 control (CSI)", { given: "a\u009b31m", want: /U\+009B/ }],
    ["a right-to-left override", { given: "\u202egnp.exe", want: /U\+202E.*bidirectional/ }],
    ["a left-to-right embedding", { given: "\u202aabc", want: /U\+202A/ }],
    ["a first-strong isolate", { given: "\u2068abc\u2069", want: /U\+2068/ }],
    ["a pop-directional isolate", { given: "abc\u2069", want: /U\+2069/ }],
    ["a lone high surrogate", { given: "\ud800", want: /Unicode/ }],
    ["a lone low surrogate", { given: "a\udc00b", want: /Unicode/ }],
    ["right-to-left text itself", { given: "שלום عربي", want: undefined }],
    ["a right-to-left mark (not an override)", { given: "abc\u200fdef", want: undefined }],
  ])("%s", (_, { given, want }) => {
    const problem = textProblem(given);
    if (want === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(want);
  });
});

describe("string length", () => {
  // What zod counts decides what "at most 232 characters" lets through: a memo of 232 emoji was
  // accepted where ServiceTitan (a .NET service) most likely counts UTF-16 code units (UNCONFIRMED).
  it("zod's maxLength counts code points, so an emoji counts once", () => {
    expect(z.safeParse(z.string().check(z.maxLength(3)), "💥💥💥").success).toBe(true);
    expect("💥💥💥".length).toBe(6);
  });

  it("Text(max) counts UTF-16 code units, so an emoji counts twice", () => {
    const memo = Text(232);
    expect(z.safeParse(memo, "💥".repeat(116)).success).toBe(true);
    expect(z.safeParse(memo, "💥".repeat(117)).success).toBe(false);
    expect(z.safeParse(memo, "💥".repeat(232)).success).toBe(false);
    expect(z.safeParse(memo, "a".repeat(232)).success).toBe(true);
    expect(z.safeParse(memo, "a".repeat(233)).success).toBe(false);
    const result = z.safeParse(memo, "💥".repeat(117));
    expect(result.error?.issues[0]?.message).toMatch(/at most 232 characters/);
  });

  it("Text(max) is documented with maxLength", () => {
    expect(z.toJSONSchema(Text(50))).toMatchObject({ type: "string", maxLength: 50 });
  });
});

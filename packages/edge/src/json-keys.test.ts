import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { duplicateKey } from "./json-keys.ts";

describe("duplicateKey", () => {
  it.each<[string, { given: string; want: string | undefined }]>([
    ["no keys at all", { given: `[1, "a", true, null]`, want: undefined }],
    ["distinct keys", { given: `{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}`, want: undefined }],
    ["a repeated key", { given: `{"subtotal":"1.00","subtotal":"1000.00"}`, want: "subtotal" }],
    [
      "one deep in arrays",
      { given: `{"splits":[{"a":1},{"amount":1,"amount":2}]}`, want: "splits.1.amount" },
    ],
    ["one spelled with an escape", { given: String.raw`{"amount":"1","\u0061mount":"2"}`, want: "amount" }],
    ["keys that only differ by an escape's spelling", { given: String.raw`{"\n":1,"\u000a":2}`, want: "\n" }],
    ["a value that looks like a key", { given: `{"a":"a","b":"a"}`, want: undefined }],
    ["quotes and colons inside strings", { given: String.raw`{"a":"x\":1,\"a","b":"\\"}`, want: undefined }],
    ["a key repeated after a nested object", { given: `{"a":{"a":{"a":1}},"a":2}`, want: "a" }],
    ["the same key in sibling objects", { given: `[{"a":1},{"a":1}]`, want: undefined }],
    ["an empty key twice", { given: `{"":1,"":2}`, want: "" }],
    ["whitespace everywhere", { given: ` { "a" : 1 ,\n\t"a" : 2 } `, want: "a" }],
  ])("%s", (_, { given, want }) => {
    JSON.parse(given); // every case is JSON: the scanner only ever sees text JSON.parse accepted
    expect(duplicateKey(given)).toBe(want);
  });

  it("finds nothing in any JSON.stringify output, and the key in any object given a repeat", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, key) => {
        const text = JSON.stringify(value);
        expect(duplicateKey(text)).toBeUndefined();
        const doubled = `{${JSON.stringify(key)}:${text},"x":0,${JSON.stringify(key)}:1}`;
        expect(duplicateKey(doubled)).toBe(key);
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });
});

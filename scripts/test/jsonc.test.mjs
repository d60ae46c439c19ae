// The JSONC reader every script uses for wrangler and tenant configs.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseJsonc, readJsonc } from "../lib/jsonc.mjs";

describe("parseJsonc", () => {
  const cases = [
    ["a comma and a brace inside a string stay as written", '{"a":"x,}"}', { a: "x,}" }],
    ["a comma and a bracket inside a string", '{"a":["y,]", "z"]}', { a: ["y,]", "z"] }],
    [
      "comment markers inside strings",
      '{"url":"https://x/*not a comment*/","b":"//"}',
      { url: "https://x/*not a comment*/", b: "//" },
    ],
    ["escaped quotes before a comma", '{"a":"say \\"hi\\",}",}', { a: 'say "hi",}' }],
    ["line and block comments", '// head\n{ /* inline */ "a": 1, // tail\n "b": 2 }', { a: 1, b: 2 }],
    [
      "trailing commas in objects and arrays",
      '{ "a": [1, 2,], "b": { "c": 3, }, }',
      { a: [1, 2], b: { c: 3 } },
    ],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => assert.deepEqual(parseJsonc(text), want));
  }

  it("refuses broken JSONC with where it broke", () => {
    assert.throws(
      () => parseJsonc('{\n  "a": 1\n  "b": 2\n}', "tenant.jsonc"),
      /tenant\.jsonc:3:3: CommaExpected/,
    );
    assert.throws(() => parseJsonc('{ "a": 1 /* never closed'), /UnexpectedEndOfComment|CloseBraceExpected/);
  });

  it("reads a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "st-edge-jsonc-"));
    const file = join(dir, "config.jsonc");
    writeFileSync(file, '{ "name": "x,}", // the name\n}');
    assert.deepEqual(readJsonc(file), { name: "x,}" });
  });
});

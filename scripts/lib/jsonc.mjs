// Reads JSONC (JSON with comments and trailing commas), as wrangler and tenant configs are written,
// with Microsoft's jsonc-parser (the one VS Code uses): comments and trailing commas are handled
// by a real scanner, so nothing inside a string is ever touched.
import { readFileSync } from "node:fs";
import { parse, printParseErrorCode } from "jsonc-parser";

/** Line and column (1-based) of `offset` in `text`, for error messages. */
function position(text, offset) {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * Parses JSONC; throws on the first syntax error, naming where it is.
 *
 * @example parseJsonc('{ "a": "x,}", /* note *\/ }') // → { a: "x,}" }
 */
export function parseJsonc(text, source = "JSONC") {
  const errors = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const [first] = errors;
  if (first) {
    throw new SyntaxError(`${source}:${position(text, first.offset)}: ${printParseErrorCode(first.error)}`);
  }
  return value;
}

/** Reads and parses a JSONC file. */
export const readJsonc = (path) => parseJsonc(readFileSync(path, "utf8"), path);

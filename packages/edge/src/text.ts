// What text a caller may send, in any part of a request: well-formed Unicode without control or
// bidirectional formatting characters. Such text reaches ServiceTitan (memos, numbers, names),
// then log viewers, terminals and accountants' screens, where NUL truncates, ESC drives the
// terminal, a lone CR overwrites a line and U+202E shows "exe.pdf" as "fdp.exe".
//
// Allowed: tab, line feed, and CR only as part of a CRLF line break, since forms and Windows
// tools send multi-line text as CRLF and a memo may well be multi-line. Refused: every other
// C0 control, DEL, the C1 controls U+0080–U+009F (never text: mojibake at best, an 8-bit CSI at
// worst), the bidirectional embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069,
// and lone surrogates (a JSON escape can carry one; no character is one, and URL encoding throws
// on it). Right-to-left text itself, and the right-to-left mark U+200F, are fine.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;

const codePoint = (char: string) =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Why `text` cannot be accepted, as a field message, or undefined when it can.
 *
 * @example textProblem("\u202egnp.exe") // "must not contain U+202E, a bidirectional control character"
 */
export function textProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return "must be valid Unicode text (no unpaired \\uD800–\\uDFFF escapes)";
  const found = FORBIDDEN.exec(text)?.[0];
  if (found === undefined) return undefined;
  if (found === "\r") return "must not contain a carriage return (U+000D) other than in a CRLF line break";
  if (found >= "\u202a") return `must not contain ${codePoint(found)}, a bidirectional control character`;
  return `must not contain ${codePoint(found)}, a control character (tab and line breaks are fine)`;
}

// Repeated keys in a JSON object. JSON.parse keeps the last value of a repeated key without a
// word, so `{"subtotal":"1.00","subtotal":"1000.00"}` reads as 1000.00 while a log, a proxy or
// the caller's own tool may read 1.00. RFC 8259 leaves such a body's meaning open: refuse it.
// One pass over text JSON.parse has already accepted, so the scanner need not check syntax.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** An object (its keys so far and the current one) or an array (the current index). */
type Frame = { keys: Set<string>; at: string; expectKey: boolean } | { keys: undefined; at: number };

/** Index of the quote that ends the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  for (let end = text.indexOf('"', start + 1); ; end = text.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
}

/**
 * The dotted path of the first repeated key (e.g. "splits.1.amount"), or undefined when no object
 * repeats a key. Keys are compared as JSON.parse reads them, so "a" and "\u0061" are the same key.
 * Call only on text JSON.parse accepted.
 *
 * @example duplicateKey('{"a":1,"a":2}') // "a"
 */
export function duplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const top = stack[stack.length - 1];
    switch (text.charCodeAt(i)) {
      case QUOTE: {
        const end = stringEnd(text, i);
        if (top?.keys !== undefined && top.expectKey) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes("\\") ? String(JSON.parse(text.slice(i, end + 1))) : raw;
          if (top.keys.has(key)) return [...stack.slice(0, -1).map((frame) => frame.at), key].join(".");
          top.keys.add(key);
          top.at = key;
          top.expectKey = false;
        }
        i = end;
        break;
      }
      case 0x7b: // {
        stack.push({ keys: new Set(), at: "", expectKey: true });
        break;
      case 0x5b: // [
        stack.push({ keys: undefined, at: 0 });
        break;
      case 0x2c: // ,
        if (top?.keys === undefined) {
          if (top) top.at++;
        } else top.expectKey = true;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        break;
    }
  }
  return undefined;
}

import { createToken, Lexer } from 'chevrotain';
import { trimLeftSpace, type Span } from './go-text.js';
import { SKIP_LEXER_VALIDATIONS } from './physical-lines.js';

/**
 * The exec (JSON array) form of an instruction: BuildKit's `parseJSON`.
 * Anything that is not a valid JSON array falls back to the shell form;
 * a valid array holding anything but strings is an error.
 */
export type JsonArrayResult =
  | { readonly kind: 'array'; readonly items: readonly Span[] }
  | { readonly kind: 'not-json' }
  | { readonly kind: 'not-string-array' };

// Only used to find where each string literal of an already-validated array
// sits, for argument ranges: JSON.parse does the validation and decoding.
const JsonString = createToken({ name: 'JsonString', pattern: /"(?:[^"\\]|\\[^])*"/ });
const Other = createToken({ name: 'Other', pattern: /[^"]+/, line_breaks: true });
const locator = new Lexer([JsonString, Other], { positionTracking: 'onlyOffset', skipValidations: SKIP_LEXER_VALIDATIONS });

/**
 * Parses `text` as BuildKit's `parseJSON` does (after left-trimming Unicode
 * spaces, it must start with `[`). Item offsets are those of the string
 * literals, quotes included, in `text`.
 *
 * @example
 * parseJsonArray('["a", "b"]') // { kind: 'array', items: [{ text: 'a', … }, { text: 'b', … }] }
 */
export function parseJsonArray(text: string): JsonArrayResult {
  const body = trimLeftSpace(text);
  if (!body.startsWith('[')) return { kind: 'not-json' };
  let parsed: unknown;
  let outOfRange = false;
  try {
    parsed = JSON.parse(body, (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) outOfRange = true;
      return value;
    });
  } catch {
    return { kind: 'not-json' };
  }
  // Go fails to decode a number beyond float64 (`1e400`) with an error that is
  // not "not a string array", so BuildKit falls back to the shell form.
  if (outOfRange || !Array.isArray(parsed)) return { kind: 'not-json' };
  if (!parsed.every((v): v is string => typeof v === 'string')) return { kind: 'not-string-array' };

  const offset = text.length - body.length;
  const literals = locator.tokenize(body).tokens.filter((t) => t.tokenType === JsonString);
  const items = parsed.map((value, i) => {
    const lit = literals[i];
    const start = offset + (lit?.startOffset ?? 0);
    // Go's decoder turns an unpaired surrogate escape (`"\ud800"`) into U+FFFD.
    return { text: value.replace(/\p{Cs}/gu, '\ufffd'), start, end: lit ? start + lit.image.length : start };
  });
  return { kind: 'array', items };
}

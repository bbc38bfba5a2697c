/**
 * Go string semantics the Dockerfile parser depends on. BuildKit's parser is
 * written against Go's `unicode.IsSpace`, `strings.TrimSpace` and a few
 * byte-oriented loops; reproducing them exactly is what makes kiln split lines
 * and words where BuildKit does (JavaScript's `\s` and `trim()` differ: they
 * include U+FEFF and exclude U+0085).
 */

/** The characters Go's `unicode.IsSpace` accepts, as a regex character-class body. */
export const GO_SPACE_CLASS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const SPACE = new RegExp(`^[${GO_SPACE_CLASS}]$`);
const LEADING_SPACE = new RegExp(`^[${GO_SPACE_CLASS}]+`);
const TRAILING_SPACE = new RegExp(`[${GO_SPACE_CLASS}]+$`);

/** Go's `unicode.IsSpace` for one code point (given as a string). */
export function isGoSpace(ch: string): boolean {
  return SPACE.test(ch);
}

/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function trimLeftSpace(s: string): string {
  return s.replace(LEADING_SPACE, '');
}

/** Go's `strings.TrimSpace`, returning where the kept text starts so callers can keep offsets. */
export function trimSpaceAt(s: string): { readonly text: string; readonly start: number } {
  const lead = LEADING_SPACE.exec(s)?.[0].length ?? 0;
  const text = s.slice(lead).replace(TRAILING_SPACE, '');
  return { text, start: lead };
}

/**
 * BuildKit's `reWhitespace` (`[\t\v\f\r ]+`): narrower than `unicode.IsSpace`,
 * used to split the keyword from its arguments and plain word lists.
 */
export const RE_WHITESPACE = /[\t\v\f\r ]+/g;

/** A piece of a string with its offsets (UTF-16 units) in the string it came from. */
export interface Span {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Splits `s` on `RE_WHITESPACE` like Go's `regexp.Split(s, limit)`, keeping offsets. */
export function splitWhitespace(s: string, limit = -1): Span[] {
  const out: Span[] = [];
  let from = 0;
  for (const m of s.matchAll(RE_WHITESPACE)) {
    if (limit > 0 && out.length === limit - 1) break;
    out.push({ text: s.slice(from, m.index), start: from, end: m.index });
    from = m.index + m[0].length;
  }
  out.push({ text: s.slice(from), start: from, end: s.length });
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * A string seen as UTF-8 bytes, for the loops BuildKit runs byte by byte
 * (`extractBuilderFlags`, `parseHealthConfig`): there, each byte is a
 * "character", bytes 0x85 and 0xA0 count as spaces, and a flag word is rebuilt
 * with one rune per byte, so non-ASCII text in a flag comes out as Latin-1
 * mojibake. `bytes` holds one char per byte (code point = byte value), which
 * is exactly the string Go builds.
 */
export class ByteView {
  readonly bytes: string;
  /** charAt[byteOffset] = UTF-16 offset of the character holding that byte; undefined for ASCII text (identity). */
  readonly #charAt: number[] | undefined;

  constructor(readonly text: string) {
    // Most lines are ASCII: bytes and characters coincide.
    if (!NON_ASCII.test(text)) {
      this.bytes = text;
      this.#charAt = undefined;
      return;
    }
    const raw = encoder.encode(text);
    let bytes = '';
    for (const b of raw) bytes += String.fromCharCode(b);
    this.bytes = bytes;
    const charAt = new Array<number>(raw.length + 1);
    let b = 0;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      // A lone surrogate is encoded as U+FFFD: 3 bytes, like any BMP character.
      const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp <= 0xffff ? 3 : 4;
      for (let k = 0; k < width; k++) charAt[b + k] = i;
      b += width;
      i += cp > 0xffff ? 2 : 1;
    }
    charAt[raw.length] = text.length;
    this.#charAt = charAt;
  }

  /** The UTF-16 offset of the character that holds byte `offset`. */
  charOffset(offset: number): number {
    if (!this.#charAt) return Math.min(offset, this.text.length);
    return this.#charAt[offset] ?? this.text.length;
  }

  /**
   * The text of bytes `[from, to)`. Go would keep a character cut by the range
   * as stray bytes (invalid UTF-8, printed `\xc3`); a JavaScript string cannot,
   * so they decode as U+FFFD.
   */
  slice(from: number, to = this.bytes.length): string {
    const whole = (at: number): boolean => at === 0 || at === this.bytes.length || this.charOffset(at - 1) !== this.charOffset(at);
    if (whole(from) && whole(to)) return this.text.slice(this.charOffset(from), this.charOffset(to));
    return decoder.decode(Uint8Array.from(this.bytes.slice(from, to), (c) => c.charCodeAt(0)));
  }
}

/** Go's `unicode.IsSpace(rune(b))` for a byte: the ASCII spaces plus 0x85 and 0xA0. */
export function isGoSpaceByte(b: string): boolean {
  return b === ' ' || b === '\t' || b === '\n' || b === '\v' || b === '\f' || b === '\r' || b === '\x85' || b === '\xa0';
}

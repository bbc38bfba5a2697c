/**
 * The part of Go's `text/scanner` that BuildKit's lexer uses: `Peek` and `Next`
 * over the code points of a word, plus the character classes of Go's `unicode`.
 */

/** What `peek()`/`next()` return past the last character (Go's `scanner.EOF`). */
export const EOF = '';

const SPACE = /^\p{White_Space}$/u;
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/**
 * Go's `unicode.IsSpace`: the Unicode White_Space property. Unlike JavaScript's
 * `\s` it includes U+0085 and excludes U+FEFF; word splitting must agree with Go.
 */
export function isSpace(ch: string): boolean {
  return SPACE.test(ch);
}

/** Go's `unicode.IsLetter` (general category L). */
export function isLetter(ch: string): boolean {
  return LETTER.test(ch);
}

/** Go's `unicode.IsDigit` (general category Nd, so `٣` counts as a digit too). */
export function isDigit(ch: string): boolean {
  return DIGIT.test(ch);
}

/** Number of bytes the code point `ch` takes in UTF-8, which is how Go counts offsets. */
function utf8Length(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  return c < 0x10000 ? 3 : 4;
}

/**
 * A cursor over a word's code points that knows each one's UTF-8 byte offset.
 *
 * Like `text/scanner`, a U+FEFF (byte order mark) at the very start is skipped:
 * BuildKit never sees it, so `\uFEFFab` expands to `ab`.
 */
export class RuneScanner {
  readonly #chars: readonly string[];
  /** `#offsets[i]` is the byte offset of `#chars[i]`; one extra entry for the end. */
  readonly #offsets: readonly number[];
  #pos: number;

  constructor(word: string) {
    this.#chars = Array.from(word);
    const offsets: number[] = [];
    let bytes = 0;
    for (const ch of this.#chars) {
      offsets.push(bytes);
      bytes += utf8Length(ch);
    }
    offsets.push(bytes);
    this.#offsets = offsets;
    this.#pos = this.#chars[0] === '\uFEFF' ? 1 : 0;
  }

  /** The next character without consuming it, or EOF. */
  peek(): string {
    return this.#chars[this.#pos] ?? EOF;
  }

  /** Consumes and returns the next character, or EOF (and stays there). */
  next(): string {
    const ch = this.#chars[this.#pos] ?? EOF;
    if (ch !== EOF) this.#pos++;
    return ch;
  }

  /** True once every character has been consumed. */
  atEnd(): boolean {
    return this.#pos >= this.#chars.length;
  }

  /** Byte offset of the next character (the word's length in bytes at the end). */
  offset(): number {
    return this.#offsets[this.#pos] ?? this.#offsets[this.#offsets.length - 1] ?? 0;
  }
}

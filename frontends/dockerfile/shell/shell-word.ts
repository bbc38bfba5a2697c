import { expandDollar } from './parameter-expansion.js';
import { EOF, RuneScanner } from './rune-scanner.js';
import { ShellExpansionError, type ShellExpansionErrorCode } from './shell-expansion-error.js';
import type { ShellEnv, ShellLexSettings } from './shell-lex.js';
import { type SharedBuffer, WordSplitter } from './word-splitter.js';

/** The text a (sub)word expanded to and its split into words. */
export interface Expanded {
  readonly text: string;
  readonly words: string[];
}

/**
 * The expansion of one word (BuildKit's `shellWord`): quotes, escapes, `$`
 * substitutions and word splitting, recording which variables were looked up.
 */
export class ShellWord {
  readonly word: string;
  readonly scanner: RuneScanner;
  readonly settings: ShellLexSettings;
  /** Variables looked up and found set (possibly to ''). */
  readonly matched = new Set<string>();
  /** Variables looked up and found unset. */
  readonly unmatched = new Set<string>();
  readonly #env: ShellEnv;
  readonly #buffer: SharedBuffer = { text: '' };
  /** Whether escape characters are kept in the output; `#`, `%` and `/` patterns turn it on. */
  #rawEscapes: boolean;

  constructor(word: string, env: ShellEnv, settings: ShellLexSettings) {
    this.word = word;
    this.scanner = new RuneScanner(word);
    this.settings = settings;
    this.#env = env;
    this.#rawEscapes = settings.rawEscapes;
  }

  /** Expands the whole word. */
  expand(): Expanded {
    return this.readUntil(EOF, this.settings.rawEscapes);
  }

  /**
   * Expands up to and including `stop` (or the end of the word for EOF); the
   * stop character itself is dropped. Throws if the word ends before `stop`.
   */
  readUntil(stop: string, rawEscapes: boolean): Expanded {
    const saved = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    try {
      return this.#scan(stop);
    } finally {
      this.#rawEscapes = saved;
    }
  }

  /** Looks a variable up, recording it as matched or unmatched. */
  lookup(name: string): string | undefined {
    const value = this.#env.get(name);
    (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }

  /** Throws a ShellExpansionError about this word. */
  fail(code: ShellExpansionErrorCode, detail: string, offset: number, extra?: { variable?: string; cause?: unknown }): never {
    const where = { word: this.word, offset, ...(extra?.variable !== undefined ? { variable: extra.variable } : {}) };
    throw new ShellExpansionError(code, detail, where, extra?.cause !== undefined ? { cause: extra.cause } : undefined);
  }

  #scan(stop: string): Expanded {
    const s = this.scanner;
    const { escapeToken, skipProcessQuotes } = this.settings;
    this.#buffer.text = '';
    const words = new WordSplitter(this.#buffer);
    let text = '';
    while (s.peek() !== EOF) {
      const ch = s.peek();
      if (stop !== EOF && ch === stop) {
        s.next();
        return { text, words: words.finish() };
      }
      if (ch === '$') {
        const value = expandDollar(this);
        text += value;
        words.addExpanded(value);
      } else if (ch === '<' || (!skipProcessQuotes && (ch === "'" || ch === '"'))) {
        const value = ch === '<' ? this.#heredocMarker() : ch === "'" ? this.#singleQuoted() : this.#doubleQuoted();
        text += value;
        words.addRaw(value);
      } else if (s.next() === escapeToken) {
        if (this.#rawEscapes) {
          words.addRaw(ch);
          text += ch;
        }
        // A trailing escape is dropped (kept only under rawEscapes, above).
        const escaped = s.next();
        if (escaped === EOF) break;
        words.addRaw(escaped);
        text += escaped;
      } else {
        words.addChar(ch);
        text += ch;
      }
    }
    if (stop !== EOF) {
      // Callers turn this into "missing '}'" or "missing '/'", as BuildKit does.
      this.fail('shell/missing-brace', `unexpected end of statement while looking for matching ${stop}`, s.offset());
    }
    return { text, words: words.finish() };
  }

  /** `'…'`: everything literal up to the next `'`, which cannot be escaped. */
  #singleQuoted(): string {
    const s = this.scanner;
    const start = s.offset();
    const quote = s.next();
    let text = this.settings.rawQuotes ? quote : '';
    for (;;) {
      const ch = s.next();
      if (ch === EOF) this.fail('shell/unterminated-quote', 'unexpected end of statement while looking for matching single-quote', start);
      if (ch === "'") return this.settings.rawQuotes ? text + ch : text;
      text += ch;
    }
  }

  /** `"…"`: `$` expands, the escape character escapes only `"`, `$` and itself. */
  #doubleQuoted(): string {
    const s = this.scanner;
    const start = s.offset();
    const { rawQuotes, escapeToken } = this.settings;
    const quote = s.next();
    let text = rawQuotes ? quote : '';
    for (;;) {
      const peeked = s.peek();
      if (peeked === EOF) this.fail('shell/unterminated-quote', 'unexpected end of statement while looking for matching double-quote', start);
      if (peeked === '"') {
        s.next();
        return rawQuotes ? text + peeked : text;
      }
      if (peeked === '$') {
        text += expandDollar(this);
        continue;
      }
      let ch = s.next();
      if (ch === escapeToken) {
        if (this.#rawEscapes) text += ch;
        const after = s.peek();
        // An escape at the end is dropped; the missing quote is reported next.
        if (after === EOF) continue;
        // Any other escape stays literal, so under rawEscapes `"\t"` gives `\\t` (BuildKit writes it twice).
        if (after === '"' || after === '$' || after === escapeToken) ch = s.next();
      }
      text += ch;
    }
  }

  /**
   * `<<` and the blanks after it stay together in one word, so heredoc markers
   * survive word splitting (`<< EOF` is one word); a lone `<` is plain text.
   */
  #heredocMarker(): string {
    const s = this.scanner;
    s.next();
    if (s.peek() !== '<') return '<';
    s.next();
    let marker = '<<';
    while (s.peek() === ' ' || s.peek() === '\t' || s.peek() === '\r') marker += s.next();
    return marker;
  }
}

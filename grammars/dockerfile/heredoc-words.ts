import { isGoSpace } from './go-text.js';

/*
 * The shell-word splitter BuildKit's parser uses to find heredocs: its
 * `shell.Lex` with escape `\`, no variables set and `SkipUnsetEnv`, so every
 * `$x` / `${x…}` is kept as written. grammars/ cannot use the frontend's shell
 * lexer (it imports nothing of ours), and only this corner of it is needed:
 * quoting, escapes, `<<` words and the `${…}` syntax (whose errors make
 * BuildKit see no heredoc at all).
 */

/** How {@link shellWords} treats quotes and escapes (BuildKit's `Lex` flags of the same names). */
export interface WordOptions {
  /** Keep quote characters in the words (`RawQuotes`). */
  readonly rawQuotes: boolean;
  /** Keep escape characters in the words (`RawEscapes`). */
  readonly rawEscapes: boolean;
}

const ESCAPE = '\\';
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/** Splits `input` into shell words, or returns the error message BuildKit's lexer would give. */
export function shellWords(input: string, options: WordOptions): string[] | { error: string } {
  try {
    return new WordLexer(input, options).words();
  } catch (e) {
    if (e instanceof LexError) return { error: e.message };
    throw e;
  }
}

/** A lexing failure, internal to this module: converted to a value by {@link shellWords}. */
class LexError extends Error {}

class WordLexer {
  readonly #chars: string[];
  #pos = 0;
  #rawEscapes: boolean;
  // Go's lexer keeps one word buffer for nested `${…}` scans too, so a word
  // in progress is lost when a `${x:-…}` follows it. Reproduced, not fixed.
  #buffer = '';

  constructor(input: string, readonly options: WordOptions) {
    this.#chars = [...input];
    this.#rawEscapes = options.rawEscapes;
  }

  words(): string[] {
    return this.#scan(undefined, this.options.rawEscapes).words;
  }

  #peek(): string | undefined {
    return this.#chars[this.#pos];
  }

  #next(): string | undefined {
    return this.#chars[this.#pos++];
  }

  #scan(stop: string | undefined, rawEscapes: boolean): { text: string; words: string[] } {
    const saved = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    let text = '';
    const words: string[] = [];
    let inWord = false;
    this.#buffer = '';
    const addRaw = (s: string): void => {
      this.#buffer += s;
      inWord = true;
    };
    const addSplit = (s: string): void => {
      for (const ch of s) {
        if (!isGoSpace(ch)) addRaw(ch);
        else if (inWord && this.#buffer.length > 0) {
          words.push(this.#buffer);
          this.#buffer = '';
          inWord = false;
        }
      }
    };
    const finish = (): { text: string; words: string[] } => {
      if (this.#buffer.length > 0) words.push(this.#buffer);
      this.#buffer = '';
      this.#rawEscapes = saved;
      return { text, words };
    };

    for (let ch = this.#peek(); ch !== undefined; ch = this.#peek()) {
      if (ch === stop) {
        this.#next();
        return finish();
      }
      if (ch === '$') {
        const s = this.#dollar();
        text += s;
        addSplit(s);
      } else if (ch === '<' || ch === "'" || ch === '"') {
        const s = ch === '<' ? this.#heredocMarker() : ch === "'" ? this.#singleQuoted() : this.#doubleQuoted();
        text += s;
        addRaw(s);
      } else {
        this.#next();
        if (ch === ESCAPE) {
          if (this.#rawEscapes) {
            addRaw(ch);
            text += ch;
          }
          ch = this.#next();
          if (ch === undefined) break;
          addRaw(ch);
        } else addSplit(ch);
        text += ch;
      }
    }
    if (stop !== undefined) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return finish();
  }

  #singleQuoted(): string {
    const quote = this.#next()!;
    let out = this.options.rawQuotes ? quote : '';
    for (;;) {
      const ch = this.#next();
      if (ch === undefined) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return this.options.rawQuotes ? out + ch : out;
      out += ch;
    }
  }

  #doubleQuoted(): string {
    const quote = this.#next()!;
    let out = this.options.rawQuotes ? quote : '';
    for (;;) {
      const peek = this.#peek();
      if (peek === undefined) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (peek === '"') {
        this.#next();
        return this.options.rawQuotes ? out + quote : out;
      }
      if (peek === '$') {
        out += this.#dollar();
        continue;
      }
      let ch = this.#next()!;
      if (ch === ESCAPE) {
        if (this.#rawEscapes) out += ch;
        const after = this.#peek();
        if (after === undefined) continue;
        if (after === '"' || after === '$' || after === ESCAPE) ch = this.#next()!;
      }
      out += ch;
    }
  }

  /** `<<` and the spaces after it stay glued to the delimiter word. */
  #heredocMarker(): string {
    this.#next();
    if (this.#peek() !== '<') return '<';
    this.#next();
    let out = '<<';
    for (let ch = this.#peek(); ch === ' ' || ch === '\t' || ch === '\r'; ch = this.#peek()) out += this.#next()!;
    return out;
  }

  /** Every variable is unset and `SkipUnsetEnv` is on: the reference comes back as written (near enough). */
  #dollar(): string {
    this.#next();
    if (this.#peek() !== '{') {
      const name = this.#name();
      return `$${name}`;
    }
    this.#next();
    const first = this.#peek();
    if (first === undefined) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.#name();
    let ch = this.#next();
    let modifier = ch ?? '\ufffd';
    if (ch === '}') return `\${${name}}`;
    if (ch === '/') {
      if (this.#peek() === '/') this.#next();
      const pattern = this.#nested('/', true, "syntax error: missing '/' in ${}");
      const replacement = this.#nested('}', true, "syntax error: missing '}'");
      // Go prints `${x/p/r}` here even for `${x//p/r}`.
      return `\${${name}/${pattern}/${replacement}}`;
    }
    const nullIsUnset = ch === ':';
    if (nullIsUnset) {
      ch = this.#next();
      modifier += ch ?? '\ufffd';
    } else if (ch === undefined || !'+-?#%'.includes(ch)) {
      throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    }
    const patternLike = ch === '#' || ch === '%';
    if (nullIsUnset && patternLike) throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    const word = this.#nested('}', patternLike, "syntax error: missing '}'");
    return `\${${name}${modifier}${word}}`;
  }

  #nested(stop: string, rawEscapes: boolean, atEof: string): string {
    try {
      return this.#scan(stop, rawEscapes).text;
    } catch (e) {
      if (e instanceof LexError && this.#peek() === undefined) throw new LexError(atEof);
      throw e;
    }
  }

  #name(): string {
    let name = '';
    for (let ch = this.#peek(); ch !== undefined; ch = this.#peek()) {
      if (name === '' && /\p{Nd}/u.test(ch)) {
        while (this.#peek() !== undefined && /\p{Nd}/u.test(this.#peek()!)) name += this.#next()!;
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.#next()!;
      if (!/[\p{L}\p{Nd}_]/u.test(ch)) break;
      name += this.#next()!;
    }
    return name;
  }
}

import { isSpace } from './rune-scanner.js';

/**
 * The partial word being split. BuildKit keeps ONE such buffer per lexer and
 * every nested scan (the `w` of `${VAR:-w}`, the pattern and replacement of
 * `${VAR/p/r}`) resets it on entry and empties it on exit, so a partial word
 * before such a substitution is lost: ProcessWords("a${X:-b}c d") gives
 * ["bc", "d"]. dockerfile2llb's EXPOSE goes through this, so kiln keeps it.
 */
export interface SharedBuffer {
  text: string;
}

/** Word splitting of one scan (BuildKit's `wordsStruct`); quoted text is added raw, never split. */
export class WordSplitter {
  readonly #words: string[] = [];
  readonly #buffer: SharedBuffer;
  #inWord = false;

  constructor(buffer: SharedBuffer) {
    this.#buffer = buffer;
  }

  /** Adds an unquoted character: whitespace ends the current word. */
  addChar(ch: string): void {
    if (!isSpace(ch)) {
      this.addRaw(ch);
    } else if (this.#inWord && this.#buffer.text !== '') {
      this.#words.push(this.#buffer.text);
      this.#buffer.text = '';
      this.#inWord = false;
    }
  }

  /** Adds without splitting; even '' opens a word, though an empty word is never emitted. */
  addRaw(text: string): void {
    this.#buffer.text += text;
    this.#inWord = true;
  }

  /** Adds the value of an unquoted `$` substitution, which splits like unquoted text. */
  addExpanded(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  /** Ends the scan: the words, the last one included. */
  finish(): string[] {
    if (this.#buffer.text !== '') {
      this.#words.push(this.#buffer.text);
      this.#buffer.text = '';
      this.#inWord = false;
    }
    return this.#words;
  }
}

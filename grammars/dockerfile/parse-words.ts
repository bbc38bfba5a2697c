import { isGoSpace, type Span } from './go-text.js';

/**
 * Splits an argument string into words the way BuildKit's `parseWords` does
 * for ENV, LABEL and ARG: on Unicode spaces outside quotes, keeping quotes and
 * escapes verbatim (they are processed later, by variable expansion). The only
 * character ever dropped is an escape at the very end of the input (or right
 * before the end inside a quote).
 *
 * @example
 * splitWords(`a "b c" d\\ e`, '\\').map((w) => w.text) // ['a', '"b c"', 'd\\ e']
 */
export function splitWords(input: string, escape: string): Span[] {
  const words: Span[] = [];
  let state: 'space' | 'word' | 'quote' = 'space';
  let quote = '';
  let buf = '';
  let start = 0;
  const flush = (end: number): void => {
    // A word that had quotes is kept even if it is empty; buf holds the quotes, so it never is.
    if (buf.length > 0) words.push({ text: buf, start, end });
    buf = '';
  };

  let i = 0;
  while (i < input.length) {
    let ch = charAt(input, i);
    if (state === 'space') {
      if (isGoSpace(ch)) {
        i += ch.length;
        continue;
      }
      state = 'word';
      start = i;
    }
    if (state === 'word') {
      if (isGoSpace(ch)) {
        flush(i);
        state = 'space';
        i += ch.length;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        state = 'quote';
      } else if (ch === escape) {
        // Outside quotes an escape keeps the next character, even a quote, from meaning anything.
        if (i + ch.length === input.length) break;
        buf += ch;
        i += ch.length;
        ch = charAt(input, i);
      }
      buf += ch;
      i += ch.length;
      continue;
    }
    // In quotes: the escape works in double quotes only; single quotes take everything literally.
    if (ch === quote) state = 'word';
    else if (ch === escape && quote !== "'") {
      if (i + ch.length === input.length) break;
      buf += ch;
      i += ch.length;
      ch = charAt(input, i);
    }
    buf += ch;
    i += ch.length;
  }
  if (state !== 'space') flush(input.length);
  return words;
}

/** BuildKit's `parseWords`: the words of {@link splitWords} without offsets. */
export function parseWords(input: string, escape = '\\'): string[] {
  return splitWords(input, escape).map((w) => w.text);
}

/** The code point at UTF-16 offset `i`, as a string. */
function charAt(s: string, i: number): string {
  return String.fromCodePoint(s.codePointAt(i)!);
}

import { ByteView, isGoSpaceByte, RE_WHITESPACE, trimSpaceAt, type Span } from './go-text.js';

const FIRST_GAP = new RegExp(RE_WHITESPACE.source);

/**
 * BuildKit's `splitCommand`: an instruction's keyword, its leading
 * `--flag[=value]` words, and the argument text that the keyword's line parser
 * gets. Offsets are UTF-16 offsets in the text that was split.
 */
export interface SplitCommand {
  /** The keyword as written (`Run`), or '' for a line that is only whitespace. */
  readonly keyword: Span;
  /** The flags, quotes and escapes removed (BuildKit's `Node.Flags`). */
  readonly flags: readonly Span[];
  /** The arguments, trimmed. */
  readonly args: Span;
}

/**
 * Splits a logical line. The keyword ends at the first `[\t\v\f\r ]` (Unicode
 * spaces such as U+00A0 do not end it); flags are read by {@link extractFlags}.
 *
 * @example
 * splitCommand('COPY --chown=me a b', '\\') // keyword COPY, flags ['--chown=me'], args 'a b'
 */
export function splitCommand(line: string, escape: string): SplitCommand {
  const trimmed = trimSpaceAt(line);
  const base = trimmed.start;
  const gap = FIRST_GAP.exec(trimmed.text);
  const keywordEnd = gap ? gap.index : trimmed.text.length;
  const keyword = { text: trimmed.text.slice(0, keywordEnd), start: base, end: base + keywordEnd };
  if (!gap) return { keyword, flags: [], args: { text: '', start: keyword.end, end: keyword.end } };

  const restStart = base + gap.index + gap[0].length;
  const { flags, rest } = extractFlags(trimmed.text.slice(gap.index + gap[0].length), escape);
  const args = trimSpaceAt(rest.text);
  const argsStart = restStart + rest.start + args.start;
  return {
    keyword,
    flags: flags.map((f) => ({ text: f.text, start: restStart + f.start, end: restStart + f.end })),
    args: { text: args.text, start: argsStart, end: argsStart + args.text.length },
  };
}

/**
 * BuildKit's `extractBuilderFlags`: reads words while they start with `--`;
 * a bare `--` ends the flags and is dropped. Quotes are removed and the escape
 * character escapes the next byte, in or out of quotes.
 *
 * BuildKit runs this loop over bytes, not characters: it rebuilds each flag one
 * rune per byte (so `--x=é` becomes `--x=Ã©`) and treats bytes 0x85 and 0xA0
 * (found inside many UTF-8 characters) as spaces. kiln does the same, on a
 * {@link ByteView}, so flags compare equal to BuildKit's.
 */
export function extractFlags(text: string, escape: string): { flags: Span[]; rest: Span } {
  const view = new ByteView(text);
  const b = view.bytes;
  const flags: Span[] = [];
  const restAt = (pos: number): { flags: Span[]; rest: Span } => ({
    flags,
    rest: { text: view.slice(pos), start: view.charOffset(pos), end: text.length },
  });
  let state: 'space' | 'word' | 'quote' = 'space';
  let quote = '';
  let word = '';
  let quoted = false;
  let start = 0;
  const push = (end: number): void => {
    if (quoted || word.length > 0) flags.push({ text: word, start: view.charOffset(start), end: view.charOffset(end) });
  };

  for (let pos = 0; pos < b.length; pos++) {
    let ch = b[pos]!;
    if (state === 'space') {
      if (isGoSpaceByte(ch)) continue;
      if (ch !== '-' || b[pos + 1] !== '-') return restAt(pos);
      state = 'word';
      start = pos;
    }
    if (state === 'word') {
      if (isGoSpaceByte(ch)) {
        if (word === '--') return restAt(pos);
        push(pos);
        state = 'space';
        word = '';
        quoted = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        quoted = true;
        state = 'quote';
        continue;
      }
    } else if (ch === quote) {
      state = 'word';
      continue;
    }
    if (ch === escape) {
      // An escape as the last byte is dropped (and closes an open quote).
      if (pos + 1 === b.length) {
        state = 'word';
        continue;
      }
      ch = b[++pos]!;
    }
    word += ch;
  }
  if (state !== 'space' && word !== '--') push(b.length);
  return { flags, rest: { text: '', start: text.length, end: text.length } };
}

import { createToken, Lexer } from 'chevrotain';
import { GO_SPACE_CLASS } from './go-text.js';

/**
 * The lexical layer of the Dockerfile parser: the file cut into physical lines,
 * each classified once. BuildKit reads a Dockerfile with a `bufio.Scanner`
 * whose lines keep their `\n`; everything above that (continuations,
 * directives, heredocs) is line-oriented and context-dependent, so the tokens
 * stop at whole lines and the parser decides what each one means.
 */

/** Go's `unicode.IsSpace` minus `\n`, the line separator. */
const WS = GO_SPACE_CLASS.replace('\\n', '');

// Order matters: chevrotain takes the first token type that matches, and each
// body token runs to the end of its line, so a line is a comment when its first
// non-space character is `#` (BuildKit's `isComment`), blank when it has only
// spaces (`isEmptyContinuationLine`), text otherwise.
const CommentLine = createToken({ name: 'CommentLine', pattern: new RegExp(`[${WS}]*#[^\\n]*`) });
const TextLine = createToken({ name: 'TextLine', pattern: new RegExp(`[${WS}]*[^${WS}\\n][^\\n]*`) });
const BlankLine = createToken({ name: 'BlankLine', pattern: new RegExp(`[${WS}]+`) });
const Newline = createToken({ name: 'Newline', pattern: /\n/, line_breaks: true });

// chevrotain checks a lexer's token definitions as it builds it (~8 ms of every build); the
// test suite builds them with the checks on, so a released kiln skips them.
export const SKIP_LEXER_VALIDATIONS = process.env.JEST_WORKER_ID === undefined;

const lineLexer = new Lexer([CommentLine, TextLine, BlankLine, Newline], {
  positionTracking: 'onlyOffset',
  // Only `\n` ends a line in BuildKit (`scanLines`); `\r` stays in the line and is trimmed later.
  lineTerminatorsPattern: /\n/,
  lineTerminatorCharacters: ['\n'],
  ensureOptimizations: false,
  skipValidations: SKIP_LEXER_VALIDATIONS,
});

/** What a physical line holds. `blank` covers empty lines too. */
export type LineKind = 'comment' | 'text' | 'blank';

/** One physical line of the file. */
export interface PhysicalLine {
  /** 1-based line number. */
  readonly line: number;
  /** The line without its `\n` (a `\r` before it is kept, as BuildKit's scanner keeps it). */
  readonly body: string;
  /** The line as read, `\n` included when there is one (heredoc bodies are made of these). */
  readonly raw: string;
  readonly kind: LineKind;
}

/** The lines of a file, and where BuildKit's scanner would have stopped. */
export interface ScannedLines {
  /** The lines before any over-long line. */
  readonly lines: readonly PhysicalLine[];
  /** 1-based number of the first line longer than BuildKit allows, if any. */
  readonly tooLongLine?: number;
}

/**
 * BuildKit's scanner buffer is bufio.MaxScanTokenSize (65536 bytes) and must
 * hold a line with its `\n`, or a last line and one more byte before it sees
 * end of file: either way a line may have at most 65535 bytes of text.
 */
export const MAX_LINE_BYTES = 65535;

const BOM = '\ufeff';
const encoder = new TextEncoder();

/** Whether a line of `text` plus `extra` bytes is over BuildKit's limit. */
function tooLong(text: string, extra: number): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most lines need no encoding to know.
  if (text.length * 3 + extra <= MAX_LINE_BYTES) return false;
  return encoder.encode(text).length + extra > MAX_LINE_BYTES;
}

/**
 * Cuts `text` into physical lines. A UTF-8 byte-order mark at the very start
 * is dropped (BuildKit strips it from the first line only), but still counts
 * towards that line's length.
 */
export function scanPhysicalLines(text: string): ScannedLines {
  const hasBom = text.startsWith(BOM);
  const body = hasBom ? text.slice(1) : text;
  const { tokens } = lineLexer.tokenize(body);
  const lines: PhysicalLine[] = [];
  let pending: { text: string; kind: LineKind } | undefined;
  const push = (newline: boolean): ScannedLines | undefined => {
    const lineBody = pending?.text ?? '';
    const number = lines.length + 1;
    if (tooLong(lineBody, number === 1 && hasBom ? 3 : 0)) return { lines, tooLongLine: number };
    lines.push({ line: number, body: lineBody, raw: newline ? `${lineBody}\n` : lineBody, kind: pending?.kind ?? 'blank' });
    pending = undefined;
    return undefined;
  };
  for (const token of tokens) {
    if (token.tokenType === Newline) {
      const stop = push(true);
      if (stop) return stop;
      continue;
    }
    const kind: LineKind = token.tokenType === CommentLine ? 'comment' : token.tokenType === TextLine ? 'text' : 'blank';
    pending = { text: token.image, kind };
  }
  if (pending) {
    const stop = push(false);
    if (stop) return stop;
  }
  return { lines };
}

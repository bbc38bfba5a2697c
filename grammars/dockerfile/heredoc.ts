import { shellWords } from './heredoc-words.js';

/**
 * Heredoc markers (`<<EOF`, `<<-EOF`, `3<<'EOF'`): BuildKit's `ParseHeredoc`
 * and `heredocsFromLine`. Only the marker is read here; the parser collects
 * the body lines.
 */

/** A heredoc marker found on an instruction line. */
export interface HeredocMarker {
  readonly name: string;
  readonly fileDescriptor: number;
  readonly expand: boolean;
  readonly chomp: boolean;
}

/** A marker that BuildKit rejects (an unterminated quote in the delimiter). */
export interface HeredocError {
  readonly error: string;
}

// Go RE2: `\d` is ASCII, `\s` is [\t\n\f\r ].
const MARKER = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
// The nearest double: a file descriptor that large is nonsense anyway.
const MAX_UINT64 = 2 ** 64 - 1;

/**
 * BuildKit's `ParseHeredoc` on one shell word: `undefined` when the word is
 * not a heredoc marker. The delimiter is lexed twice, with and without its
 * quotes; if quotes were removed, some part of it was quoted and the body is
 * not expanded (`<<'EOF'`, `<<E"O"F`).
 *
 * @example
 * parseHeredoc("<<-'EOF'") // { name: 'EOF', fileDescriptor: 0, expand: false, chomp: true }
 */
export function parseHeredoc(word: string): HeredocMarker | HeredocError | undefined {
  const m = MARKER.exec(word);
  if (!m) return undefined;
  const [, fd = '', dash, rest = ''] = m;
  if (rest === '') return undefined;
  const words = shellWords(rest, { rawQuotes: false, rawEscapes: false });
  if (!Array.isArray(words)) return words;
  if (words.length !== 1) return undefined;
  const raw = shellWords(rest, { rawQuotes: true, rawEscapes: false });
  if (!Array.isArray(raw)) return raw;
  if (raw.length !== words.length) return { error: `internal lexing of heredoc produced inconsistent results: ${rest}` };
  const name = words[0]!;
  return {
    name,
    // strconv.ParseUint: no digits gives 0, too many gives the largest uint64.
    fileDescriptor: fd === '' ? 0 : Math.min(Number(fd), MAX_UINT64),
    expand: countQuotes(name) === countQuotes(raw[0]!),
    chomp: dash === '-',
  };
}

function countQuotes(s: string): number {
  return s.length - s.replaceAll(/['"]/g, '').length;
}

/**
 * BuildKit's `heredocsFromLine`: the heredoc markers among the shell words of
 * a whole instruction line (quotes and escapes kept, so `"<<EOF"` is not one).
 * A line the shell lexer cannot split has no heredocs. The escape character is
 * always `\` here, whatever the `# escape=` directive says, as in BuildKit.
 */
export function heredocsFromLine(line: string): HeredocMarker[] | HeredocError {
  const words = shellWords(line, { rawQuotes: true, rawEscapes: true });
  if (!Array.isArray(words)) return [];
  const out: HeredocMarker[] = [];
  for (const word of words) {
    const heredoc = parseHeredoc(word);
    if (heredoc && 'error' in heredoc) return heredoc;
    if (heredoc) out.push(heredoc);
  }
  return out;
}

/** BuildKit's `ChompHeredocContent`: the leading tabs of every line removed (what `<<-` means). */
export function chompHeredocContent(content: string): string {
  // Not /^\t+/gm: Go's multi-line `^` follows `\n` only, JavaScript's also `\r`.
  return content.replace(/(^|\n)\t+/g, '$1');
}

import { cleanPath, trimSpace } from './go-path.js';
import { PatternError } from './pattern-error.js';

// bufio.Scanner's default token limit: a line that, with its newline, does not fit in 64 KiB
// makes Docker's ReadAll fail with "token too long" instead of reading the file.
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Reads a `.dockerignore` (or `<Dockerfile>.dockerignore`) the way BuildKit's Dockerfile frontend
 * does (moby/patternmatcher `ignorefile.ReadAll`), giving the list it puts in
 * `local.excludepatterns`.
 *
 * - A UTF-8 BOM at the start of the file is dropped; lines end at `\n`, and one `\r` before it
 *   goes too (CRLF files), any other `\r` stays in the pattern.
 * - A line whose first character is `#` is a comment; `  # x` is not (it is the pattern `# x`).
 * - Patterns are trimmed (Unicode spaces), blank ones skipped. A leading `!` marks an exception
 *   and is kept; the path after it is trimmed again.
 * - Paths are cleaned (`filepath.Clean`: `./a/` → `a`, `a/../b` → `b`, `..` stays) and one leading
 *   `/` is removed, so `/a` and `a` mean the same. A lone `!` is kept: the matcher refuses it.
 *
 * @example
 * readIgnoreFile('# build output\n/dist\n*.log\n!keep.log\n') // ['dist', '*.log', '!keep.log']
 */
export function readIgnoreFile(content: string | Uint8Array): string[] {
  const text = typeof content === 'string' ? content : new TextDecoder('utf-8', { ignoreBOM: true }).decode(content);
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one (bufio.ScanLines).
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const patterns: string[] = [];
  lines.forEach((raw, index) => {
    if (Buffer.byteLength(raw, 'utf8') >= MAX_LINE_BYTES) {
      throw new PatternError('line-too-long', `ignore file line ${index + 1}: bufio.Scanner: token too long`, raw.slice(0, 80));
    }
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = trimSpace(line);
    if (pattern === '') return;
    const exception = pattern.startsWith('!');
    if (exception) pattern = trimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(exception ? `!${pattern}` : pattern);
  });
  return patterns;
}

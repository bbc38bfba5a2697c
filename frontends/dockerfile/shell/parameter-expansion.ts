import { EOF, isDigit, isLetter } from './rune-scanner.js';
import { ShellExpansionError, type ShellExpansionErrorCode } from './shell-expansion-error.js';
import { ShellPatternError } from './glob.js';
import { replacePattern, trimPrefix, trimSuffix } from './shell-pattern.js';
import type { ShellWord } from './shell-word.js';

/**
 * POSIX special parameters (`$@ $* $# $? $- $$ $! $0`). A Dockerfile never sets
 * them, so they are read as one-character names and expand to '' (or stay as
 * written under skipUnsetEnv), like any unset variable.
 */
const SPECIAL_PARAMETERS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

const MISSING_BRACE = "syntax error: missing '}'";

/**
 * Expands the `$…` at the scanner's position (BuildKit's `processDollar`):
 * `$NAME`, `${NAME}` and `${NAME<modifier>…}`. A `$` not followed by a name is
 * literal, so `$.` stays `$.`.
 */
export function expandDollar(sw: ShellWord): string {
  const s = sw.scanner;
  const start = s.offset();
  s.next();
  if (s.peek() !== '{') {
    const name = readName(sw);
    if (name === '') return '$';
    const value = sw.lookup(name);
    if (value === undefined && sw.settings.skipUnsetEnv) return `$${name}`;
    return value ?? '';
  }
  s.next();
  const first = s.peek();
  if (first === EOF) sw.fail('shell/missing-brace', MISSING_BRACE, start);
  if (first === '{' || first === '}' || first === ':') sw.fail('shell/bad-substitution', 'syntax error: bad substitution', start);
  const name = readName(sw);
  const modifierAt = s.offset();
  const modifier = s.next();
  switch (modifier) {
    case '}': {
      const value = sw.lookup(name);
      if (value === undefined && sw.settings.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    case ':':
    case '+':
    case '-':
    case '?':
    case '#':
    case '%':
      return expandModifier(sw, name, modifier, start, modifierAt);
    case '/':
      return expandReplace(sw, name, start);
    case EOF:
      // BuildKit says "unsupported modifier (\uFFFD)" here (its EOF rune printed
      // with %c); the brace is what is missing, so kiln says that instead.
      return sw.fail('shell/missing-brace', MISSING_BRACE, start);
    default:
      return sw.fail('shell/unsupported-modifier', `unsupported modifier (${modifier}) in substitution`, modifierAt);
  }
}

/**
 * `${NAME-w} ${NAME+w} ${NAME?w} ${NAME#p} ${NAME##p} ${NAME%p} ${NAME%%p}` and
 * their `:` forms (where an empty value counts as unset). Like BuildKit, the
 * word is expanded and the variable looked up BEFORE an unknown `:x` modifier
 * is rejected, so under skipUnsetEnv `${UNSET:=w}` survives as written.
 */
function expandModifier(sw: ShellWord, name: string, modifier: string, start: number, modifierAt: number): string {
  const nullIsUnset = modifier === ':';
  const op = nullIsUnset ? sw.scanner.next() : modifier;
  const written = nullIsUnset ? `:${op}` : op;
  const isPattern = op === '#' || op === '%';
  if (nullIsUnset && isPattern) sw.fail('shell/unsupported-modifier', `unsupported modifier (${written}) in substitution`, modifierAt);
  // Patterns keep their escapes: `\*` must reach the glob as `\*`.
  const word = readNested(sw, '}', isPattern, start, 'shell/missing-brace', MISSING_BRACE);

  const value = sw.lookup(name);
  if (value === undefined && sw.settings.skipUnsetEnv) return `\${${name}${written}${word}}`;
  const empty = value === undefined || (nullIsUnset && value === '');
  switch (op) {
    case '-':
      return empty ? word : (value ?? '');
    case '+':
      return empty ? '' : word;
    case '?':
      if (value === undefined) {
        sw.fail('shell/variable-unset', `${name}: ${word || 'is not allowed to be unset'}`, start, { variable: name });
      }
      if (empty) sw.fail('shell/variable-empty', `${name}: ${word || 'is not allowed to be empty'}`, start, { variable: name });
      return value;
    case '#':
    case '%': {
      // `##`/`%%` are greedy. BuildKit tests the EXPANDED word, so `${A#$B}` with B=`#x` is `${A##x}`.
      const greedy = word.startsWith(op);
      const pattern = greedy ? word.slice(1) : word;
      try {
        return op === '%' ? trimSuffix(value ?? '', pattern, greedy) : trimPrefix(value ?? '', pattern, greedy);
      } catch (err) {
        return invalidPattern(sw, err, start);
      }
    }
    default:
      return sw.fail('shell/unsupported-modifier', `unsupported modifier (${written}) in substitution`, modifierAt);
  }
}

/** `${NAME/p/r}` (first match) and `${NAME//p/r}` (every match); both parts keep their escapes. */
function expandReplace(sw: ShellWord, name: string, start: number): string {
  const replaceAll = sw.scanner.peek() === '/';
  if (replaceAll) sw.scanner.next();
  const pattern = readNested(sw, '/', true, start, 'shell/missing-slash', "syntax error: missing '/' in ${}");
  const replacement = readNested(sw, '}', true, start, 'shell/missing-brace', MISSING_BRACE);
  const value = sw.lookup(name);
  // BuildKit writes a single '/' back even for `//`.
  if (value === undefined && sw.settings.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
  try {
    return replacePattern(value ?? '', pattern, replacement, replaceAll);
  } catch (err) {
    return invalidPattern(sw, err, start);
  }
}

/**
 * Expands a nested word up to `stop`. Any failure that ran into the end of the
 * word (an unclosed quote inside `${…}` included) becomes "missing '}'" (or
 * '/'), as in BuildKit; failures before the end pass through unchanged.
 */
function readNested(sw: ShellWord, stop: string, rawEscapes: boolean, start: number, code: ShellExpansionErrorCode, detail: string): string {
  try {
    return sw.readUntil(stop, rawEscapes).text;
  } catch (err) {
    if (err instanceof ShellExpansionError && sw.scanner.atEnd()) sw.fail(code, detail, start, { cause: err });
    throw err;
  }
}

function invalidPattern(sw: ShellWord, err: unknown, start: number): never {
  if (!(err instanceof ShellPatternError)) throw err;
  return sw.fail('shell/invalid-pattern', `invalid pattern (${err.pattern}) in substitution: ${err.message}`, start, { cause: err });
}

/**
 * A parameter name: a run of digits (positional, `$10` is parameter 10, not
 * `$1` then `0`), one special-parameter character, or letters, digits and `_`.
 * Letters and digits are Unicode ones, as in BuildKit.
 */
function readName(sw: ShellWord): string {
  const s = sw.scanner;
  let name = '';
  for (let ch = s.peek(); ch !== EOF; ch = s.peek()) {
    if (name === '' && isDigit(ch)) {
      while (isDigit(s.peek())) name += s.next();
      return name;
    }
    if (name === '' && SPECIAL_PARAMETERS.has(ch)) return s.next();
    if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
    name += s.next();
  }
  return name;
}

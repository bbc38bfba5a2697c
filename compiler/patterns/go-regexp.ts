import { jsChar, parseClass, parseEscape, parsePerlClass, parseUnicodeClass } from './go-regexp-class.js';
import { badPattern } from './pattern-error.js';

// Translates the Go regular expressions that patternmatcher writes into JavaScript ones with the
// same matches. Most of the text is kiln's own (`[^/]*`, `(.*/)?`), but a pattern's backslash
// escapes, `^` and brackets reach the regexp untouched, so the whole RE2 surface they can form
// is handled, including RE2's errors: a pattern whose regexp Go refuses makes Docker's match
// fail with ErrBadPattern, and kiln's too.

type Last = 'none' | 'open' | 'atom' | 'assertion' | 'repeat';

/**
 * Compiles a Go (RE2, Perl flags, no `(?flags)`) regular expression to a JavaScript RegExp
 * (flag `v`) that accepts the same strings. Throws a `bad-pattern` PatternError, naming
 * `pattern`, where Go's `regexp.Compile` fails.
 */
export function goRegexp(source: string, pattern: string): RegExp {
  const s = Array.from(source);
  // One entry per atom or operator, so that a repetition can reach back to its operand.
  const out: string[] = [];
  // What the previous piece was, to apply RE2's rules about what a repetition may follow.
  const state: { last: Last } = { last: 'none' };
  let depth = 0;
  const push = (piece: string, kind: Last): void => {
    out.push(piece);
    state.last = kind;
  };
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    switch (c) {
      case '(':
        // A pattern's own parentheses are always escaped, so "(?" never comes from a glob.
        if (s[i + 1] === '?') throw badPattern(pattern, 'unsupported Perl group syntax');
        depth++;
        push('(?:', 'open');
        i++;
        break;
      case ')':
        if (depth === 0) throw badPattern(pattern, 'unexpected )');
        depth--;
        push(')', 'atom');
        i++;
        break;
      case '|':
        push('|', 'open');
        i++;
        break;
      case '^':
      case '$':
        // Without the m flag both are text anchors, in RE2 (OneLine) and in JavaScript.
        push(c, 'assertion');
        i++;
        break;
      case '.':
        push('[^\\n]', 'atom'); // RE2's dot stops only at \n; JavaScript's also at \r, U+2028, U+2029
        i++;
        break;
      case '[': {
        const [cls, next] = parseClass(pattern, s, i);
        push(cls, 'atom');
        i = next;
        break;
      }
      case '*':
      case '+':
      case '?': {
        let op = c;
        i++;
        if (s[i] === '?') {
          op += '?';
          i++;
        }
        const last = state.last;
        if (last === 'repeat') throw badPattern(pattern, 'invalid nested repetition operator');
        if (last === 'none' || last === 'open') throw badPattern(pattern, 'missing argument to repetition operator');
        // RE2 lets an anchor be repeated; JavaScript wants it in a group first.
        if (last === 'assertion') out[out.length - 1] = `(?:${out[out.length - 1]})`;
        push(op, 'repeat');
        break;
      }
      case '\\':
        i = escape(pattern, s, i, push);
        break;
      default:
        // Includes `{`: patternmatcher always escapes it, so RE2's counted repetition `x{2,3}`
        // cannot occur and a raw `{` is read as RE2 reads one that starts no count, a literal.
        push(/^[0-9A-Za-z]$/.test(c) ? c : jsChar(c.codePointAt(0)!), 'atom');
        i++;
    }
  }
  if (depth > 0) throw badPattern(pattern, 'missing closing )');
  // RE2 matches in linear time, a backtracking engine does not: each `**/` is `(.*/)?` and a
  // run of them ("**/**/**/x") costs a power of the path length. A run means the same as one
  // `(.*/)?` (any number of "dir/" prefixes), so it is folded; a `(` in kiln's output never
  // appears inside a class, whose characters are all escaped.
  let js = out.join('');
  while (js.includes(`${ANY_DIRS}${ANY_DIRS}`)) js = js.replaceAll(`${ANY_DIRS}${ANY_DIRS}`, ANY_DIRS);
  return new RegExp(js, 'v');
}

const ANY_DIRS = `(?:[^\\n]*${jsChar(0x2f)})?`;

const ANCHORS = new Map([['A', '^'], ['z', '$'], ['b', '\\b'], ['B', '\\B']]);

/** A backslash sequence outside a class; returns the index after it. */
function escape(pattern: string, s: readonly string[], i: number, push: (piece: string, kind: Last) => void): number {
  const next = s[i + 1];
  const anchor = next === undefined ? undefined : ANCHORS.get(next);
  if (anchor !== undefined) {
    push(anchor, 'assertion');
    return i + 2;
  }
  if (next === 'C') throw badPattern(pattern, 'invalid escape sequence \\C');
  if (next === 'Q') {
    // \Q...\E quotes everything up to \E or the end, including kiln's own `[^/]*` text.
    let end = i + 2;
    while (end < s.length && !(s[end] === '\\' && s[end + 1] === 'E')) end++;
    for (const c of s.slice(i + 2, end)) push(jsChar(c.codePointAt(0)!), 'atom');
    return Math.min(end + 2, s.length);
  }
  const unicode = parseUnicodeClass(pattern, s, i);
  if (unicode !== undefined) {
    push(unicode[0], 'atom');
    return unicode[1];
  }
  const perl = parsePerlClass(s, i);
  if (perl !== undefined) {
    push(`[${perl}]`, 'atom');
    return i + 2;
  }
  const [cp, after] = parseEscape(pattern, s, i);
  push(jsChar(cp), 'atom');
  return after;
}

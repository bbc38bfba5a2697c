import { Glob } from './glob.js';

/**
 * The pattern operations of `${VAR#p}`, `${VAR%p}` and `${VAR/p/r}`: what
 * BuildKit does with the regular expression it makes of the glob. They throw
 * ShellPatternError for a glob BuildKit rejects.
 */

/** `${VAR#p}` / `${VAR##p}`: removes the shortest / longest prefix matching `pattern`. */
export function trimPrefix(value: string, pattern: string, greedy: boolean): string {
  const chars = Array.from(value);
  const match = Glob.compile(pattern).match(chars, 0, { anchored: true, greedy });
  return match ? chars.slice(match.end).join('') : value;
}

/**
 * `${VAR%p}` / `${VAR%%p}`: removes the shortest / longest suffix matching
 * `pattern`. A regex cannot find the shortest rightmost match, so, like
 * BuildKit, this reverses the value and the pattern and trims a prefix.
 */
export function trimSuffix(value: string, pattern: string, greedy: boolean): string {
  return reverseString(trimPrefix(reverseString(value), reversePattern(pattern), greedy));
}

/** Reverses a glob, keeping each `\x` pair in order (`a\*c` becomes `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const last = chars.length - 1;
  const out: string[] = new Array<string>(chars.length);
  for (let i = 0; i <= last; ) {
    const ch = chars[i] ?? '';
    // A trailing backslash is kept as a lone character (and then rejected as an escape).
    if (ch === '\\' && i !== last) {
      out[last - i - 1] = ch;
      out[last - i] = chars[i + 1] ?? '';
      i += 2;
    } else {
      out[last - i] = ch;
      i++;
    }
  }
  return out.join('');
}

function reverseString(text: string): string {
  return Array.from(text).reverse().join('');
}

/**
 * `${VAR/p/r}` replaces the first match of `pattern` with `replacement` as
 * written; `${VAR//p/r}` replaces every match the way Go's
 * `Regexp.ReplaceAllString` does, which differs from String.replace: an empty
 * match right after a match is skipped, and `$` in the replacement is Go's
 * template syntax (`$0`/`${0}` is the match, `$$` a dollar, other names empty).
 */
export function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const glob = Glob.compile(pattern);
  const chars = Array.from(value);
  const at = (from: number) => glob.match(chars, from, { anchored: false, greedy: true });
  if (!all) {
    const match = at(0);
    return match ? chars.slice(0, match.start).join('') + replacement + chars.slice(match.end).join('') : value;
  }
  let out = '';
  let lastEnd = 0;
  for (let searchAt = 0, match = at(0); match; match = searchAt <= chars.length ? at(searchAt) : undefined) {
    out += chars.slice(lastEnd, match.start).join('');
    if (match.end > lastEnd || match.start === 0) out += expandTemplate(replacement, chars.slice(match.start, match.end).join(''));
    lastEnd = match.end;
    // Always advance at least one character.
    searchAt = Math.max(searchAt + 1, match.end);
  }
  return out + chars.slice(lastEnd).join('');
}

const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

/** Go's `Regexp.Expand` for a pattern without groups: only group 0, the whole match, has a value. */
function expandTemplate(template: string, match: string): string {
  let out = '';
  let rest = template;
  for (let dollar = rest.indexOf('$'); dollar >= 0; dollar = rest.indexOf('$')) {
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const braced = rest.startsWith('{');
    let name = '';
    for (const ch of braced ? rest.slice(1) : rest) {
      if (!NAME_CHAR.test(ch)) break;
      name += ch;
    }
    // Malformed references (`$`, `$.`, `${x`) stay literal.
    if (name === '' || (braced && rest[name.length + 1] !== '}')) {
      out += '$';
      continue;
    }
    rest = rest.slice(name.length + (braced ? 2 : 0));
    // Only the number 0 names group 0; `00` is a (missing) named group in Go.
    if (name === '0') out += match;
  }
  return out + rest;
}

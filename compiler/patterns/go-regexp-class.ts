import { badPattern } from './pattern-error.js';

// The pieces of Go's regexp/syntax (RE2, Perl flags) that a Docker pattern can reach: escapes,
// bracket classes with POSIX and Unicode groups, Perl classes. A pattern's backslash escapes and
// brackets go into the regexp unchanged, so `[\d]` or `[[:alpha:]]` in a .dockerignore mean what
// RE2 says, not what a shell glob would. Each is rewritten as an explicit JavaScript class
// (flag `v`) so JavaScript's own ideas of `\s`, `\w` or `\p{C}` never leak in.

type Range = readonly [number, number];
const MAX_RUNE = 0x10ffff;

// RE2's Perl classes are ASCII-only: \s has no \v and no Unicode spaces.
const PERL: Readonly<Record<string, readonly Range[]>> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

const POSIX: Readonly<Record<string, readonly Range[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

// Go's unicode.Categories. Go's "C" leaves out unassigned code points (Cn); JavaScript's keeps them.
const CATEGORIES = new Set('C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '));

/** A code point as a JavaScript (flag `v`) escape, safe in and out of classes. */
export function jsChar(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function jsRanges(ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? jsChar(lo) : `${jsChar(lo)}-${jsChar(hi)}`)).join('');
}

function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

// RE2 has no \b here: inside a class it is refused, outside it is a word boundary.
const C_ESCAPES = new Map([['a', 7], ['f', 12], ['n', 10], ['r', 13], ['t', 9], ['v', 11]]);

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Za-z]$/.test(c);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const unhex = (c: string | undefined): number => (c !== undefined && /^[0-9A-Fa-f]$/.test(c) ? parseInt(c, 16) : -1);

/** Parses the escape at `s[i] === '\\'` to one code point (RE2's parseEscape); returns it and the next index. */
export function parseEscape(src: string, s: readonly string[], i: number): [number, number] {
  const c = s[i + 1];
  if (c === undefined) throw badPattern(src, 'trailing backslash at end of expression');
  let j = i + 2;
  const cp = c.codePointAt(0)!;
  if (cp < 0x80 && !isAlnum(c)) return [cp, j]; // escaped punctuation (and space) is itself
  if ((c >= '1' && c <= '7' && isOctal(s[j])) || c === '0') {
    // Up to three octal digits; a lone \1-\7 would be a backreference, which RE2 refuses.
    let r = cp - 0x30;
    for (let k = 1; k < 3 && isOctal(s[j]); k++) r = r * 8 + s[j++]!.charCodeAt(0) - 0x30;
    return [r, j];
  }
  if (c === 'x') {
    if (s[j] === '{') {
      let r = 0;
      let digits = 0;
      for (j++; s[j] !== '}'; j++, digits++) {
        const v = unhex(s[j]);
        r = r * 16 + v;
        if (v < 0 || r > MAX_RUNE) throw badPattern(src, 'invalid escape sequence');
      }
      if (digits === 0) throw badPattern(src, 'invalid escape sequence');
      return [r, j + 1];
    }
    const x = unhex(s[j]);
    const y = unhex(s[j + 1]);
    if (x < 0 || y < 0) throw badPattern(src, 'invalid escape sequence');
    return [x * 16 + y, j + 2];
  }
  const c0 = C_ESCAPES.get(c);
  if (c0 !== undefined) return [c0, j];
  throw badPattern(src, `invalid escape sequence \\${c}`);
}

/** `\d \D \s \S \w \W` at `s[i]` as JavaScript class content, or undefined. */
export function parsePerlClass(s: readonly string[], i: number): string | undefined {
  const c = s[i + 1];
  if (s[i] !== '\\' || c === undefined) return undefined;
  const ranges = PERL[c.toLowerCase()];
  if (ranges === undefined || !/^[dswDSW]$/.test(c)) return undefined;
  return jsRanges(c === c.toLowerCase() ? ranges : complement(ranges));
}

function unicodeProperty(name: string): string | undefined {
  if (name === 'Any') return '\\p{Any}';
  if (name === 'C') return '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}';
  if (CATEGORIES.has(name)) return `\\p{${name}}`;
  if (!/^[A-Za-z_]+$/.test(name)) return undefined;
  try {
    new RegExp(`\\p{Script=${name}}`, 'v');
    return `\\p{Script=${name}}`;
  } catch {
    return undefined;
  }
}

/** `\pL`, `\p{Greek}`, `\P{^Lu}`… at `s[i]` as a nested JavaScript class, with the next index; or undefined. */
export function parseUnicodeClass(src: string, s: readonly string[], i: number): [string, number] | undefined {
  if (s[i] !== '\\' || (s[i + 1] !== 'p' && s[i + 1] !== 'P')) return undefined;
  let negated = s[i + 1] === 'P';
  let name: string;
  let next: number;
  if (s[i + 2] !== '{') {
    name = s[i + 2] ?? '';
    next = Math.min(i + 3, s.length);
  } else {
    const end = s.indexOf('}', i);
    if (end < 0) throw badPattern(src, 'invalid character class range');
    name = s.slice(i + 3, end).join('');
    next = end + 1;
  }
  if (name.startsWith('^')) {
    negated = !negated;
    name = name.slice(1);
  }
  const body = unicodeProperty(name);
  if (body === undefined) throw badPattern(src, `invalid character class range \\p{${name}}`);
  return [`[${negated ? '^' : ''}${body}]`, next];
}

/** The bracket class at `s[i] === '['` (RE2's parseClass) as a JavaScript class, with the next index. */
export function parseClass(src: string, s: readonly string[], i: number): [string, number] {
  let j = i + 1;
  const negated = s[j] === '^';
  if (negated) j++;
  let body = '';
  // RE2 takes a `]` right after `[` or `[^` as a literal, where JavaScript would close the class.
  for (let first = true; j >= s.length || s[j] !== ']' || first; first = false) {
    if (j >= s.length) throw badPattern(src, 'missing closing ]');
    if (s[j] === '[' && s[j + 1] === ':' && s.length - j > 2) {
      // RE2 looks for ":]" anywhere ahead, even past the class's own end.
      const end = s.findIndex((c, k) => k >= j + 2 && c === ':' && s[k + 1] === ']');
      if (end >= 0) {
        const name = s.slice(j + 2, end).join('');
        const ranges = POSIX[name.replace(/^\^/, '')];
        if (ranges === undefined) throw badPattern(src, `invalid character class range [:${name}:]`);
        body += jsRanges(name.startsWith('^') ? complement(ranges) : ranges);
        j = end + 2;
        continue;
      }
    }
    const unicode = parseUnicodeClass(src, s, j);
    if (unicode !== undefined) {
      [body, j] = [body + unicode[0], unicode[1]];
      continue;
    }
    const perl = parsePerlClass(s, j);
    if (perl !== undefined) {
      [body, j] = [body + perl, j + 2];
      continue;
    }
    let lo: number;
    [lo, j] = classChar(src, s, j);
    let hi = lo;
    if (s.length - j >= 2 && s[j] === '-' && s[j + 1] !== ']') {
      [hi, j] = classChar(src, s, j + 1);
      if (hi < lo) throw badPattern(src, 'invalid character class range');
    }
    body += jsRanges([[lo, hi]]);
  }
  return [`[${negated ? '^' : ''}${body}]`, j + 1];
}

function classChar(src: string, s: readonly string[], j: number): [number, number] {
  const c = s[j];
  if (c === undefined) throw badPattern(src, 'missing closing ]');
  return c === '\\' ? parseEscape(src, s, j) : [c.codePointAt(0)!, j + 1];
}

import { badPattern } from './pattern-error.js';

// Go's filepath.Match (Go ≥ 1.16, Linux). patternmatcher does not match with it: it calls
// Match(pattern, ".") once, only to refuse malformed patterns, and that call decides which
// patterns Docker rejects up front. Match stops at the first chunk that cannot match "." unless
// a star lets it retry, so a malformed class after a star ("x*[") passes here and only fails
// later, when the regular expression is compiled; kiln keeps that split.

/**
 * Go's `filepath.Match(pattern, name)`: shell-style matching where `*` and `?` stop at `/`,
 * `[...]`/`[^...]` are classes and `\` escapes. Throws a `bad-pattern` PatternError for a
 * malformed pattern, exactly when Go returns `ErrBadPattern`.
 */
export function filepathMatch(pattern: string, name: string): boolean {
  const pat = Array.from(pattern);
  const s = Array.from(name);
  let p = 0;
  let n = 0;
  chunks: while (p < pat.length) {
    let star = false;
    while (pat[p] === '*') {
      star = true;
      p++;
    }
    const start = p;
    p = chunkEnd(pat, p);
    if (star && start === p) return !s.slice(n).includes('/'); // a trailing star eats the rest of one name
    const rest = matchChunk(pattern, pat, start, p, s, n);
    // The last chunk must use up the name, or the star before it may still find a later start.
    if (rest >= 0 && (rest === s.length || p < pat.length)) {
      n = rest;
      continue;
    }
    if (star) {
      for (let i = n; i < s.length && s[i] !== '/'; i++) {
        const t = matchChunk(pattern, pat, start, p, s, i + 1);
        if (t < 0 || (p === pat.length && t < s.length)) continue;
        n = t;
        continue chunks;
      }
    }
    return false;
  }
  return n === s.length;
}

/** Where the chunk starting at `p` ends: at the next `*` outside a class (Go's scanChunk). */
function chunkEnd(pat: readonly string[], p: number): number {
  let inRange = false;
  for (let i = p; i < pat.length; i++) {
    const c = pat[i];
    if (c === '\\') {
      if (i + 1 < pat.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) return i;
  }
  return pat.length;
}

/**
 * Matches `pat[cs, ce)` (no stars) against the start of `s[n..]`; returns the index after the
 * match, or -1. After a mismatch it keeps reading the chunk, only to find syntax errors, so a
 * malformed chunk throws whether or not it matches (Go's `failed` flag).
 */
function matchChunk(pattern: string, pat: readonly string[], cs: number, ce: number, s: readonly string[], n: number): number {
  let failed = false;
  let c = cs;
  while (c < ce) {
    failed ||= n >= s.length;
    const ch = pat[c]!;
    if (ch === '[') {
      const r: number = failed ? -1 : s[n++]!.codePointAt(0)!;
      c++;
      const negated = c < ce && pat[c] === '^';
      if (negated) c++;
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (c < ce && pat[c] === ']' && ranges > 0) {
          c++;
          break;
        }
        const [lo, afterLo] = classChar(pattern, pat, c, ce);
        let hi = lo;
        c = afterLo;
        if (pat[c] === '-') [hi, c] = classChar(pattern, pat, c + 1, ce);
        match ||= lo <= r && r <= hi;
      }
      failed ||= match === negated;
    } else if (ch === '?') {
      if (!failed) failed = s[n++] === '/';
      c++;
    } else {
      if (ch === '\\') {
        c++;
        if (c >= ce) throw badPattern(pattern, 'trailing backslash');
      }
      if (!failed) failed = pat[c] !== s[n++];
      c++;
    }
  }
  return failed ? -1 : n;
}

/** One possibly escaped class character, which must be followed by more of the chunk (Go's getEsc). */
function classChar(pattern: string, pat: readonly string[], c: number, ce: number): [number, number] {
  if (c >= ce || pat[c] === '-' || pat[c] === ']') throw badPattern(pattern, 'bad character class');
  if (pat[c] === '\\') {
    c++;
    if (c >= ce) throw badPattern(pattern, 'bad character class');
  }
  const r = pat[c]!.codePointAt(0)!;
  if (c + 1 >= ce) throw badPattern(pattern, 'unterminated character class');
  return [r, c + 1];
}

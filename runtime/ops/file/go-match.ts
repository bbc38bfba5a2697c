// Go's path/filepath.Match, which fsutil uses to resolve a wildcard COPY source or rm path.
// compiler/patterns has its own for Docker's pattern lists, but it is not part of that
// folder's public surface (and fsutil ignores Match's ErrBadPattern, which this returns as false).

/** Thrown inside this module for a malformed pattern (Go's ErrBadPattern). */
class BadPattern extends Error {}

/**
 * Go's `filepath.Match(pattern, name)` on Linux: `*` matches any run of non-`/` characters,
 * `?` one of them, `[...]`/`[^...]` a class with ranges, `\` escapes. A malformed pattern
 * matches nothing.
 *
 * @example
 * goMatch('conf/*.conf', 'conf/x.conf') // true
 * goMatch('*', 'a/b')                   // false
 */
export function goMatch(pattern: string, name: string): boolean {
  try {
    return match(Array.from(pattern), Array.from(name));
  } catch (err) {
    if (err instanceof BadPattern) return false;
    throw err;
  }
}

function match(pat: string[], s: string[]): boolean {
  let p = 0;
  let n = 0;
  outer: while (p < pat.length) {
    let star = false;
    while (pat[p] === '*') {
      star = true;
      p++;
    }
    const start = p;
    p = chunkEnd(pat, p);
    const end = p;
    if (star && start === end) return !s.slice(n).includes('/');
    const t = matchChunk(pat, start, end, s, n);
    if (t >= 0 && (t === s.length || end < pat.length)) {
      n = t;
      continue;
    }
    if (star) {
      for (let i = n; i < s.length && s[i] !== '/'; i++) {
        const t2 = matchChunk(pat, start, end, s, i + 1);
        if (t2 >= 0) {
          if (end === pat.length && t2 < s.length) continue;
          n = t2;
          continue outer;
        }
      }
    }
    // Go checks the rest of the pattern for syntax errors before saying no.
    for (let q = p; q < pat.length;) {
      while (pat[q] === '*') q++;
      const e = chunkEnd(pat, q);
      matchChunk(pat, q, e, [], 0);
      q = e;
    }
    return false;
  }
  return n === s.length;
}

/** The end of the chunk (the text up to the next unescaped `*` outside a class) starting at `p`. */
function chunkEnd(pat: string[], p: number): number {
  let inRange = false;
  for (; p < pat.length; p++) {
    const c = pat[p];
    if (c === '\\') p++;
    else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return p;
}

/** Matches pat[p..end) at the start of s[n..]; the index after the match in s, or -1. */
function matchChunk(pat: string[], p: number, end: number, s: string[], n: number): number {
  let failed = false;
  while (p < end) {
    const c = pat[p]!;
    if (!failed && n >= s.length) failed = true;
    if (c === '[') {
      const ch = failed ? '' : s[n++]!;
      p++;
      const negated = pat[p] === '^';
      if (negated) p++;
      let matched = false;
      let count = 0;
      for (;;) {
        if (p < end && pat[p] === ']' && count > 0) {
          p++;
          break;
        }
        const [lo, p1] = classChar(pat, p, end);
        let hi = lo;
        p = p1;
        if (pat[p] === '-') [hi, p] = classChar(pat, p + 1, end);
        if (!failed && lo <= ch && ch <= hi) matched = true;
        count++;
      }
      if (matched === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[n] === '/') failed = true;
        n++;
      }
      p++;
    } else {
      let lit = c;
      if (c === '\\') {
        p++;
        if (p >= end) throw new BadPattern();
        lit = pat[p]!;
      }
      if (!failed && s[n] !== lit) failed = true;
      n++;
      p++;
    }
  }
  return failed ? -1 : n;
}

/** One character of a class (escapes allowed); throws BadPattern where Go returns ErrBadPattern. */
function classChar(pat: string[], p: number, end: number): [string, number] {
  let c = pat[p];
  if (p >= end || c === '-' || c === ']') throw new BadPattern();
  if (c === '\\') {
    p++;
    if (p >= end) throw new BadPattern();
    c = pat[p];
  }
  return [c!, p + 1];
}

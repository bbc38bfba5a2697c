// How patternmatcher turns one cleaned pattern into a test. Docker does not match with
// filepath.Match: it rewrites the glob into a Go regular expression, and skips the regexp for
// the common shapes. Those shortcuts are not always what the regexp would say (`**foo`
// also matches `xfoo`), and Docker's behaviour is the shortcut's, so kiln keeps the same four
// kinds and builds the same regexp text, character for character.

/**
 * How a pattern is tested, as patternmatcher decides it:
 * - `exact`: the path equals the pattern (no wildcard, class or escape in it);
 * - `prefix`: a literal followed by a final `**`; the path starts with the literal (`dir/**`);
 * - `suffix`: a leading `**` followed by a literal; the path ends with it, or equals it minus
 *   a leading `/` (`**\/name`);
 * - `regexp`: anything else, through the Go regular expression.
 */
export type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** A pattern's match type and, for `regexp`, the Go regular expression source. */
export interface CompiledGlob {
  readonly type: MatchType;
  /** Go (RE2) syntax, as patternmatcher writes it; `''` unless `type` is `regexp`. */
  readonly regexp: string;
}

// Characters that mean something to a regexp but nothing to a glob; escaped so they stay literal.
// `^` is not in the list (upstream's choice), so `a^b` reaches the regexp as an anchor.
const REGEXP_ONLY = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

// For instance `dir/**` is a prefix test, `**/dir` a suffix test, and `**/dir2/*` the regexp
// `^(.*/)?dir2/[^/]*$`: `*` is `[^/]*`, `?` is `[^/]`, an inner `**/` is `(.*/)?`, a final `**`
// is `.*`.

/** Classifies a cleaned pattern and writes its Go regexp (patternmatcher's `compile` for `/`). */
export function compileGlob(pattern: string): CompiledGlob {
  const chars = Array.from(pattern);
  // Go reads the pattern with text/scanner, which skips a byte order mark at the very start.
  let pos = chars[0] === '\uFEFF' ? 1 : 0;
  const peek = (): string | undefined => chars[pos];
  let re = '^';
  let type: MatchType = 'exact';
  for (let i = 0; pos < chars.length; i++) {
    const ch = chars[pos++]!;
    if (ch === '*') {
      if (peek() === '*') {
        pos++;
        if (peek() === '/') pos++; // "**/" is read as "**"
        if (peek() === undefined) {
          // A final "**" matches everything below, as in .gitignore.
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        // Upstream sets this after the branches above, so a leading "**" wins over them and a
        // later wildcard still turns the pattern into a regexp.
        if (i === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (REGEXP_ONLY.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      // The escaped character goes to the regexp still escaped, so `\d` is a digit class there.
      // A trailing backslash is kept as is (and escapes the `$` appended below).
      const next = peek();
      if (next !== undefined) {
        re += `\\${next}`;
        pos++;
        type = 'regexp';
      } else re += '\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  return type === 'regexp' ? { type, regexp: `${re}$` } : { type, regexp: '' };
}

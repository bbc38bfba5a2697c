import { KilnError } from '../errors.js';
import { filepathMatch } from './glob-syntax.js';
import { cleanPath, dirOf, trimSpace } from './go-path.js';
import { Pattern } from './pattern.js';
import { PatternError } from './pattern-error.js';

/** What matching a directory leaves for its children (Go's MatchInfo): per pattern, whether the directory or an ancestor matched. */
export interface MatchInfo {
  readonly parentMatched: readonly boolean[];
}

/** The MatchInfo for a path whose parent was not matched by this matcher (a top-level entry). */
export const NO_MATCH_INFO: MatchInfo = Object.freeze({ parentMatched: Object.freeze([]) });

// fsutil treats these as "not a plain path" when it decides whether a directory can be skipped.
const PATTERN_CHARS = /[*[\]?^\\]/;

/** The path part fsutil compares with a directory: the pattern without a final `/**` or `/*`. */
function literalStem(p: Pattern): string {
  let s = p.text;
  if (s.endsWith('/**')) s = s.slice(0, -3);
  if (s.endsWith('/*')) s = s.slice(0, -2);
  return s;
}

/**
 * Docker's path matcher (moby/patternmatcher): an ordered list of glob patterns where a later
 * `!exception` can un-match what an earlier pattern matched, and a pattern that matches a
 * directory matches everything under it.
 *
 * @example
 * const m = new PatternMatcher(['docs', '!docs/README.md', '**\/*.tmp']);
 * m.matches('docs/guide.md')    // true
 * m.matches('docs/README.md')   // false
 * m.matches('src/a/b.tmp')      // true
 */
export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  readonly #exclusions: boolean;

  /**
   * Builds the matcher as `patternmatcher.New` does: each pattern is trimmed, blank ones are
   * dropped, the rest cleaned (`filepath.Clean`, before the `!` is looked at). Throws a
   * PatternError: `illegal-exclusion` for a lone `!`, `bad-pattern` for a glob Go's
   * `filepath.Match` calls malformed.
   */
  constructor(patterns: readonly string[]) {
    const out: Pattern[] = [];
    let exclusions = false;
    for (const raw of patterns) {
      let p = trimSpace(raw);
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new PatternError('illegal-exclusion', 'illegal exclusion pattern: "!"', p);
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      filepathMatch(p, '.');
      out.push(new Pattern(p, exclusion));
    }
    this.patterns = Object.freeze(out);
    this.#exclusions = exclusions;
  }

  /** Whether any pattern is a `!` exception (Go's `Exclusions()`). */
  exclusions(): boolean {
    return this.#exclusions;
  }

  /**
   * Whether `path` (relative, `/`-separated, used as given) is matched: the last pattern that
   * matches it or one of its parent directories decides (Go's `MatchesOrParentMatches`).
   */
  matches(path: string): boolean {
    const parent = dirOf(path);
    const dirs = parent === '.' ? [] : parent.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      // An inclusion cannot change a match, nor an exception a non-match: skip them.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(path);
      for (let i = 0; !match && i < dirs.length; i++) match = pattern.match(dirs.slice(0, i + 1).join('/'));
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * The walker's form of `matches` (Go's `MatchesUsingParentResults`): a pattern that matched the
   * parent directory counts as matched, others are tried on `path` alone. With NO_MATCH_INFO
   * the ancestors of `path` are tried as in `matches`. This is what BuildKit uses on a context,
   * and it can differ from `matches`: with `a/b` then `!a`, `a/b` stays matched here.
   */
  matchesUsingParentResults(path: string, parent: MatchInfo = NO_MATCH_INFO): { readonly matched: boolean; readonly info: MatchInfo } {
    const known = parent.parentMatched;
    if (known.length !== 0 && known.length !== this.patterns.length) {
      throw new KilnError('bad-match-info', `wrong number of values in parentMatched for ${JSON.stringify(path)}`);
    }
    const dirOfPath = dirOf(path);
    const dirs = known.length === 0 && dirOfPath !== '.' ? dirOfPath.split('/') : [];
    const info: boolean[] = [];
    let matched = false;
    this.patterns.forEach((pattern, i) => {
      let match = known[i] === true;
      if (!match) {
        if (pattern.exclusion !== matched) {
          info.push(false);
          return;
        }
        match = pattern.match(path);
        for (let d = 0; !match && d < dirs.length; d++) match = pattern.match(dirs.slice(0, d + 1).join('/'));
      }
      info.push(match);
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info: Object.freeze({ parentMatched: Object.freeze(info) }) };
  }

  /**
   * Whether an inclusion pattern may match something under `dir`; false lets a walker skip a
   * directory the include list did not match. Only provable when every inclusion is a plain
   * path (fsutil's `onlyPrefixIncludes`), so any wildcard answers true.
   */
  mayIncludeUnder(dir: string): boolean {
    return this.#mayMatchUnder(dir, false);
  }

  /**
   * Whether a `!` exception may match something under `dir`; false lets a walker skip a
   * directory the exclude list matched (fsutil's `onlyPrefixExcludeExceptions`).
   */
  mayExceptUnder(dir: string): boolean {
    return this.#mayMatchUnder(dir, true);
  }

  #mayMatchUnder(dir: string, exclusion: boolean): boolean {
    const stems = this.patterns.filter((p) => p.exclusion === exclusion).map(literalStem);
    if (stems.some((s) => PATTERN_CHARS.test(s))) return true;
    return stems.some((s) => `${s}/`.startsWith(`${dir}/`));
  }
}

/**
 * Go's package-level `MatchesOrParentMatches`: builds a matcher, cleans `path`, and never
 * matches the context root itself (`.`).
 */
export function matchesOrParentMatches(path: string, patterns: readonly string[]): boolean {
  const m = new PatternMatcher(patterns);
  const p = cleanPath(path);
  return p === '.' ? false : m.matches(p);
}

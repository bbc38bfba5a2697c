import { PatternMatcher, NO_MATCH_INFO } from './pattern-matcher.js';
import type { MatchInfo } from './pattern-matcher.js';
import { PatternError } from './pattern-error.js';

/** Include and exclude pattern lists, as in `local.includepattern`/`local.excludepatterns` or COPY's. */
export interface FilterOptions {
  /** A path is kept only if one of these matches it or a parent (none given: everything). */
  readonly include?: readonly string[];
  /** A path these match (with `!` exceptions) is dropped, even if included. */
  readonly exclude?: readonly string[];
}

/**
 * What a walker does with one entry:
 * - `keep`: report it, after `parents`: ancestors that were not reported when visited (an
 *   unmatched `a` is reported once `a/b` turns out to be included);
 * - `skip`: do not report it, but still walk into it if it is a directory;
 * - `skip-dir`: do not report it and do not walk into it (returned for directories only).
 */
export type VisitResult =
  | { readonly action: 'keep'; readonly parents: readonly string[] }
  | { readonly action: 'skip' }
  | { readonly action: 'skip-dir' };

interface VisitedDir {
  readonly path: string;
  readonly include: MatchInfo;
  readonly exclude: MatchInfo;
  reported: boolean;
}

function matcherFor(kind: 'includepatterns' | 'excludepatterns', patterns: readonly string[] | undefined): PatternMatcher | undefined {
  // An empty list means "no filter", but a list of blank patterns is a matcher with no patterns
  // (fsutil checks the list's length before cleaning): it includes nothing.
  if (patterns === undefined || patterns.length === 0) return undefined;
  try {
    return new PatternMatcher(patterns);
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    throw new PatternError(err.code, `invalid ${kind}: ${JSON.stringify(patterns)}: ${err.message}`, err.pattern, { cause: err });
  }
}

/**
 * BuildKit's include/exclude filter for a directory walk (tonistiigi/fsutil `filterFS.Walk`),
 * without the symlink (`followpaths`) and map hooks. Feed it every entry in walk order (depth
 * first, parents before children, siblings by name) and do what each VisitResult says.
 *
 * @example
 * const f = new PathFilter({ exclude: ['node_modules', '*.log', '!keep.log'] });
 * f.visit('node_modules', true) // { action: 'skip-dir' }
 * f.visit('keep.log', false)    // { action: 'keep', parents: [] }
 */
export class PathFilter {
  readonly #include: PatternMatcher | undefined;
  readonly #exclude: PatternMatcher | undefined;
  // The directories above the current entry that were walked into, innermost last.
  readonly #parents: VisitedDir[] = [];

  /** Throws a PatternError (wrapped as fsutil does: "invalid excludepatterns: …") for a bad list. */
  constructor(options: FilterOptions = {}) {
    this.#include = matcherFor('includepatterns', options.include);
    this.#exclude = matcherFor('excludepatterns', options.exclude);
  }

  /**
   * Decides one walked entry: `path` relative to the walk's root, `/`-separated, without `./`.
   * Throws `bad-pattern` when a pattern's regexp is one Go refuses and the walk reaches it.
   */
  visit(path: string, isDir: boolean): VisitResult {
    const include = this.#include;
    const exclude = this.#exclude;
    if (include === undefined && exclude === undefined) return { action: 'keep', parents: [] };
    const stack = this.#parents;
    while (stack.length > 0 && !path.startsWith(`${stack[stack.length - 1]!.path}/`)) stack.pop();
    const parent = stack[stack.length - 1];

    let skip = false;
    let includeInfo = NO_MATCH_INFO;
    if (include !== undefined) {
      const r = include.matchesUsingParentResults(path, parent?.include ?? NO_MATCH_INFO);
      includeInfo = r.info;
      if (!r.matched) {
        if (isDir && !include.mayIncludeUnder(path)) return { action: 'skip-dir' };
        skip = true;
      }
    }
    let excludeInfo = NO_MATCH_INFO;
    if (exclude !== undefined) {
      const r = exclude.matchesUsingParentResults(path, parent?.exclude ?? NO_MATCH_INFO);
      excludeInfo = r.info;
      if (r.matched) {
        if (isDir && !exclude.mayExceptUnder(path)) return { action: 'skip-dir' };
        skip = true;
      }
    }
    // A skipped directory is still walked, and remembered so that its children's matches
    // start from its own and so that it is reported if one of them is kept.
    const unreported = skip ? [] : stack.filter((d) => !d.reported);
    if (isDir) stack.push({ path, include: includeInfo, exclude: excludeInfo, reported: !skip });
    if (skip) return { action: 'skip' };
    for (const d of unreported) d.reported = true;
    return { action: 'keep', parents: unreported.map((d) => d.path) };
  }

  /**
   * Whether a direct open of `path` is allowed (fsutil `filterFS.Open`): included by the include
   * list, not matched by the exclude list, both with `matches` semantics rather than a walk's.
   */
  canOpen(path: string): boolean {
    if (this.#include !== undefined && !this.#include.matches(path)) return false;
    return !(this.#exclude !== undefined && this.#exclude.matches(path));
  }
}

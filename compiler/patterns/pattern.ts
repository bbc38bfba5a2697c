import { compileGlob } from './glob-compile.js';
import type { CompiledGlob, MatchType } from './glob-compile.js';
import { goRegexp } from './go-regexp.js';
import { PatternError } from './pattern-error.js';

/** One cleaned pattern of a PatternMatcher; `exclusion` is true for a `!` exception. */
export class Pattern {
  /** The pattern after trimming and `filepath.Clean`, without its `!`. */
  readonly text: string;
  /** Docker's name for an exception (`!pattern`): a match here un-matches the path. */
  readonly exclusion: boolean;
  readonly #glob: CompiledGlob;
  // Compiled on first use, as upstream does, so a regexp Go refuses fails the first match that
  // reaches this pattern rather than the matcher's construction.
  #regexp: RegExp | PatternError | undefined;

  constructor(text: string, exclusion: boolean) {
    this.text = text;
    this.exclusion = exclusion;
    this.#glob = compileGlob(text);
  }

  /** How the pattern is tested; see MatchType. */
  get matchType(): MatchType {
    return this.#glob.type;
  }

  /** The Go regular expression patternmatcher builds (`''` unless `matchType` is `regexp`). */
  get regexpSource(): string {
    return this.#glob.regexp;
  }

  toString(): string {
    return this.text;
  }

  /** Whether this pattern alone matches `path` (no parents, no exceptions). Throws `bad-pattern`. */
  match(path: string): boolean {
    const text = this.text;
    switch (this.#glob.type) {
      case 'exact':
        return path === text;
      case 'prefix':
        return path.startsWith(text.slice(0, -2));
      case 'suffix': {
        // Upstream slices two bytes off; after a leading BOM (3 bytes) that leaves a broken
        // UTF-8 sequence no path ends with.
        if (text.startsWith('\uFEFF')) return false;
        const suffix = text.slice(2);
        return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
      }
      case 'regexp':
        if (this.#regexp === undefined) {
          try {
            this.#regexp = goRegexp(this.#glob.regexp, text);
          } catch (err) {
            if (!(err instanceof PatternError)) throw err;
            this.#regexp = err;
          }
        }
        if (this.#regexp instanceof PatternError) throw this.#regexp;
        return this.#regexp.test(path);
    }
  }
}

import { matchesOrParentMatches, NO_MATCH_INFO, PatternError, PatternMatcher } from '../../../compiler/patterns/index.js';
import type { MatchInfo } from '../../../compiler/patterns/index.js';
import { dirOf } from '../../../compiler/patterns/go-path.js';
import { thrownBy } from '../../support/errors.js';
import { COMPILES, MATCHES, MULTI_MATCHES, PACKAGE_MATCHES } from './upstream-cases.js';

const cases = [
  ...MATCHES.map(([p, path, want]) => [[p], path, want] as const),
  ...MULTI_MATCHES,
];

/** Matches `path` with parent results gathered walking down to it, as the upstream test does. */
function walkDown(m: PatternMatcher, path: string): boolean {
  const parent = dirOf(path);
  let info: MatchInfo = NO_MATCH_INFO;
  if (parent !== '.') {
    const dirs = parent.split('/');
    dirs.forEach((_, i) => {
      info = m.matchesUsingParentResults(dirs.slice(0, i + 1).join('/'), info).info;
    });
  }
  return m.matchesUsingParentResults(path, info).matched;
}

describe('patternmatcher TestMatches', () => {
  it.each(cases)('%j ~ %j → %j (MatchesOrParentMatches)', (patterns, path, want) => {
    expect(new PatternMatcher(patterns).matches(path)).toBe(want);
  });
  it.each(cases)('%j ~ %j → %j (MatchesUsingParentResults)', (patterns, path, want) => {
    expect(walkDown(new PatternMatcher(patterns), path)).toBe(want);
  });
  it.each(cases)('%j ~ %j → %j (no parent context)', (patterns, path, want) => {
    expect(new PatternMatcher(patterns).matchesUsingParentResults(path).matched).toBe(want);
  });
});

describe('patternmatcher TestMatch (package-level matcher)', () => {
  it.each(PACKAGE_MATCHES)('%j ~ %j → %j', (pattern, path, want) => {
    if (want === 'bad-pattern') expect(thrownBy(PatternError, () => matchesOrParentMatches(path, [pattern])).code).toBe('bad-pattern');
    else expect(matchesOrParentMatches(path, [pattern])).toBe(want);
  });
});

describe('patternmatcher TestCompile', () => {
  it.each(COMPILES)('%j is %s %j', (pattern, type, regexp) => {
    const [p] = new PatternMatcher([pattern]).patterns;
    expect([p!.matchType, p!.regexpSource]).toEqual([type, regexp]);
  });
});

describe('patternmatcher construction', () => {
  it('single patterns from the upstream tests', () => {
    expect(matchesOrParentMatches('fileutils.go', ['*'])).toBe(true);
    expect(matchesOrParentMatches('fileutils.go', ['*.go'])).toBe(true);
    expect(matchesOrParentMatches('fileutils.go', ['!fileutils.go', '*.go'])).toBe(true);
    expect(matchesOrParentMatches('fileutils.go', ['*.go', '!fileutils.go'])).toBe(false);
    expect(matchesOrParentMatches('docs/README.md', ['docs', '!docs/README.md'])).toBe(false);
    expect(matchesOrParentMatches('docs/README.md', ['docs/', '!docs/README.md'])).toBe(false);
    expect(matchesOrParentMatches('docs/README.md', ['docs/*', '!docs/README.md'])).toBe(false);
    expect(matchesOrParentMatches('.', ['*.go'])).toBe(false);
    expect(matchesOrParentMatches('/any/path/there', [])).toBe(false);
    expect(thrownBy(PatternError, () => matchesOrParentMatches('/any/path/there', ['['])).code).toBe('bad-pattern');
  });

  it('refuses a lone "!" (also "!/", which cleans to it)', () => {
    expect(thrownBy(PatternError, () => new PatternMatcher(['!'])).code).toBe('illegal-exclusion');
    expect(thrownBy(PatternError, () => new PatternMatcher(['!/'])).code).toBe('illegal-exclusion');
  });

  it('trims, drops blank patterns, cleans, and reports exceptions', () => {
    expect(new PatternMatcher(['docs', 'config']).patterns).toHaveLength(2);
    expect(new PatternMatcher(['docs', 'config', '', ' \t']).patterns.map(String)).toEqual(['docs', 'config']);
    expect(new PatternMatcher(['docs', '!docs/README.md']).exclusions()).toBe(true);
    expect(new PatternMatcher(['docs', '  !docs/README.md']).exclusions()).toBe(true);
    expect(new PatternMatcher(['docs', '!docs/README.md  ']).exclusions()).toBe(true);
    expect(new PatternMatcher(['docs']).exclusions()).toBe(false);
    expect(new PatternMatcher(['./a//b/', '/c/../d']).patterns.map(String)).toEqual(['a/b', '/d']);
  });

  it('cleans before looking for "!": "!x/../y" is the inclusion "y", "!./a" the exception "./a"', () => {
    const m = new PatternMatcher(['!x/../y', '!./a']);
    expect(m.patterns.map((p) => [p.text, p.exclusion])).toEqual([['y', false], ['./a', true]]);
    expect(m.matches('y')).toBe(true);
  });
});

describe('the walker form and the parent form can disagree, as upstream', () => {
  it('a later exception on an ancestor un-matches only through matches()', () => {
    const m = new PatternMatcher(['a/b', '!a']);
    expect(m.matches('a/b')).toBe(false);
    expect(walkDown(m, 'a/b')).toBe(true);
    expect(walkDown(m, 'a/b/c')).toBe(true);
  });

  it('keeps one flag per pattern in MatchInfo and refuses a foreign one', () => {
    const m = new PatternMatcher(['a', '!a/b']);
    const a = m.matchesUsingParentResults('a');
    expect(a).toEqual({ matched: true, info: { parentMatched: [true, false] } });
    expect(m.matchesUsingParentResults('a/b', a.info).matched).toBe(false);
    expect(m.matchesUsingParentResults('a/c', a.info).matched).toBe(true);
    expect(() => m.matchesUsingParentResults('a/b', { parentMatched: [true] })).toThrow(/wrong number/);
  });
});

describe('directory skipping hints (fsutil onlyPrefix*)', () => {
  it('mayIncludeUnder is exact for plain paths and gives up on wildcards', () => {
    const plain = new PatternMatcher(['a/b/c', 'd/**', '!a/x/y']);
    expect([plain.mayIncludeUnder('a'), plain.mayIncludeUnder('a/b'), plain.mayIncludeUnder('a/x'), plain.mayIncludeUnder('d')]).toEqual([true, true, false, true]);
    expect(plain.mayIncludeUnder('ab')).toBe(false);
    expect(new PatternMatcher(['a/*/c']).mayIncludeUnder('zzz')).toBe(true);
    expect(new PatternMatcher(['a^b']).mayIncludeUnder('zzz')).toBe(true);
  });

  it('mayExceptUnder looks only at "!" patterns and is false without any', () => {
    expect(new PatternMatcher(['a']).mayExceptUnder('a')).toBe(false);
    const m = new PatternMatcher(['a', '!a/b/c']);
    expect([m.mayExceptUnder('a'), m.mayExceptUnder('a/b'), m.mayExceptUnder('a/x')]).toEqual([true, true, false]);
    expect(new PatternMatcher(['a', '!a/*/c']).mayExceptUnder('q')).toBe(true);
  });
});

import { PatternError, PatternMatcher } from '../../../compiler/patterns/index.js';
import { thrownBy } from '../../support/errors.js';

// Behaviour that follows from how patternmatcher builds and compiles its Go regexp, read from
// its source (patternmatcher.go, Go's regexp/syntax and text/scanner) rather than copied from an
// upstream test. Each row: pattern, match type, then paths it matches and paths it does not.
const QUIRKS: readonly (readonly [string, string, string, readonly string[], readonly string[]])[] = [
  ['the "**x" shortcut is a plain suffix test', '**foo', 'suffix', ['foo', 'xfoo', 'a/xfoo', 'a/foo', 'xfoo/bar'], ['fo', 'foox']],
  ['"**/x" also matches x at the top', '**/foo', 'suffix', ['foo', 'a/foo', 'a/b/foo', 'foo/bar'], ['xfoo', 'a/xfoo']],
  ['a final "**" after a literal is a prefix test', 'foo**', 'prefix', ['foo', 'foobar', 'foo/bar', 'foobar/baz'], ['fo', 'xfoo']],
  ['"^" is not escaped: exact when alone', 'a^b', 'exact', ['a^b'], ['ab', 'b']],
  ['"^" is an anchor once the pattern is a regexp (so only an empty "*" fits)', '*^b', 'regexp', ['b', 'b/c'], ['a^b', '^b', 'ab']],
  ['an escaped letter keeps its regexp meaning (\\d is a digit)', 'a\\d', 'regexp', ['a1', 'a9'], ['ad', 'a']],
  ['inside a class too', '[\\d]', 'regexp', ['0', '7'], ['d', '\\']],
  ['\\pL is a Unicode letter, not "pL"', '\\pL', 'regexp', ['p', 'é', 'Ж'], ['pL', '1', '_']],
  ['\\s is RE2\'s ASCII space class', 'a\\sb', 'regexp', ['a b', 'a\tb'], ['a\u00a0b', 'a\vb', 'asb']],
  ['POSIX classes work inside brackets', '[[:alpha:]]', 'regexp', ['q', 'Z'], [':', ']', '[', 'é']],
  ['a "]" right after "[" is literal in RE2 (after a star, so Match does not check it)', 'x*[]a]', 'regexp', ['x]', 'xyza'], ['x', 'xb']],
  ['a trailing backslash escapes the "$" anchor', 'x*\\', 'regexp', ['x$', 'xab$', 'xab$/more'], ['x', 'xab', 'x\\']],
  ['\\Q quotes the rest, kiln\'s regexp text included', 'a\\Q*', 'regexp', ['a[^/]*$', 'a[^/]*$tail'], ['a', 'ab']],
  ['"?" and "*" cross newlines, "**" does not', 'a/**/b', 'regexp', ['a/b', 'a/x/b', 'a/x/y/b'], ['a/x\ny/b']],
  ['"?" matches a newline', 'a?b', 'regexp', ['a\nb', 'a\rb', 'a☺b'], ['a/b', 'ab']],
  ['"*" inside a class becomes [^/]*, whose "]" closes the class early', 'x*[*]', 'regexp', ['x]', 'x^]', 'xa/]', 'x[[]'], ['x*', 'x', 'x[']],
  ['a BOM before the pattern is skipped by the regexp builder', '\ufefffoo*', 'regexp', ['foo', 'foobar'], ['\ufefffoo']],
  ['but kept by the exact test', '\ufefffoo', 'exact', ['\ufefffoo'], ['foo']],
  ['octal and hex escapes', 'x*\\101\\x42', 'regexp', ['xAB', 'x-AB'], ['x\\101', 'xab']],
];

describe('patterns quirks derived from upstream source', () => {
  it.each(QUIRKS)('%s: %j', (_why, pattern, type, yes, no) => {
    const m = new PatternMatcher([pattern]);
    expect(m.patterns[0]!.matchType).toBe(type);
    for (const path of yes) expect([path, m.matches(path)]).toEqual([path, true]);
    for (const path of no) expect([path, m.matches(path)]).toEqual([path, false]);
  });

  // Go validates with filepath.Match(pattern, "."), then compiles the regexp only when a match
  // needs it; a regexp RE2 refuses fails that match (every time), not the constructor.
  it.each([
    ['[Local-Only]/', 'reversed range l-O (upstream regression test)'],
    ['x*[', 'unclosed class after a star'],
    ['a\\q', 'unknown escape'],
    ['[z-a]', 'reversed range'],
    ['a\\1', 'backreference'],
    ['x*\\pX', 'unknown Unicode class'],
    ['[[:nope:]]', 'unknown POSIX class'],
    ['a\\C', 'RE2 refuses \\C'],
    ['x*\\é', 'escaped non-ASCII'],
    ['x*\\x{43}', 'the "{" reaches RE2 escaped, so \\x{…} cannot be written'],
  ])('%j is accepted but fails when matched (%s)', (pattern) => {
    const m = new PatternMatcher([pattern]);
    expect(thrownBy(PatternError, () => m.matches('x')).code).toBe('bad-pattern');
    expect(thrownBy(PatternError, () => m.matches('x')).code).toBe('bad-pattern');
  });

  it('a broken pattern that is never consulted does not fail', () => {
    // Inclusions are skipped once a path is matched, exceptions while it is not.
    expect(new PatternMatcher(['*', 'x*[']).matches('a')).toBe(true);
    expect(new PatternMatcher(['!a\\q', 'b']).matches('b')).toBe(true);
    expect(() => new PatternMatcher(['*', '!a\\q']).matches('b')).toThrow(PatternError);
  });

  it('keeps a leading space after "!" (only readIgnoreFile trims it)', () => {
    const m = new PatternMatcher(['*', '! foo']);
    expect(m.patterns[1]!.text).toBe(' foo');
    expect([m.matches('foo'), m.matches(' foo')]).toEqual([true, false]);
  });
});

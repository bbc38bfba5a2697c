import { goRegexp } from '../../../compiler/patterns/go-regexp.js';
import { PatternError } from '../../../compiler/patterns/index.js';
import { thrownBy } from '../../support/errors.js';

// The RE2 -> JavaScript translation on its own, with RE2's documented behaviour (Go regexp/syntax
// doc and parser) as the expectation, including constructs a glob cannot produce.
const ACCEPTS: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  ['^a[]b]$', ['a]', 'ab'], ['a', 'a[]']],
  ['^[^]a]$', ['b', '\n'], [']', 'a']],
  ['^[a-]$', ['a', '-'], ['b']],
  ['^[a-b-c]$', ['a', '-', 'c'], ['d']],
  ['^a\\Qb*c\\E*$', ['ab*', 'ab*ccc'], ['abc', 'ab']],
  ['^a\\Qb*$', ['ab*$'], ['ab']],
  ['^\\x41\\101\\x{42}\\0$', ['AAB\0'], ['x41']],
  ['^[\\d\\s]$', ['5', ' ', '\t'], ['\v', '\u00a0', 'd']],
  ['^\\w\\W$', ['_!', 'a '], ['é!', 'ab']],
  ['^\\pL\\p{Greek}\\PL\\p{^L}$', ['aα11'], ['aa11', 'aαa1']],
  ['^\\p{C}$', ['\u0000', '\u200b'], ['\u0378', 'a']],
  ['^[[:^alpha:][:digit:]]$', ['1', '-'], ['a']],
  ['^.$', ['\r', '\u2028', 'é', '\u{1f600}'], ['\n', '']],
  ['^a*?b+?c??$', ['b', 'aabbc'], ['ac']],
  ['\\Aa\\b-\\B-\\z', ['a--'], ['ab--', 'a-', 'a--\n']],
  ['^*a', ['a'], ['b']],
  ['^x$', ['x'], ['x\n']],
];

const REFUSES: readonly string[] = [
  'a**', 'a*+', '*a', '|*', '(*)', '\\Q\\E*', '(a', 'a)', '[a', '[a-\\d]', '[z-a]', '[[:word]]x:]', '[[:nope:]]',
  '\\1', '\\8', '\\q', '\\é', '\\C', '\\x{110000}', '\\x{}', '\\xg0', '\\pX', '\\p{Nope}', '\\p{', 'a\\',
];

describe('goRegexp (RE2 to JavaScript)', () => {
  it.each(ACCEPTS)('%j', (source, yes, no) => {
    const re = goRegexp(source, source);
    for (const s of yes) expect([s, re.test(s)]).toEqual([s, true]);
    for (const s of no) expect([s, re.test(s)]).toEqual([s, false]);
  });

  it.each(REFUSES)('refuses %j', (source) => {
    expect(thrownBy(PatternError, () => goRegexp(source, 'p')).code).toBe('bad-pattern');
  });

  it('folds runs of "(.*/)?" so stacked "**/" stay fast', () => {
    const re = goRegexp('^(.*/)?(.*/)?(.*/)?(.*/)?(.*/)?(.*/)?x[^/]*y$', 'p');
    const path = `${'abcd/'.repeat(60)}xz`;
    const t = Date.now();
    expect(re.test(path)).toBe(false);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(re.test('a/b/xay')).toBe(true);
  });
});

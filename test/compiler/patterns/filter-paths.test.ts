import { filterPaths, PathFilter, PatternError } from '../../../compiler/patterns/index.js';
import { thrownBy } from '../../support/errors.js';

// Trees and expected walks transcribed from tonistiigi/fsutil filter_test.go (directories end
// with "/"), plus the entry counts of its BenchmarkWalker scenarios.

const INCLUDE_TREE = ['bar/', 'bar/foo', 'foo2'];
const DOUBLESTAR_TREE = [
  'a/', 'a/b/', 'a/b/baz/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'bar/', 'bar/foo', 'baz/', 'foo2', 'foo/', 'foo/bar/', 'foo/bar/bee',
];

describe('fsutil TestWalkerInclude', () => {
  it.each([
    ['bar', ['bar/', 'bar/foo']],
    ['bar/foo', ['bar/', 'bar/foo']],
    ['b*', ['bar/', 'bar/foo']],
    ['bar/f*', ['bar/', 'bar/foo']],
    ['bar/g*', []],
    ['f*', ['foo2']],
    ['b*/f*', ['bar/', 'bar/foo']],
    ['b*/foo', ['bar/', 'bar/foo']],
    ['b*/', ['bar/', 'bar/foo']],
  ])('include %j', (pattern, want) => {
    expect(filterPaths(INCLUDE_TREE, { include: [pattern] })).toEqual(want);
  });
});

describe('fsutil TestWalkerDoublestarInclude', () => {
  it.each([
    ['**/bar', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'bar/', 'bar/foo', 'foo/', 'foo/bar/', 'foo/bar/bee']],
    ['**/bar/foo', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'bar/', 'bar/foo']],
    ['**/b*', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'a/b/baz/', 'bar/', 'bar/foo', 'baz/', 'foo/', 'foo/bar/', 'foo/bar/bee']],
    ['**/bar/f*', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'bar/', 'bar/foo']],
    ['**/bar/g*', []],
    ['**/f*', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'bar/', 'bar/foo', 'foo/', 'foo/bar/', 'foo/bar/bee', 'foo2']],
    ['**/b*/f*', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'bar/', 'bar/foo']],
    ['**/b*/foo', ['a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'bar/', 'bar/foo']],
    ['**/foo/**', ['foo/', 'foo/bar/', 'foo/bar/bee']],
    ['**/baz', ['a/', 'a/b/', 'a/b/baz/', 'baz/']],
  ])('include %j', (pattern, want) => {
    expect(filterPaths(DOUBLESTAR_TREE, { include: [pattern] })).toEqual(want);
  });

  it('include "**" lists everything, in walk order whatever the input order', () => {
    expect(filterPaths(DOUBLESTAR_TREE, { include: ['**'] })).toEqual([
      'a/', 'a/b/', 'a/b/bar/', 'a/b/bar/foo', 'a/b/bar/fop', 'a/b/baz/', 'bar/', 'bar/foo', 'baz/', 'foo/', 'foo/bar/', 'foo/bar/bee', 'foo2',
    ]);
  });
});

describe('fsutil exclude walks', () => {
  it('TestWalkerExclude: an exception brings back its excluded parent', () => {
    expect(filterPaths(['bar', 'foo/', 'foo2', 'foo/bar2'], { exclude: ['foo*', '!foo/bar2'] })).toEqual(['bar', 'foo/', 'foo/bar2']);
  });

  it('TestFSWalkNested: one filter, then two stacked ones', () => {
    const tree = ['foo/', 'foo/bar'];
    expect(filterPaths(tree, { exclude: ['foo', '!foo/bar'] })).toEqual(['foo/', 'foo/bar']);
    expect(filterPaths(filterPaths(tree, { exclude: ['!foo/bar'] }), { exclude: ['foo'] })).toEqual([]);
    expect(filterPaths(filterPaths(tree, { exclude: ['foo'] }), { exclude: ['!foo/bar'] })).toEqual([]);
  });

  it('TestWalkerPermissionDenied (the walks that do not read the unreadable directory)', () => {
    const tree = ['foo/', 'foo/bar/'];
    expect(filterPaths(tree, { exclude: ['**/bar'] })).toEqual(['foo/']);
    expect(filterPaths(tree, { exclude: ['**/bar', '!foo/bar/baz'] })).toEqual(['foo/']);
    expect(filterPaths(tree, { include: ['foo', '!**/bar'] })).toEqual(['foo/']);
    // Upstream this walk enters foo/bar (and fails on its permissions): it is kept.
    expect(filterPaths(tree, { exclude: ['**/bar', '!foo/bar'] })).toEqual(['foo/', 'foo/bar/']);
  });

  it('includes, then excludes what was included', () => {
    const tree = ['a/', 'a/x.go', 'a/x_test.go', 'a/b/', 'a/b/y.go', 'c.go', 'd.txt'];
    expect(filterPaths(tree, { include: ['**/*.go', 'a/b'], exclude: ['**/*_test.go', 'a/b/**'] })).toEqual(['a/', 'a/b/', 'a/x.go', 'c.go']);
  });

  it('uses the walker form: an exception on an ancestor does not rescue a deeper exclusion', () => {
    expect(filterPaths(['a/', 'a/b', 'a/c'], { exclude: ['a/b', '!a'] })).toEqual(['a/', 'a/c']);
  });
});

describe('filterPaths input handling', () => {
  it('keeps the spelling, drops the root, and walks unlisted ancestors without listing them', () => {
    expect(filterPaths(['./a/b', '/c', '.', '', 'a/b', 'x/y/z'], { exclude: ['c'] })).toEqual(['./a/b', 'x/y/z']);
    expect(filterPaths(['a/b/c'], { include: ['a/b'] })).toEqual(['a/b/c']);
    expect(filterPaths(['z', 'a'])).toEqual(['a', 'z']);
  });

  it('an include list of blank patterns includes nothing; an empty one everything', () => {
    expect(filterPaths(['a'], { include: [' '] })).toEqual([]);
    expect(filterPaths(['a'], { include: [] })).toEqual(['a']);
  });

  it('wraps pattern errors as fsutil does', () => {
    const e = thrownBy(PatternError, () => filterPaths(['a'], { exclude: ['!'] }));
    expect([e.code, e.message.startsWith('invalid excludepatterns: ["!"]')]).toEqual(['illegal-exclusion', true]);
    expect(thrownBy(PatternError, () => new PathFilter({ include: ['['] })).code).toBe('bad-pattern');
  });
});

describe('PathFilter', () => {
  it('returns skip-dir only where nothing below can be kept', () => {
    const f = new PathFilter({ include: ['src', 'docs/api'], exclude: ['src/gen', '!src/gen/keep'] });
    expect(f.visit('build', true)).toEqual({ action: 'skip-dir' });
    expect(f.visit('docs', true)).toEqual({ action: 'skip' });
    expect(f.visit('docs/api', true)).toEqual({ action: 'keep', parents: ['docs'] });
    expect(f.visit('docs/guide', true)).toEqual({ action: 'skip-dir' });
    expect(f.visit('src', true)).toEqual({ action: 'keep', parents: [] });
    expect(f.visit('src/gen', true)).toEqual({ action: 'skip' });
    expect(f.visit('src/gen/x', false)).toEqual({ action: 'skip' });
    expect(f.visit('src/gen/keep', false)).toEqual({ action: 'keep', parents: ['src/gen'] });
    expect(f.visit('src/main.ts', false)).toEqual({ action: 'keep', parents: [] });
  });

  it('canOpen follows fsutil Open (TestFilteredOpen, …Wildcard, …Invert)', () => {
    const open = (opts: ConstructorParameters<typeof PathFilter>[0], paths: string[]) => paths.map((p) => new PathFilter(opts).canOpen(p));
    expect(open({ exclude: ['bar'] }, ['foo', 'bar'])).toEqual([true, false]);
    expect(open({ include: ['bar*'] }, ['baz', 'bar2', 'bar/foo'])).toEqual([false, true, true]);
    expect(open({ exclude: ['foo', '!foo/bar', 'foo/bar/baz', '!foo/bar/baz/x'] }, ['foo/bar/baz/x', 'foo/bar/baz/y'])).toEqual([true, false]);
  });
});

/** fsutil mkBenchTree: directories a..end nested `maxDepth` deep; the last level holds files and `target`. */
function benchTree(maxDepth: number): string[] {
  const end = maxDepth <= 3 ? 'z' : ({ 4: 'k', 5: 'e', 6: 'd' } as Record<number, string>)[maxDepth]!;
  const letters = Array.from({ length: end.charCodeAt(0) - 96 }, (_, i) => String.fromCharCode(97 + i));
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth === maxDepth) out.push(`${dir}target`);
    for (const l of letters) {
      if (depth === maxDepth) out.push(`${dir}${l}`);
      else {
        out.push(`${dir}${l}/`);
        walk(`${dir}${l}/`, depth + 1);
      }
    }
  };
  walk('', 1);
  return out;
}

describe('fsutil BenchmarkWalker counts', () => {
  it.each([
    [1, 'target', '', 1], [1, '**/target', '', 1], [2, '*/target', '', 52], [2, '**/target', '', 52],
    [3, '*/*/target', '', 1378], [3, '**/target', '', 1378], [4, '*/*/*/target', '', 2794], [4, '**/target', '', 2794],
    [5, '*/*/*/*/target', '', 1405], [5, '**/target', '', 1405], [6, '*/*/*/*/*/target', '', 2388], [6, '**/target', '', 2388],
    [6, '**', '*/*/**', 20],
  ])('depth %i include %j exclude %j: %i entries', (depth, include, exclude, count) => {
    const opts = exclude ? { include: [include], exclude: [exclude] } : { include: [include] };
    expect(filterPaths(benchTree(depth), opts)).toHaveLength(count);
  });
});

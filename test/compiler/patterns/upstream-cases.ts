// Expectations transcribed from upstream Go tests, as data. Sources:
//   moby/patternmatcher patternmatcher_test.go: TestMatches (tests, multiPatternTests),
//     matchTests (run through the package-level Matches), compileTests
//   moby/patternmatcher ignorefile/ignorefile_test.go: TestReadAll
//   golang/go path/filepath match_test.go (matchTests) and path_test.go (cleantests, dirtests)
// `true`/`false` is the expected match; 'bad-pattern' means Go returns filepath.ErrBadPattern.

/** patternmatcher TestMatches `tests`: [pattern, path, match]. The last one is Linux-only upstream. */
export const MATCHES: readonly (readonly [string, string, boolean])[] = [
  ['**', 'file', true], ['**', 'file/', true], ['**/', 'file', true], ['**/', 'file/', true],
  ['**', '/', true], ['**/', '/', true], ['**', 'dir/file', true], ['**/', 'dir/file', true],
  ['**', 'dir/file/', true], ['**/', 'dir/file/', true], ['**/**', 'dir/file', true], ['**/**', 'dir/file/', true],
  ['dir/**', 'dir/file', true], ['dir/**', 'dir/file/', true], ['dir/**', 'dir/dir2/file', true], ['dir/**', 'dir/dir2/file/', true],
  ['**/dir', 'dir', true], ['**/dir', 'dir/file', true], ['**/dir2/*', 'dir/dir2/file', true], ['**/dir2/*', 'dir/dir2/file/', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true], ['**/dir2/**', 'dir/dir2/dir3/file/', true],
  ['**file', 'file', true], ['**file', 'dir/file', true], ['**/file', 'dir/file', true], ['**file', 'dir/dir/file', true],
  ['**/file', 'dir/dir/file', true], ['**/file*', 'dir/dir/file', true], ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true], ['**/file*.txt', 'dir/dir/file.txt', true], ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true], ['**/**/*.txt2', 'dir/dir/file.txt', false], ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true], ['a**/*.txt', 'a/file.txt', true], ['a**/*.txt', 'a/dir/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true], ['a/*.txt', 'a/dir/file.txt', false], ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true], ['a[b-d]e', 'ae', false], ['a[b-d]e', 'ace', true], ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true], ['.*', '.foo', true], ['.*', 'foo', false], ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true], ['abc.def', 'abcZdef', false], ['abc?def', 'abcZdef', true], ['abc?def', 'abcdef', false],
  ['a\\\\', 'a\\', true], ['**/foo/bar', 'foo/bar', true], ['**/foo/bar', 'dir/foo/bar', true], ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false], ['abc/**', 'abc/def', true], ['abc/**', 'abc/def/ghi', true], ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false], ['a(b)c/def', 'a(b)c/def', true], ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['a\\*b', 'a*b', true],
];

/** patternmatcher TestMatches `multiPatternTests`: [patterns, path, match]. */
export const MULTI_MATCHES: readonly (readonly [readonly string[], string, boolean])[] = [
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
];

/** patternmatcher's `matchTests` (TestMatch, through the package-level matcher): [pattern, path, result]. */
export const PACKAGE_MATCHES: readonly (readonly [string, string, boolean | 'bad-pattern'])[] = [
  ['abc', 'abc', true], ['*', 'abc', true], ['*c', 'abc', true], ['a*', 'a', true], ['a*', 'abc', true],
  ['a*', 'ab/c', true], ['a*/b', 'abc/b', true], ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true], ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false], ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true], ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true], ['ab[b-d]', 'abc', true], ['ab[e-g]', 'abc', false], ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false], ['ab[^e-g]', 'abc', true], ['a\\*b', 'a*b', true], ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true], ['a[^a]b', 'a☺b', true], ['a???b', 'a☺b', false], ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true], ['*[a-ζ]', 'A', false], ['a?b', 'a/b', false], ['a*b', 'a/b', false],
  ['[\\]a]', ']', true], ['[\\-]', '-', true], ['[x\\-]', 'x', true], ['[x\\-]', '-', true], ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true], ['[\\-x]', '-', true], ['[\\-x]', 'a', false],
  ['[]a]', ']', 'bad-pattern'], ['[-]', '-', 'bad-pattern'], ['[x-]', 'x', 'bad-pattern'], ['[x-]', '-', 'bad-pattern'],
  ['[x-]', 'z', 'bad-pattern'], ['[-x]', 'x', 'bad-pattern'], ['[-x]', '-', 'bad-pattern'], ['[-x]', 'a', 'bad-pattern'],
  ['\\', 'a', 'bad-pattern'], ['[a-b-c]', 'a', 'bad-pattern'], ['[', 'a', 'bad-pattern'], ['[^', 'a', 'bad-pattern'],
  ['[^bc', 'a', 'bad-pattern'], ['a[', 'a', 'bad-pattern'], ['a[', 'ab', 'bad-pattern'], ['*x', 'xxx', true],
];

/** Go's own path/filepath matchTests (filepath.Match, Go ≥ 1.16): [pattern, name, result]. */
export const FILEPATH_MATCHES: readonly (readonly [string, string, boolean | 'bad-pattern'])[] = [
  ...PACKAGE_MATCHES.filter(([p, s]) => !(p === 'a*' && s === 'ab/c')),
  ['a*', 'ab/c', false], ['a[', 'x', 'bad-pattern'], ['a/b[', 'x', 'bad-pattern'],
];

/** patternmatcher compileTests (the `/` column): [pattern, match type, Go regexp]. */
export const COMPILES: readonly (readonly [string, string, string])[] = [
  ['*', 'regexp', '^[^/]*$'], ['file*', 'regexp', '^file[^/]*$'], ['*file', 'regexp', '^[^/]*file$'],
  ['a*/b', 'regexp', '^a[^/]*/b$'], ['**', 'suffix', ''], ['**/**', 'regexp', '^(.*/)?.*$'], ['dir/**', 'prefix', ''],
  ['**/dir', 'suffix', ''], ['**/dir2/*', 'regexp', '^(.*/)?dir2/[^/]*$'], ['**/dir2/**', 'regexp', '^(.*/)?dir2/.*$'],
  ['**file', 'suffix', ''], ['**/file*txt', 'regexp', '^(.*/)?file[^/]*txt$'],
  ['**/**/*.txt', 'regexp', '^(.*/)?(.*/)?[^/]*\\.txt$'], ['a[b-d]e', 'regexp', '^a[b-d]e$'], ['.*', 'regexp', '^\\.[^/]*$'],
  ['abc.def', 'exact', ''], ['abc?def', 'regexp', '^abc[^/]def$'], ['**/foo/bar', 'suffix', ''], ['a(b)c/def', 'exact', ''],
  ['a.|)$(}+{bc', 'exact', ''], ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'exact', ''],
];

/** ignorefile TestReadAll: the file and the patterns it gives. */
export const READ_ALL = {
  content: 'test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ',
  expected: ['test1', 'test2', 'a/file/here', 'lastfile', '!inverted/abs/path', '!', '!'],
} as const;

/** Go path/filepath cleantests: [path, Clean(path)]. */
export const CLEANS: readonly (readonly [string, string])[] = [
  ['abc', 'abc'], ['abc/def', 'abc/def'], ['a/b/c', 'a/b/c'], ['.', '.'], ['..', '..'], ['../..', '../..'],
  ['../../abc', '../../abc'], ['/abc', '/abc'], ['/', '/'], ['', '.'], ['abc/', 'abc'], ['abc/def/', 'abc/def'],
  ['a/b/c/', 'a/b/c'], ['./', '.'], ['../', '..'], ['../../', '../..'], ['/abc/', '/abc'],
  ['abc//def//ghi', 'abc/def/ghi'], ['//abc', '/abc'], ['///abc', '/abc'], ['//abc//', '/abc'], ['abc//', 'abc'],
  ['abc/./def', 'abc/def'], ['/./abc/def', '/abc/def'], ['abc/.', 'abc'],
  ['abc/def/ghi/../jkl', 'abc/def/jkl'], ['abc/def/../ghi/../jkl', 'abc/jkl'], ['abc/def/..', 'abc'],
  ['abc/def/../..', '.'], ['/abc/def/../..', '/'], ['abc/def/../../..', '..'], ['/abc/def/../../..', '/'],
  ['abc/def/../../../ghi/jkl/../../../mno', '../../mno'], ['/../abc', '/abc'], ['a/../b:/../../c', '../c'],
  ['abc/./../def', 'def'], ['abc//./../def', 'def'], ['abc/../../././../def', '../../def'],
];

/** Go path/filepath dirtests: [path, Dir(path)]. */
export const DIRS: readonly (readonly [string, string])[] = [
  ['', '.'], ['.', '.'], ['/.', '/'], ['/', '/'], ['////', '/'], ['/foo', '/'], ['x/', 'x'], ['abc', '.'],
  ['abc/def', 'abc'], ['a/b/.x', 'a/b'], ['a/b/c.', 'a/b'], ['a/b/c.x', 'a/b'],
];

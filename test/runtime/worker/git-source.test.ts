import { parseGitSource, pickCommit } from '../../../runtime/worker/git-source.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const T = 'd'.repeat(40);

describe('parseGitSource', () => {
  test('reads the remote, ref and subdirectory of the identifier and the git.* attributes', () => {
    expect(parseGitSource('git://github.com/moby/buildkit.git#v0.24.0:docs', { 'git.fullurl': 'https://github.com/moby/buildkit.git', 'git.keepgitdir': 'true' }))
      .toMatchObject({ url: 'https://github.com/moby/buildkit.git', ref: 'v0.24.0', subdir: 'docs', keepGitDir: true, checksum: '', authTokenSecret: 'GIT_AUTH_TOKEN' });
    expect(parseGitSource('git://example.com/r.git', {})).toMatchObject({ url: 'https://example.com/r.git', ref: '', subdir: '', keepGitDir: false });
    expect(parseGitSource('git://example.com/r.git#:only/dir', { 'git.checksum': 'abc', 'git.skipsubmodules': 'true' }))
      .toMatchObject({ ref: '', subdir: 'only/dir', checksum: 'abc', skipSubmodules: true });
  });
});

describe('pickCommit', () => {
  const listed = [`${A}\tHEAD`, `${A}\trefs/heads/main`, `${B}\trefs/heads/v1`, `${T}\trefs/tags/v1`, `${C}\trefs/tags/v1^{}`, `${B}\trefs/tags/light`].join('\n');
  test('prefers a branch, then a tag peeled to its commit; HEAD for no ref; a commit as is', () => {
    expect(pickCommit(listed, '')).toBe(A);
    expect(pickCommit(listed, 'main')).toBe(A);
    expect(pickCommit(listed, 'v1')).toBe(B);
    expect(pickCommit(listed, 'refs/tags/v1')).toBe(C);
    expect(pickCommit(listed, 'light')).toBe(B);
    expect(pickCommit('', C)).toBe(C);
    expect(pickCommit(listed, 'nope')).toBeUndefined();
  });
});

import { chmodSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { listContext, localWalkOptions, LocalSourceError } from '../../../../runtime/sources/local/index.js';
import type { WalkContextOptions } from '../../../../runtime/sources/local/index.js';
import { tempDir, writeTree } from './make-tree.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function paths(root: string, options: WalkContextOptions = {}): Promise<string[]> {
  return (await listContext(root, options)).map((e) => e.path);
}

describe('walkContext', () => {
  test('reports every entry depth first, siblings in byte order, the root left out', async () => {
    writeTree(tmp.dir, { 'a/b': '1', 'a-b': '2', B: '3', 'é': '4', '\u{E000}': '5', '\u{1F600}': '6', 'a/a': '7', c: { dir: true } });
    expect(await paths(tmp.dir)).toEqual(['B', 'a', 'a/a', 'a/b', 'a-b', 'c', 'é', '\u{E000}', '\u{1F600}']);
  });

  test('reports types, modes, sizes and symlink targets without following links', async () => {
    writeTree(tmp.dir, { 'f.txt': 'hello', 'd/inner': 'x', 'ln': { link: 'd' }, 'abs': { link: '/etc' } });
    chmodSync(join(tmp.dir, 'f.txt'), 0o640);
    const byPath = new Map((await listContext(tmp.dir)).map((e) => [e.path, e]));
    expect(byPath.get('f.txt')).toMatchObject({ type: 'file', mode: 0o640, size: 5 });
    expect(byPath.get('d')).toMatchObject({ type: 'dir' });
    expect(byPath.get('ln')).toMatchObject({ type: 'symlink', linkTarget: 'd' });
    expect(byPath.get('abs')).toMatchObject({ type: 'symlink', linkTarget: '/etc' });
    expect([...byPath.keys()]).not.toContain('ln/inner');
    expect(typeof byPath.get('f.txt')!.mtimeNs).toBe('bigint');
  });

  test('excludes with .dockerignore-style exceptions', async () => {
    writeTree(tmp.dir, {
      'app.log': '', 'keep.log': '', 'main.ts': '', 'node_modules/x/index.js': '',
      'docs/a.md': '', 'docs/README.md': '',
    });
    expect(await paths(tmp.dir, { exclude: ['*.log', '!keep.log', 'node_modules', 'docs', '!docs/README.md'] }))
      .toEqual(['docs', 'docs/README.md', 'keep.log', 'main.ts']);
  });

  test('includes only matching paths and the directories above them', async () => {
    writeTree(tmp.dir, { 'src/a.ts': '', 'src/b.js': '', 'src/sub/c.ts': '', 'test/t.ts': '', 'README': '' });
    expect(await paths(tmp.dir, { include: ['src/**/*.ts'] })).toEqual(['src', 'src/a.ts', 'src/sub', 'src/sub/c.ts']);
    expect(await paths(tmp.dir, { include: ['src'], exclude: ['**/*.js'] })).toEqual(['src', 'src/a.ts', 'src/sub', 'src/sub/c.ts']);
  });

  // Root reads any directory, so only another user can see that an excluded one is never opened.
  (process.getuid?.() === 0 ? test.skip : test)('does not read a directory no pattern can reach into', async () => {
    writeTree(tmp.dir, { 'secret/x': '', 'ok': '' });
    chmodSync(join(tmp.dir, 'secret'), 0o000);
    try {
      expect(await paths(tmp.dir, { exclude: ['secret'] })).toEqual(['ok']);
      expect(await paths(tmp.dir, { include: ['ok'] })).toEqual(['ok']);
    } finally {
      chmodSync(join(tmp.dir, 'secret'), 0o755);
    }
  });

  test('reports a hardlink to the first name of its inode', async () => {
    writeTree(tmp.dir, { a: 'same' });
    linkSync(join(tmp.dir, 'a'), join(tmp.dir, 'b'));
    const es = await listContext(tmp.dir);
    expect(es.map((e) => [e.path, e.type, e.linkTarget])).toEqual([['a', 'file', undefined], ['b', 'hardlink', 'a']]);
    // Excluding the first name makes the second an ordinary file.
    expect((await listContext(tmp.dir, { exclude: ['a'] })).map((e) => e.type)).toEqual(['file']);
  });

  test('a context that is not a directory fails with local/not-a-directory', async () => {
    writeTree(tmp.dir, { f: '' });
    await expect(listContext(join(tmp.dir, 'f'))).rejects.toMatchObject({ code: 'local/not-a-directory' });
    await expect(listContext(join(tmp.dir, 'missing'))).rejects.toBeInstanceOf(LocalSourceError);
  });
});

describe('followpaths', () => {
  test('sends only the listed paths and their parents', async () => {
    writeTree(tmp.dir, { 'Dockerfile': '', 'src/a.txt': '', 'src/b.txt': '', 'other/x': '' });
    expect(await paths(tmp.dir, { followPaths: ['src/a.txt', 'Dockerfile'] })).toEqual(['Dockerfile', 'src', 'src/a.txt']);
  });

  test('follows a listed symlink (and symlinked directories on the way) inside the context', async () => {
    writeTree(tmp.dir, {
      'releases/v1/app.js': '', 'releases/v2/app.js': '', 'releases/v2/lib.js': '',
      'cur': { link: 'releases/v2' }, 'top': { link: '/releases/v1/app.js' }, 'other': '',
    });
    expect(await paths(tmp.dir, { followPaths: ['cur/app.js', 'top'] }))
      .toEqual(['cur', 'releases', 'releases/v1', 'releases/v1/app.js', 'releases/v2', 'releases/v2/app.js', 'top']);
  });

  test('a link pointing outside is resolved inside the context, never read outside', async () => {
    const ctx = join(tmp.dir, 'ctx');
    writeTree(tmp.dir, { 'outside/secret.txt': 'secret', 'ctx/esc': { link: '../outside/secret.txt' }, 'ctx/esc2': { link: '../../../..' + join(tmp.dir, 'outside') }, 'ctx/f': '' });
    // Nothing named outside/… in the context: only the links themselves are sent.
    expect(await paths(ctx, { followPaths: ['esc', 'esc2/secret.txt'] })).toEqual(['esc', 'esc2']);
    // The same names inside the context are what the links mean there.
    writeTree(ctx, { 'outside/secret.txt': 'inside' });
    expect(await paths(ctx, { followPaths: ['esc'] })).toEqual(['esc', 'outside', 'outside/secret.txt']);
  });

  test('symlink cycles end', async () => {
    writeTree(tmp.dir, { a: { link: 'b' }, b: { link: 'a' }, c: { link: 'c/x' }, d: '' });
    expect(await paths(tmp.dir, { followPaths: ['a', 'c/y'] })).toEqual(['a', 'b', 'c']);
  });

  test('wildcards in followpaths match names, following the links among them', async () => {
    writeTree(tmp.dir, { 'dist/a.js': '', 'dist/b.css': '', 'dist/l.js': { link: '../lib/real.js' }, 'lib/real.js': '', 'lib/other.js': '' });
    expect(await paths(tmp.dir, { followPaths: ['dist/*.js'] })).toEqual(['dist', 'dist/a.js', 'dist/l.js', 'lib', 'lib/real.js']);
  });

  test('is added to include patterns, as fsutil does', async () => {
    writeTree(tmp.dir, { 'a/x': '', 'b/y': '', 'c': '' });
    expect(await paths(tmp.dir, { include: ['a'], followPaths: ['c'] })).toEqual(['a', 'a/x', 'c']);
  });
});

describe('localWalkOptions', () => {
  test('reads the JSON arrays of a local:// SourceOp', () => {
    expect(localWalkOptions({
      'local.includepattern': '["src"]', 'local.excludepatterns': '["*.log","!keep.log"]', 'local.followpaths': '["Dockerfile"]', 'local.unique': 'x',
    })).toEqual({ include: ['src'], exclude: ['*.log', '!keep.log'], followPaths: ['Dockerfile'] });
    expect(localWalkOptions({ 'local.excludepatterns': 'null' })).toEqual({});
  });

  test('rejects a value that is not a JSON array of strings', () => {
    expect(() => localWalkOptions({ 'local.excludepatterns': '*.log' })).toThrow(expect.objectContaining({ code: 'local/bad-attr' }));
    expect(() => localWalkOptions({ 'local.followpaths': '[1]' })).toThrow(expect.objectContaining({ code: 'local/bad-attr' }));
  });
});

import { link, lstat, mkdir, readdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFileAction } from '../../../../runtime/ops/file/index.js';
import { copyOf, perm, tempDirs } from './helpers.js';

const temp = tempDirs();

async function fixture(): Promise<{ src: string; dst: string }> {
  const src = await temp();
  const dst = await temp();
  await mkdir(join(src, 'dir/sub'), { recursive: true });
  await writeFile(join(src, 'dir/a.txt'), 'a');
  await writeFile(join(src, 'dir/sub/b.md'), 'b');
  await writeFile(join(src, 'file.txt'), 'f', { mode: 0o600 });
  await utimes(join(src, 'file.txt'), 1_000_000_000, 1_000_000_000);
  return { src, dst };
}

const tree = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).map(String).sort();

describe('copy destinations (BuildKit semantics)', () => {
  test('a file to a path that does not exist is renamed; times and mode kept', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/file.txt', '/out/new.txt'), { source: src, target: dst });
    const st = await stat(join(dst, 'out/new.txt'));
    expect(perm(st.mode)).toBe(0o600);
    expect(st.mtimeMs).toBe(1_000_000_000_000);
    expect(perm((await stat(join(dst, 'out'))).mode)).toBe(0o755);
  });

  test('a file to a dest ending in / goes inside', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/file.txt', '/out/'), { source: src, target: dst });
    expect(await readFile(join(dst, 'out/file.txt'), 'utf8')).toBe('f');
  });

  test('a file onto an existing directory goes inside', async () => {
    const { src, dst } = await fixture();
    await mkdir(join(dst, 'out'));
    await applyFileAction(copyOf('/file.txt', '/out'), { source: src, target: dst });
    expect(await readFile(join(dst, 'out/file.txt'), 'utf8')).toBe('f');
  });

  test('dirCopyContents copies what is in the directory', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/dir', '/app'), { source: src, target: dst });
    expect(await tree(join(dst, 'app'))).toEqual(['a.txt', 'sub', 'sub/b.md']);
  });

  test('without dirCopyContents a directory goes inside an existing one', async () => {
    const { src, dst } = await fixture();
    await mkdir(join(dst, 'app'));
    await applyFileAction(copyOf('/dir', '/app', { dirCopyContents: false }), { source: src, target: dst });
    expect(await tree(join(dst, 'app'))).toEqual(['dir', 'dir/a.txt', 'dir/sub', 'dir/sub/b.md']);
  });

  test('createDestPath=false needs the parent', async () => {
    const { src, dst } = await fixture();
    await expect(applyFileAction(copyOf('/file.txt', '/no/such/x', { createDestPath: false }), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/not-found' });
  });

  test('a missing source is not-found, a wildcard without matches no-match unless allowed', async () => {
    const { src, dst } = await fixture();
    await expect(applyFileAction(copyOf('/nope', '/x'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/not-found', path: '/nope' });
    await expect(applyFileAction(copyOf('/*.nope', '/x', { allowEmptyWildcard: false }), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/no-match' });
    await applyFileAction(copyOf('/*.nope', '/x'), { source: src, target: dst });
    expect(await readdir(dst)).toEqual([]);
  });

  test('wildcards match per component like filepath.Match', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/d?r/*.txt', '/o/'), { source: src, target: dst });
    expect(await tree(join(dst, 'o'))).toEqual(['a.txt']);
  });
});

describe('copy options', () => {
  test('mode applies to files, copied dirs and created parents', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/dir', '/p/q/', { mode: 0o750 }), { source: src, target: dst });
    for (const p of ['p', 'p/q', 'p/q/sub', 'p/q/a.txt']) expect(perm((await stat(join(dst, p))).mode)).toBe(0o750);
  });

  test('modeStr is a symbolic chmod, X only for directories and executables', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/dir', '/o/', { modeStr: 'go-rwx,u+X' }), { source: src, target: dst });
    expect(perm((await stat(join(dst, 'o/a.txt'))).mode)).toBe(0o644 & 0o700);
    expect(perm((await stat(join(dst, 'o/sub'))).mode)).toBe(0o700);
  });

  test('a bad modeStr is bad-mode', async () => {
    const { src, dst } = await fixture();
    await expect(applyFileAction(copyOf('/file.txt', '/o', { modeStr: 'u+q' }), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/bad-mode' });
  });

  test('timestamp overrides every time, including created parents', async () => {
    const { src, dst } = await fixture();
    await applyFileAction(copyOf('/dir', '/t/u/', { timestamp: 86_400_000_000_000 }), { source: src, target: dst });
    for (const p of ['t', 't/u', 't/u/sub', 't/u/sub/b.md']) expect((await lstat(join(dst, p))).mtimeMs).toBe(86_400_000);
  });

  test('include and exclude patterns, parents created only as needed', async () => {
    const { src, dst } = await fixture();
    await mkdir(join(src, 'dir/empty'));
    await applyFileAction(copyOf('/dir', '/i/', { include_patterns: ['**/*.md'] }), { source: src, target: dst });
    expect(await tree(join(dst, 'i'))).toEqual(['sub', 'sub/b.md']);
    await applyFileAction(copyOf('/dir', '/e/', { exclude_patterns: ['sub', '!sub/b.md'] }), { source: src, target: dst });
    expect(await tree(join(dst, 'e'))).toEqual(['a.txt', 'empty', 'sub', 'sub/b.md']);
  });

  test('hard links inside the copy stay hard links; symlinks are copied as links', async () => {
    const { src, dst } = await fixture();
    await link(join(src, 'dir/a.txt'), join(src, 'dir/hard'));
    await symlink('a.txt', join(src, 'dir/soft'));
    await applyFileAction(copyOf('/dir', '/h/'), { source: src, target: dst });
    const [a, h] = await Promise.all([stat(join(dst, 'h/a.txt')), stat(join(dst, 'h/hard'))]);
    expect(h.ino).toBe(a.ino);
    expect(await readlink(join(dst, 'h/soft'))).toBe('a.txt');
  });

  test('followSymlink decides whether a symlink source is copied as the link or its target', async () => {
    const { src, dst } = await fixture();
    await symlink('file.txt', join(src, 'ln'));
    await applyFileAction(copyOf('/ln', '/as-link', { followSymlink: false }), { source: src, target: dst });
    expect(await readlink(join(dst, 'as-link'))).toBe('file.txt');
    await applyFileAction(copyOf('/ln', '/as-file'), { source: src, target: dst });
    expect(await readFile(join(dst, 'as-file'), 'utf8')).toBe('f');
  });

  test('a file over a directory fails unless alwaysReplaceExistingDestPaths', async () => {
    const { src, dst } = await fixture();
    await mkdir(join(dst, 'app/a.txt'), { recursive: true });
    await expect(applyFileAction(copyOf('/dir', '/app'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/is-dir', path: '/app/a.txt' });
    await applyFileAction(copyOf('/dir', '/app', { alwaysReplaceExistingDestPaths: true }), { source: src, target: dst });
    expect(await readFile(join(dst, 'app/a.txt'), 'utf8')).toBe('a');
  });

  test('an existing destination file is replaced', async () => {
    const { src, dst } = await fixture();
    await writeFile(join(dst, 'x'), 'old');
    await applyFileAction(copyOf('/file.txt', '/x'), { source: src, target: dst });
    expect(await readFile(join(dst, 'x'), 'utf8')).toBe('f');
  });

  test('mode absent on the wire is 0 (chmod 0000), as in BuildKit', async () => {
    const { src, dst } = await fixture();
    await applyFileAction({ copy: { src: '/file.txt', dest: '/z', createDestPath: true, timestamp: -1 } }, { source: src, target: dst });
    expect(perm((await stat(join(dst, 'z'))).mode)).toBe(0);
  });
});

import { lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFileAction, FileOpError } from '../../../../runtime/ops/file/index.js';
import { perm, tempDirs } from './helpers.js';

const temp = tempDirs();
const T = 1_700_000_000_123_456_789n; // ns; the µs part survives Node's double seconds

describe('mkdir', () => {
  test('creates with the exact mode, ignoring the process umask', async () => {
    const root = await temp();
    await applyFileAction({ mkdir: { path: '/a', mode: 0o777, timestamp: -1 } }, { target: root });
    expect(perm((await stat(join(root, 'a'))).mode)).toBe(0o777);
  });

  test('makeParents creates every level with mode; the timestamp stays on the last one', async () => {
    const root = await temp();
    await applyFileAction({ mkdir: { path: 'x/y/z', mode: 0o700, makeParents: true, timestamp: T } }, { target: root });
    for (const p of ['x', 'x/y', 'x/y/z']) expect(perm((await stat(join(root, p))).mode)).toBe(0o700);
    // BuildKit's MkdirAll times each new directory before making the next one inside it,
    // and the mkdir action (unlike copy) does not put the parents' times back.
    expect((await stat(join(root, 'x/y/z'))).mtimeMs).toBeCloseTo(1_700_000_000_123.456, 2);
  });

  test('without makeParents a missing parent fails, an existing path is fine', async () => {
    const root = await temp();
    await expect(applyFileAction({ mkdir: { path: '/a/b', mode: 0o755, timestamp: -1 } }, { target: root })).rejects.toMatchObject({ code: 'file/not-found', path: '/a/b' });
    await writeFile(join(root, 'f'), '');
    await expect(applyFileAction({ mkdir: { path: '/f', mode: 0o755, timestamp: -1 } }, { target: root })).resolves.toBeUndefined();
  });

  test('a missing timestamp field is the epoch, as proto3 zero is in BuildKit', async () => {
    const root = await temp();
    await applyFileAction({ mkdir: { path: '/e', mode: 0o755 } }, { target: root });
    expect((await stat(join(root, 'e'))).mtimeMs).toBe(0);
  });
});

describe('mkfile', () => {
  test('writes data with mode and timestamp', async () => {
    const root = await temp();
    await applyFileAction({ mkfile: { path: '/f.txt', mode: 0o640, data: Buffer.from('hi'), timestamp: T } }, { target: root });
    const st = await stat(join(root, 'f.txt'));
    expect(perm(st.mode)).toBe(0o640);
    expect(await readFile(join(root, 'f.txt'), 'utf8')).toBe('hi');
    expect(Math.floor(st.mtimeMs / 1000)).toBe(1_700_000_000);
  });

  test('an existing file is truncated and keeps its mode (os.WriteFile)', async () => {
    const root = await temp();
    await writeFile(join(root, 'f'), 'long old content', { mode: 0o600 });
    await applyFileAction({ mkfile: { path: '/f', mode: 0o777, data: Buffer.from('new'), timestamp: -1 } }, { target: root });
    expect(await readFile(join(root, 'f'), 'utf8')).toBe('new');
    expect(perm((await stat(join(root, 'f'))).mode)).toBe(0o600);
  });

  test('onto a directory is is-dir', async () => {
    const root = await temp();
    await mkdir(join(root, 'd'));
    await expect(applyFileAction({ mkfile: { path: '/d', mode: 0o644, timestamp: -1 } }, { target: root })).rejects.toMatchObject({ code: 'file/is-dir' });
  });
});

describe('symlink', () => {
  test('stores oldpath verbatim, sets the link time', async () => {
    const root = await temp();
    await applyFileAction({ symlink: { oldpath: '/etc/passwd', newpath: '/link', timestamp: T } }, { target: root });
    expect(await readlink(join(root, 'link'))).toBe('/etc/passwd');
    expect(Math.floor((await lstat(join(root, 'link'))).mtimeMs / 1000)).toBe(1_700_000_000);
  });

  test('an existing newpath is exists', async () => {
    const root = await temp();
    await writeFile(join(root, 'x'), '');
    await expect(applyFileAction({ symlink: { oldpath: 'y', newpath: '/x', timestamp: -1 } }, { target: root })).rejects.toBeInstanceOf(FileOpError);
  });
});

describe('rm', () => {
  test('removes a tree; a missing path fails unless allowNotFound', async () => {
    const root = await temp();
    await mkdir(join(root, 'd/e'), { recursive: true });
    await applyFileAction({ rm: { path: '/d' } }, { target: root });
    await expect(lstat(join(root, 'd'))).rejects.toThrow();
    await expect(applyFileAction({ rm: { path: '/d' } }, { target: root })).rejects.toMatchObject({ code: 'file/not-found', path: '/d' });
    await applyFileAction({ rm: { path: '/d', allowNotFound: true } }, { target: root });
  });

  test('removes a symlink, not what it points to', async () => {
    const root = await temp();
    await mkdir(join(root, 'keep'));
    await writeFile(join(root, 'keep/f'), 'x');
    await symlink('/keep', join(root, 'l'));
    await applyFileAction({ rm: { path: '/l' } }, { target: root });
    expect(await readFile(join(root, 'keep/f'), 'utf8')).toBe('x');
  });

  test('allowWildcard removes every match', async () => {
    const root = await temp();
    await mkdir(join(root, 'tmp'));
    for (const f of ['a.log', 'b.log', 'c.txt']) await writeFile(join(root, 'tmp', f), '');
    await applyFileAction({ rm: { path: '/tmp/*.log', allowWildcard: true } }, { target: root });
    await expect(lstat(join(root, 'tmp/a.log'))).rejects.toThrow();
    await expect(lstat(join(root, 'tmp/b.log'))).rejects.toThrow();
    await lstat(join(root, 'tmp/c.txt'));
  });

  test('refuses the root itself', async () => {
    const root = await temp();
    await expect(applyFileAction({ rm: { path: '/', allowNotFound: true } }, { target: root })).rejects.toMatchObject({ code: 'file/bad-path' });
  });
});

test('an empty action is bad-action', async () => {
  await expect(applyFileAction({}, { target: '/nonexistent' })).rejects.toMatchObject({ code: 'file/bad-action' });
});

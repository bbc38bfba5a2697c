import { chown, lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFileAction } from '../../../../runtime/ops/file/index.js';

// Owners need root: chown to other ids, and keeping a source's foreign owner.
const suite = process.getuid?.() === 0 ? describe : describe.skip;

suite('FileOp owners (root)', () => {
  let dirs: string[] = [];
  const temp = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'kiln-fileop-root-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    dirs = [];
  });

  test('mkdir/mkfile/symlink take the owner, by id and by name from /etc/passwd', async () => {
    const root = await temp();
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/passwd'), 'app:x:1234:2345::/:/bin/sh\n');
    await applyFileAction({ mkdir: { path: '/d', mode: 0o755, owner: { user: { byName: { name: 'app' } } }, timestamp: -1 } }, { target: root });
    await applyFileAction({ mkfile: { path: '/f', mode: 0o644, owner: { user: { byID: 7 }, group: { byID: 8 } }, timestamp: -1 } }, { target: root });
    await applyFileAction({ symlink: { oldpath: 'f', newpath: '/l', owner: { user: { byID: 9 } }, timestamp: -1 } }, { target: root });
    expect(await lstat(join(root, 'd'))).toMatchObject({ uid: 1234, gid: 2345 });
    expect(await lstat(join(root, 'f'))).toMatchObject({ uid: 7, gid: 8 });
    expect(await lstat(join(root, 'l'))).toMatchObject({ uid: 9, gid: 9 });
  });

  test('copy keeps source owners by default (links included), or applies --chown to all and to created parents', async () => {
    const src = await temp();
    const dst = await temp();
    await mkdir(join(src, 'dir'));
    await writeFile(join(src, 'dir/f'), 'x');
    await symlink('f', join(src, 'dir/l'));
    await chown(join(src, 'dir/f'), 4000, 4001);
    await chown(join(src, 'dir'), 4002, 4003);
    await applyFileAction({ copy: { src: '/dir', dest: '/keep', mode: -1, createDestPath: true, timestamp: -1 } }, { source: src, target: dst });
    expect(await lstat(join(dst, 'keep/f'))).toMatchObject({ uid: 4000, gid: 4001 });
    expect(await lstat(join(dst, 'keep'))).toMatchObject({ uid: 4002, gid: 4003 });
    await applyFileAction({ copy: { src: '/dir', dest: '/a/b/', mode: -1, createDestPath: true, dirCopyContents: true, timestamp: -1, owner: { user: { byID: 1000 }, group: { byID: 1000 } } } }, { source: src, target: dst });
    for (const p of ['a', 'a/b', 'a/b/f', 'a/b/l']) expect(await lstat(join(dst, p))).toMatchObject({ uid: 1000, gid: 1000 });
  });
});

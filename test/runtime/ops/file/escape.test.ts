import { lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFileAction, resolveInRoot } from '../../../../runtime/ops/file/index.js';
import { copyOf, tempDirs } from './helpers.js';

// Each case has an "outside" directory next to the roots holding a secret; nothing may read
// it into the target, and nothing may be written there.
const temp = tempDirs();

async function setup(): Promise<{ src: string; dst: string; outside: string }> {
  const [src, dst, outside] = [await temp(), await temp(), await temp()];
  await writeFile(join(outside, 'secret'), 'SECRET');
  return { src, dst, outside };
}

describe('resolveInRoot', () => {
  test('.. and absolute paths stay at the root', async () => {
    const root = await temp();
    expect(await resolveInRoot(root, '../../etc/passwd', { followFinal: true })).toBe(`${root}/etc/passwd`);
    expect(await resolveInRoot(root, '/', { followFinal: true })).toBe(root);
  });

  test('absolute and relative symlinks, and chains, resolve inside the root', async () => {
    const root = await temp();
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await symlink('/usr/lib', join(root, 'lib'));
    await symlink('../../../../lib', join(root, 'usr/up'));
    await symlink('up', join(root, 'usr/chain'));
    expect(await resolveInRoot(root, '/lib/x', { followFinal: true })).toBe(`${root}/usr/lib/x`);
    expect(await resolveInRoot(root, '/usr/chain/y', { followFinal: true })).toBe(`${root}/usr/lib/y`);
    expect(await resolveInRoot(root, '/lib', { followFinal: false })).toBe(`${root}/lib`);
  });

  test('a symlink loop is too-many-links', async () => {
    const root = await temp();
    await symlink('b', join(root, 'a'));
    await symlink('a', join(root, 'b'));
    await expect(resolveInRoot(root, '/a', { followFinal: true })).rejects.toMatchObject({ code: 'file/too-many-links' });
  });
});

describe('escape attempts stay inside', () => {
  test('COPY ../../<outside>/secret reads the source root, not the host', async () => {
    const { src, dst, outside } = await setup();
    const rel = `../../../../../../..${outside}/secret`;
    await expect(applyFileAction(copyOf(rel, '/got'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/not-found' });
    await mkdir(join(src, outside), { recursive: true });
    await writeFile(join(src, outside, 'secret'), 'inside');
    await applyFileAction(copyOf(rel, '/got'), { source: src, target: dst });
    expect(await readFile(join(dst, 'got'), 'utf8')).toBe('inside');
  });

  test('an absolute symlink to the outside in the source is copied as a link or followed inside', async () => {
    const { src, dst, outside } = await setup();
    await symlink(outside, join(src, 'etc'));
    await applyFileAction(copyOf('/etc', '/as-link', { followSymlink: false }), { source: src, target: dst });
    expect(await readlink(join(dst, 'as-link'))).toBe(outside);
    // Followed, /etc means <src>/<outside>, which does not exist.
    await expect(applyFileAction(copyOf('/etc/secret', '/got'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/not-found' });
    await expect(applyFileAction(copyOf('/etc', '/dir'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/not-found' });
  });

  test('a relative symlink chain climbing out of the source stops at its root', async () => {
    const { src, dst, outside } = await setup();
    await mkdir(join(src, 'a/b'), { recursive: true });
    await symlink('../../../../../../../../..', join(src, 'a/b/up'));
    await symlink('b/up', join(src, 'a/hop'));
    await expect(applyFileAction(copyOf(`/a/hop${outside}/secret`, '/got'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/not-found' });
    await expect(applyFileAction(copyOf('/a/hop/*', '/w/'), { source: src, target: dst })).resolves.toBeUndefined();
    // `*` matched the root's own `a` (copied by contents), not anything of the host's.
    expect((await lstat(join(dst, 'w/b'))).isDirectory()).toBe(true);
  });

  test('a destination symlink pointing outside is followed inside the target root', async () => {
    const { src, dst, outside } = await setup();
    await writeFile(join(src, 'payload'), 'PWN');
    await symlink(outside, join(dst, 'out'));
    await applyFileAction(copyOf('/payload', '/out/secret'), { source: src, target: dst });
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('SECRET');
    expect(await readFile(join(dst, outside, 'secret'), 'utf8')).toBe('PWN');
  });

  test('mkfile, mkdir and symlink through an escaping symlink stay inside', async () => {
    const { dst, outside } = await setup();
    await symlink(`../../../../../../../..${outside}`, join(dst, 'rel'));
    await applyFileAction({ mkfile: { path: '/rel/secret', mode: 0o644, data: Buffer.from('x'), timestamp: -1 } }, { target: dst }).catch(() => undefined);
    await applyFileAction({ mkdir: { path: '/rel/newdir', mode: 0o755, makeParents: true, timestamp: -1 } }, { target: dst });
    await applyFileAction({ symlink: { oldpath: '/x', newpath: '/rel/ln', timestamp: -1 } }, { target: dst }).catch(() => undefined);
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('SECRET');
    await expect(lstat(join(outside, 'newdir'))).rejects.toThrow();
    await expect(lstat(join(outside, 'ln'))).rejects.toThrow();
    expect((await lstat(join(dst, outside, 'newdir'))).isDirectory()).toBe(true);
  });

  test('a copy onto an existing symlink inside a copied tree replaces the link', async () => {
    const { src, dst, outside } = await setup();
    await mkdir(join(src, 'app'));
    await writeFile(join(src, 'app/secret'), 'PWN');
    await mkdir(join(dst, 'app'));
    await symlink(join(outside, 'secret'), join(dst, 'app/secret'));
    await applyFileAction(copyOf('/app', '/app'), { source: src, target: dst });
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('SECRET');
    expect(await readFile(join(dst, 'app/secret'), 'utf8')).toBe('PWN');
  });

  test('rm through a symlink to the outside removes nothing there', async () => {
    const { dst, outside } = await setup();
    await symlink(outside, join(dst, 'o'));
    await applyFileAction({ rm: { path: '/o/secret', allowNotFound: true } }, { target: dst });
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('SECRET');
  });
});

import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lookupFrom, resolveOwner } from '../../../../runtime/ops/file/index.js';
import { tempDirs } from './helpers.js';

const temp = tempDirs();

async function rootWithUsers(): Promise<string> {
  const root = await temp();
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n  app:x:1001:1002::/home/app:/bin/sh  \nbad:x:zz:7\n');
  await writeFile(join(root, 'etc/group'), '# comment\nstaff:x:50:\napp:x:1002:\n');
  return root;
}

describe('lookupFrom / resolveOwner (BuildKit readUser)', () => {
  test('names resolve from the root; a user gives its primary group', async () => {
    const users = lookupFrom(await rootWithUsers());
    expect(await resolveOwner({ user: { byName: { name: 'app' } } }, users)).toEqual({ uid: 1001, gid: 1002 });
    expect(await resolveOwner({ user: { byName: { name: 'app' } }, group: { byName: { name: 'staff' } } }, users)).toEqual({ uid: 1001, gid: 50 });
    expect(await resolveOwner({ user: { byID: 7 } }, users)).toEqual({ uid: 7, gid: 7 });
    expect(await resolveOwner({ user: { byID: 7 }, group: { byID: 8 } }, users)).toEqual({ uid: 7, gid: 8 });
    expect(await resolveOwner({ user: { byName: { name: 'bad' } } }, users)).toEqual({ uid: 0, gid: 7 });
  });

  test('unknown names and missing files leave 0, as BuildKit does; no ChownOpt is no owner', async () => {
    const users = lookupFrom(await temp());
    expect(await resolveOwner({ user: { byName: { name: 'nobody' } }, group: { byName: { name: 'x' } } }, users)).toEqual({ uid: 0, gid: 0 });
    expect(await resolveOwner(undefined, users)).toBeUndefined();
    expect(await resolveOwner({}, users)).toEqual({ uid: 0, gid: 0 });
  });

  test('a symlinked /etc pointing at the host is read inside the root', async () => {
    const root = await temp();
    const fake = await rootWithUsers();
    await symlink('/', join(root, 'etc-link'));
    await symlink(`${fake}/etc`, join(root, 'etc'));
    // <root>/etc -> <fake>/etc is resolved as <root><fake>/etc, which does not exist.
    expect(await lookupFrom(root).user('app', 0)).toBeUndefined();
  });

  test('a FIFO as /etc/passwd is not read (and does not block)', async () => {
    const root = await temp();
    await mkdir(join(root, 'etc'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(root, 'etc/passwd')]);
    expect(await lookupFrom(root).user('root', 0)).toBeUndefined();
  });
});

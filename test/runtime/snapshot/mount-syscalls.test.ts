import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MountSyscalls } from '../../../runtime/snapshot/mount-syscalls.js';

// The Perl helper that makes mount(2)/umount2(2) calls (real calls: unmounting a directory that
// is no mount point fails, with EINVAL as root and EPERM otherwise).
describe('MountSyscalls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-mount-syscalls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const expected = process.getuid?.() === 0 ? { errno: 22, message: 'Invalid argument' } : { errno: 1, message: 'Operation not permitted' };

  it('answers each call with its errno and message, in order, for any bytes in a path', async () => {
    const helper = new MountSyscalls();
    // Each exists: a path mangled on the way would fail with ENOENT instead.
    const names = ['plain', 'with space', "quote'd", 'new\nline', 'ünïcode', ''];
    for (const n of names) mkdirSync(join(dir, n), { recursive: true });
    const answers = await Promise.all(names.map((n) => helper.umount(join(dir, n))));
    expect(answers).toEqual(names.map(() => expected));
  });

  it('reports a failed mount, and a mount from a directory that is gone', async () => {
    const helper = new MountSyscalls();
    const r = await helper.mount(dir, 'overlay', join(dir, 'nowhere'), 'overlay', 0, 'lowerdir=a');
    expect(r?.errno).toBeGreaterThan(0);
    const gone = await helper.mount(join(dir, 'missing'), 'overlay', dir, 'overlay', 0, 'lowerdir=a');
    expect(gone).toEqual({ errno: 2, message: 'No such file or directory' });
  });

  it('syncs the file system of a path, and says when the path is missing', async () => {
    const helper = new MountSyscalls();
    expect(await helper.syncfs(dir)).toEqual({ errno: 0, message: '' });
    expect(await helper.syncfs(join(dir, 'missing'))).toEqual({ errno: 2, message: 'No such file or directory' });
  });

  it('does not keep the process alive while idle', async () => {
    const helper = new MountSyscalls();
    await helper.umount(dir);
    // An idle helper is unreferenced: only the handles jest itself holds remain.
    const handles = (process as unknown as { _getActiveHandles(): { constructor: { name: string }; hasRef?: () => boolean }[] })._getActiveHandles();
    expect(handles.filter((h) => h.constructor.name === 'ChildProcess' && h.hasRef?.() !== false)).toEqual([]);
  });

  it('starts when warmed, before any call', async () => {
    // This process's perl children, from /proc (an idle helper is unreferenced, so Node's handle list leaves it out).
    const helpers = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      } catch {
        return false; // gone meanwhile
      }
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      return m && m[1] === 'perl' && Number(m[2]) === process.pid;
    }).length;
    const before = helpers();
    const helper = new MountSyscalls();
    helper.warm();
    helper.warm();
    expect(helpers()).toBe(before + 1);
    expect(await helper.umount(dir)).toEqual(expected);
    expect(helpers()).toBe(before + 1);
  });
});

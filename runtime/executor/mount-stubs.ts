import { lstat, readdir, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import { rootPath } from './root-path.js';

/**
 * Records which mount points of a container do not exist in its rootfs yet,
 * and returns a function that removes what runc created for them afterwards:
 * BuildKit's `MountStubsCleaner` with `RemoveMountStubsRecursive`. Without it
 * every RUN would leave an empty /etc/hosts, /etc/resolv.conf and mount-point
 * directories in the layer it commits. A stub is removed only while it is
 * still empty (a process may have written to it), and its parent's timestamps
 * are restored so the layer stays reproducible (moby/buildkit#3148).
 */
export async function mountStubsCleaner(rootfs: string, dests: readonly string[]): Promise<() => Promise<void>> {
  const stubs: string[] = [];
  for (const dest of ['/etc/resolv.conf', '/etc/hosts', ...dests]) {
    const p = posix.join('/', dest);
    if (p === '/') continue;
    let real: string;
    try {
      real = await rootPath(rootfs, p);
    } catch {
      continue;
    }
    for (;;) {
      if (await exists(real)) break;
      stubs.push(real);
      const parent = posix.dirname(real);
      if (parent === real || parent === rootfs) break;
      real = parent;
    }
  }
  return async () => {
    for (const stub of stubs) await removeStub(rootfs, stub);
  };
}

async function removeStub(rootfs: string, stub: string): Promise<void> {
  try {
    const p = await rootPath(rootfs, stub.slice(rootfs.length));
    const st = await lstat(p);
    if (st.isDirectory() ? (await readdir(p)).length !== 0 : st.size !== 0) return;
    const parent = posix.dirname(p);
    // a parent that became a symlink meanwhile is left alone, as BuildKit does
    if ((await rootPath(rootfs, parent.slice(rootfs.length))) !== parent) return;
    const pst = await stat(parent);
    await (st.isDirectory() ? rmdir(p) : unlink(p));
    await utimes(parent, pst.atime, pst.mtime);
  } catch {
    // best effort: a stub that cannot be removed stays, as in BuildKit (which logs it)
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

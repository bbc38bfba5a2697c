import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { KilnError } from '../../compiler/index.js';

const MAX_SYMLINKS = 255;

/**
 * The host path of `path` inside `root`, following symlinks as if `root` were
 * `/` (continuity's `fs.RootPath`): an absolute link restarts at `root`, `..`
 * never climbs above it, and components that do not exist are kept as they are.
 * Keeps a container's `/etc/passwd → /host/etc/passwd` from escaping its rootfs.
 */
export async function rootPath(root: string, path: string): Promise<string> {
  const pending = posix.join('/', path).split('/').filter((c) => c !== '');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '.') continue;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const host = posix.join(root, ...resolved, name);
    let isLink = false;
    try {
      isLink = (await lstat(host)).isSymbolicLink();
    } catch {
      // missing (or not a directory): the rest is taken literally
    }
    if (!isLink) {
      resolved.push(name);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new KilnError('executor/symlink-loop', `too many links resolving ${path} in ${root}`);
    const target = await readlink(host);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== ''));
  }
  return posix.join(root, ...resolved);
}

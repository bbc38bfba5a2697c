import { lstat, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { KilnError } from '../../compiler/index.js';

/** An archive entry (or hard link target) that would land outside the directory being unpacked. */
export class PathEscapeError extends KilnError {
  /** The offending entry name or link target, as written in the archive. */
  readonly entry: string;

  constructor(entry: string, why: string) {
    super('snapshot/path-escape', `refusing layer entry ${JSON.stringify(entry)}: ${why}`);
    this.entry = entry;
  }
}

/**
 * Cleans a tar entry name to a relative path (`''` for the root): a leading
 * `./` is dropped and `a/../b` is `b`, as Docker and containerd clean them;
 * absolute names and names that climb out (`../x`) are refused.
 */
export function cleanEntryName(name: string): string {
  if (name.includes('\0')) throw new PathEscapeError(name, 'NUL in name');
  if (name.startsWith('/')) throw new PathEscapeError(name, 'absolute path');
  const clean = posix.normalize(name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) throw new PathEscapeError(name, 'climbs out of the layer root');
  return clean === '.' ? '' : clean;
}

const MAX_LINKS = 255;

/**
 * The real location of directory `rel` (cleaned) under `root`, following the
 * symlinks in it the way a chroot into `root` would (containerd's RootPath):
 * an absolute target starts again at `root` (`lib -> /usr/lib` is
 * `<root>/usr/lib`). A symlink whose target climbs above `root` is refused,
 * never followed out. Missing components are returned as they are, for the
 * caller to create: no symlink can hide in a path that does not exist.
 */
export async function resolveInRoot(root: string, rel: string, entry: string): Promise<string> {
  const done: string[] = [];
  const todo = rel === '' ? [] : rel.split('/');
  let links = 0;
  let exists = true;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (done.length === 0) throw new PathEscapeError(entry, 'a symlink in its path climbs out of the layer root');
      done.pop();
      exists = true; // a symlink target may leave a missing dir again; look anew
      continue;
    }
    if (!exists) {
      done.push(c);
      continue;
    }
    let st;
    try {
      st = await lstat(join(root, ...done, c));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      exists = false;
      done.push(c);
      continue;
    }
    if (!st.isSymbolicLink()) {
      if (!st.isDirectory()) throw new KilnError('snapshot/not-a-directory', `layer entry ${JSON.stringify(entry)}: ${[...done, c].join('/')} is not a directory`);
      done.push(c);
      continue;
    }
    if (++links > MAX_LINKS) throw new PathEscapeError(entry, 'too many levels of symbolic links');
    const target = await readlink(join(root, ...done, c));
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/'));
  }
  return join(root, ...done);
}

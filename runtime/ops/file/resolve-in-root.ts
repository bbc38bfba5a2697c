import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { FileOpError, isErrno } from './file-op-error.js';

// containerd's fs.RootPath gives up after this many symlinks, as Linux's path walk does.
const MAX_LINKS = 255;

/** Options of resolveInRoot. */
export interface ResolveOptions {
  /** Resolve a symlink in the last component too (`fs.RootPath`); false keeps it (`lstat` semantics). */
  readonly followFinal: boolean;
}

/**
 * Go's `filepath.Join("/", p)`: `p` as an absolute, lexically cleaned path. Every `..` that
 * would climb above the root stays at the root, so `../../etc/passwd` is `/etc/passwd`.
 */
export function cleanAbs(p: string): string {
  return posix.normalize(`/${p}`).replace(/(.)\/+$/, '$1');
}

/**
 * Resolves `path` inside the directory `root` as if `root` were `/` (containerd's
 * `fs.RootPath`, `securejoin`): the path is cleaned first, then walked one component at a time
 * with `lstat`; a symlink is replaced by its target, an absolute target restarting from
 * `root` and a `..` never climbing above it. The result is a host path under `root` whose
 * components up to the last existing one are real directories, so nothing read or written
 * through it can leave `root`. Components that do not exist yet are kept as spelled.
 *
 * Throws a FileOpError `too-many-links` after 255 symlinks, `not-dir` when a component below
 * an existing file is asked for.
 *
 * @example
 * await resolveInRoot('/snap', '../../etc/passwd', { followFinal: true }) // '/snap/etc/passwd'
 * // with /snap/lib -> /usr/lib:
 * await resolveInRoot('/snap', 'lib/x', { followFinal: true })           // '/snap/usr/lib/x'
 */
export async function resolveInRoot(root: string, path: string, options: ResolveOptions): Promise<string> {
  const resolved = await resolveComponents(root, path, options.followFinal);
  return resolved.length === 0 ? root : `${root}/${resolved.join('/')}`;
}

/**
 * fsutil copy's `rootPath`: the parent of `path` is resolved inside `root`, its last component
 * is resolved too only when `followLinks` is set. `/` is `root` itself.
 */
export async function rootPath(root: string, path: string, followLinks: boolean): Promise<string> {
  return resolveInRoot(root, path, { followFinal: followLinks });
}

/** The resolved components of `path` below `root`; empty for the root itself. */
async function resolveComponents(root: string, path: string, followFinal: boolean): Promise<string[]> {
  const done: string[] = [];
  // Components still to walk, the next one last (so a symlink's target is pushed in front).
  const todo = cleanAbs(path).split('/').filter((c) => c !== '').reverse();
  let links = 0;
  let missing = false;
  while (todo.length > 0) {
    const comp = todo.pop()!;
    if (comp === '.' || comp === '') continue;
    if (comp === '..') {
      // A `..` only comes from a symlink's target here (the path itself was cleaned), and
      // applies to the directory the link was found in, as containerd's Join(newdir, link) does.
      done.pop();
      missing = false;
      continue;
    }
    if (missing) {
      done.push(comp);
      continue;
    }
    const host = `${root}/${[...done, comp].join('/')}`;
    let isLink = false;
    try {
      isLink = (await lstat(host)).isSymbolicLink();
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) {
        if (isErrno(err, 'ENOTDIR')) throw new FileOpError('not-dir', `not a directory: /${done.join('/')}`, `/${done.join('/')}`, { cause: err });
        throw err;
      }
      // A path that does not exist yet is not a symlink; nothing under it can be either.
      missing = true;
    }
    if (!isLink || (todo.length === 0 && !followFinal)) {
      done.push(comp);
      continue;
    }
    if (++links > MAX_LINKS) throw new FileOpError('too-many-links', `too many links resolving ${path}`, path);
    const target = await readlink(host);
    if (target.startsWith('/')) done.length = 0;
    todo.push(...target.split('/').filter((c) => c !== '').reverse());
  }
  return done;
}

/** The host path of `path` (absolute inside the root) joined to `root` without resolving anything. */
export function joinRoot(root: string, path: string): string {
  const clean = cleanAbs(path);
  return clean === '/' ? root : `${root}${clean}`;
}

import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, symlink } from 'node:fs/promises';
import type { pb } from '../../../compiler/index.js';
import { FileOpError, isErrno } from './file-op-error.js';
import { applyOwner, mkdirAll, setTimes, timestampOf } from './fs-meta.js';
import type { Owner } from './fs-meta.js';
import { cleanAbs, resolveInRoot } from './resolve-in-root.js';

// The three FileActions that create one entry in the target root (BuildKit `file/backend.go`).
// Each path is resolved inside the root with symlinks followed, as fs.RootPath does, so a
// symlink in the way leads to its target inside the root and never outside.

/**
 * `FileActionMkDir`: creates a directory with `mode` (exactly; buildkitd's umask is 0). With
 * `makeParents`, missing parents are created too, each with `mode`, `owner` and `timestamp`,
 * and an existing directory is fine; without, an existing path of any type is left alone
 * (BuildKit ignores EEXIST) and a missing parent is an error.
 */
export async function mkdirAction(root: string, action: pb.FileActionMkDir, owner: Owner | undefined): Promise<void> {
  const shown = cleanAbs(action.path ?? '');
  const path = await resolveInRoot(root, shown, { followFinal: true });
  const mode = (action.mode ?? 0) & 0o777;
  const time = timestampOf(action.timestamp);
  if (action.makeParents) {
    await mkdirAll(path, mode, owner, time, shown);
    return;
  }
  try {
    await mkdir(path, mode);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return;
    throw err;
  }
  await chmod(path, mode);
  applyOwner(path, owner);
  if (time !== undefined) setTimes(path, time);
}

/**
 * `FileActionMkFile`: writes `data` to a file, created with `mode` or truncated if it exists
 * (keeping its mode, as Go's os.WriteFile does), then applies `owner` and `timestamp`. Writing
 * onto a directory is `is-dir`; a missing parent is `not-found`.
 */
export async function mkfileAction(root: string, action: pb.FileActionMkFile, owner: Owner | undefined): Promise<void> {
  const shown = cleanAbs(action.path ?? '');
  const path = await resolveInRoot(root, shown, { followFinal: true });
  const mode = (action.mode ?? 0) & 0o777;
  const existed = await lstat(path).then(() => true, () => false);
  // O_NOFOLLOW: the path was resolved, so a symlink here now was put there after the fact.
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
  try {
    if (!existed) await fh.chmod(mode);
    await fh.writeFile(action.data ?? new Uint8Array());
  } finally {
    await fh.close();
  }
  applyOwner(path, owner);
  const time = timestampOf(action.timestamp);
  if (time !== undefined) setTimes(path, time);
}

/**
 * `FileActionSymlink`: creates `newpath` pointing at `oldpath`, which is stored as given and
 * never resolved (it is only followed later, inside whatever root it ends up in). An existing
 * `newpath` is `exists`.
 */
export async function symlinkAction(root: string, action: pb.FileActionSymlink, owner: Owner | undefined): Promise<void> {
  const shown = cleanAbs(action.newpath ?? '');
  if (shown === '/') throw new FileOpError('exists', 'symlink /: file exists', '/');
  const path = await resolveInRoot(root, shown, { followFinal: true });
  await symlink(action.oldpath ?? '', path);
  applyOwner(path, owner);
  const time = timestampOf(action.timestamp);
  if (time !== undefined) setTimes(path, time);
}

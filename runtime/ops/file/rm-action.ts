import { lstat, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import type { pb } from '../../../compiler/index.js';
import { FileOpError, isErrno } from './file-op-error.js';
import { cleanAbs, resolveInRoot } from './resolve-in-root.js';
import { cleanLlbPath, resolveWildcards } from './wildcards.js';

/**
 * `FileActionRm` (BuildKit `rm`): removes a path and everything under it. The parent is
 * resolved inside the root, the last component is not, so removing a symlink removes the link
 * and never what it points to. With `allowWildcard` the path is a pattern (Go's
 * filepath.Match per component) and every match goes; a missing path is `not-found` unless
 * `allowNotFound`. Removing `/` itself is refused (`bad-path`), as in BuildKit.
 */
export async function rmAction(root: string, action: pb.FileActionRm): Promise<void> {
  const allowNotFound = !!action.allowNotFound;
  if (!action.allowWildcard) return rmPath(root, action.path ?? '', allowNotFound);
  // A wildcard under a directory that does not exist fails even with allowNotFound: Go's
  // Walk reports the missing root and BuildKit returns that error.
  const matches = await resolveWildcards(root, cleanLlbPath(action.path ?? ''), false);
  for (const match of matches) await rmPath(root, match, allowNotFound);
}

async function rmPath(root: string, src: string, allowNotFound: boolean): Promise<void> {
  const clean = cleanAbs(src);
  const base = posix.basename(clean);
  if (clean === '/' || base === '') throw new FileOpError('bad-path', 'rmPath: invalid empty path', src);
  const dir = await resolveInRoot(root, posix.dirname(clean), { followFinal: true });
  const path = `${dir}/${base}`;
  if (!allowNotFound) {
    // BuildKit stats (following a final symlink); here that lookup stays inside the root too.
    try {
      await lstat(await resolveInRoot(root, clean, { followFinal: true }));
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      throw new FileOpError('not-found', `rm ${clean}: no such file or directory`, clean, { cause: err });
    }
  }
  await rm(path, { recursive: true, force: true });
}

import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { pb } from '../../../compiler/index.js';
import { Copier } from './copier.js';
import type { CopierOptions } from './copier.js';
import { FileOpError, isErrno } from './file-op-error.js';
import { fixCreatedDirs, mkdirAll, timestampOf } from './fs-meta.js';
import type { Owner } from './fs-meta.js';
import { ModeSet } from './mode-set.js';
import { cleanAbs, resolveInRoot, rootPath } from './resolve-in-root.js';
import { unpackArchive } from './unpack.js';
import { cleanLlbPath, resolveWildcards } from './wildcards.js';

// fsutil creates missing destination directories with this mode unless `mode` is given.
const DEFAULT_DIR_MODE = 0o755;

/** Where a copy reads and writes: host directories standing for `/` of the two inputs. */
export interface CopyRoots {
  readonly source: string;
  readonly target: string;
  readonly signal?: AbortSignal;
}

/**
 * Runs a `FileActionCopy` (BuildKit's `docopy` and fsutil's `Copy`): resolves a wildcard
 * source, then copies each match into the target root with `cp -a` semantics:
 * - a destination ending in `/` (or `/.`) is a directory, created if missing;
 * - a directory source goes inside an existing destination directory, unless
 *   `dirCopyContents`, which copies what is in it instead;
 * - a file source onto an existing directory goes inside it;
 * - missing parents of the destination are created (with `mode`, else 0755, and `owner`)
 *   unless `createDestPath` is false, where the parent must exist;
 * - with `attemptUnpackDockerCompatibility`, a tar archive (maybe compressed) is extracted
 *   into the destination directory instead of copied.
 *
 * Every source path is resolved inside `roots.source` and every destination inside
 * `roots.target`, so symlinks and `..` cannot reach outside them.
 */
export async function copyAction(action: pb.FileActionCopy, roots: CopyRoots, owner: Owner | undefined): Promise<void> {
  const srcPath = cleanLlbPath(action.src ?? '');
  const destPath = cleanLlbPath(action.dest ?? '');
  const time = timestampOf(action.timestamp);
  if (!action.createDestPath) {
    const p = await resolveInRoot(roots.target, cleanAbs(action.dest ?? ''), { followFinal: true });
    try {
      await lstat(posix.dirname(p));
    } catch (err) {
      if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
      throw new FileOpError('not-found', `failed to stat ${action.dest ?? ''}: no such directory`, action.dest, { cause: err });
    }
  }
  // Proto3 drops 0: a copy without `mode` is `chmod 0000`, as in BuildKit; clients send -1.
  const mode = action.mode ?? 0;
  const opts: CopierOptions = {
    owner,
    time,
    ...(action.modeStr ? { modeSet: ModeSet.parse(action.modeStr) } : mode !== -1 ? { mode } : {}),
    include: action.include_patterns ?? [],
    exclude: action.exclude_patterns ?? [],
    alwaysReplace: !!action.alwaysReplaceExistingDestPaths,
    signal: roots.signal,
    show: (p) => showPath(p, roots),
  };
  const matches = action.allowWildcard ? await resolveWildcards(roots.source, srcPath, !!action.followSymlink) : [srcPath];
  if (matches.length === 0) {
    if (action.allowEmptyWildcard) return;
    throw new FileOpError('no-match', `${srcPath} not found`, srcPath);
  }
  for (const src of matches) {
    if (action.attemptUnpackDockerCompatibility && await unpackArchive(roots, src, destPath, owner, time)) continue;
    await copyOne(roots, src, destPath, opts, !!action.followSymlink, !!action.dirCopyContents);
  }
}

/** fsutil's `Copy` for one source path (relative or absolute inside the source root). */
async function copyOne(roots: CopyRoots, src: string, dst: string, opts: CopierOptions, followLinks: boolean, dirContents: boolean): Promise<void> {
  const dirMode = opts.mode ?? DEFAULT_DIR_MODE;
  const created: string[] = [];
  try {
    // The directory part of the destination exists before anything else is decided; a
    // destination ending in `/` is a directory and is created whole.
    const base = posix.basename(dst);
    const ensure = dst.endsWith('/') || base === '.' ? dst : posix.dirname(dst);
    if (ensure !== '') {
      const dir = await resolveInRoot(roots.target, ensure, { followFinal: true });
      created.push(...await mkdirAll(dir, dirMode, opts.owner, opts.time, cleanAbs(ensure)));
    }
    const dest = await resolveInRoot(roots.target, dst, { followFinal: true });
    const srcFollowed = await rootPath(roots.source, src, followLinks);
    const copier = new Copier(opts);
    const target = await prepareTargetDir(srcFollowed, src, dest, dirContents, dirMode, opts, created, roots);
    await copier.copy(srcFollowed, '', target);
  } finally {
    await fixCreatedDirs(created, opts.time);
  }
}

/**
 * fsutil's `prepareTargetDir`: where the source lands and its parent made to exist. A source
 * goes inside an existing destination when it is a directory copied as itself, or when it is
 * not a directory and the destination is one.
 */
async function prepareTargetDir(srcFollowed: string, src: string, dest: string, dirContents: boolean, dirMode: number, opts: CopierOptions, created: string[], roots: CopyRoots): Promise<string> {
  let srcSt: BigIntStats;
  try {
    srcSt = await lstat(srcFollowed, { bigint: true });
  } catch (err) {
    if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    throw new FileOpError('not-found', `failed to stat ${cleanAbs(src)}: no such file or directory`, cleanAbs(src), { cause: err });
  }
  const destSt = await lstat(dest).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  });
  const srcIsDir = srcSt.isDirectory();
  let destPath = dest;
  if ((!dirContents && srcIsDir && destSt !== undefined) || (!srcIsDir && destSt?.isDirectory())) {
    const name = posix.basename(cleanAbs(src));
    if (name !== '/') destPath = `${dest}/${name}`;
  }
  const parent = dirContents && srcIsDir && destSt === undefined ? destPath : posix.dirname(destPath);
  // The root's own parent is not ours to look at (copying onto `/` itself).
  if (destPath === roots.target) return destPath;
  created.push(...await mkdirAll(parent, dirMode, opts.owner, opts.time, showPath(parent, roots)));
  return destPath;
}

function showPath(p: string, roots: CopyRoots): string {
  for (const root of [roots.target, roots.source]) {
    if (p === root) return '/';
    if (p.startsWith(`${root}/`)) return p.slice(root.length);
  }
  return p;
}

import { KilnError } from '../../../compiler/index.js';

/**
 * Stable codes of FileOpError, one per way a FileOp action can fail:
 * - `not-found`: a path the action needs does not exist (and `allowNotFound` was not set);
 * - `no-match`: a wildcard source matched nothing (and `allowEmptyWildcard` was not set);
 * - `exists`: a symlink's new path is taken;
 * - `not-dir` / `is-dir`: a path has the wrong type for what the action does there;
 * - `too-many-links`: more than 255 symlinks on the way to a path (a cycle, usually);
 * - `bad-mode`: a symbolic `modeStr` that does not parse;
 * - `bad-path`: an empty or otherwise unusable path;
 * - `bad-action`: a FileAction with no action, or a copy with no source root;
 * - `unsupported`: a file type kiln cannot create (a device when not root);
 * - `archive`: a tar entry that is malformed or would break out of the destination.
 */
export type FileOpErrorCode =
  | 'not-found' | 'no-match' | 'exists' | 'not-dir' | 'is-dir' | 'too-many-links'
  | 'bad-mode' | 'bad-path' | 'bad-action' | 'unsupported' | 'archive';

/**
 * A FileOp action that failed. `path` is the path as the action named it (relative to the
 * root it refers to), never a host path: like BuildKit, which trims the mount point from
 * `os.PathError`s, kiln does not leak where snapshots live.
 */
export class FileOpError extends KilnError {
  readonly path: string | undefined;

  constructor(code: FileOpErrorCode, message: string, path?: string, options?: { cause?: unknown }) {
    super(`file/${code}`, message, options);
    this.path = path;
  }
}

/** Whether `err` is a Node system error with one of the given errno codes (`ENOENT`, …), or any with none given. */
export function isErrno(err: unknown, ...codes: readonly string[]): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && (codes.length === 0 || codes.includes(code));
}

/**
 * Turns a Node system error about a host path under one of `roots` into a FileOpError about
 * the path inside that root (BuildKit trims the mount point from `os.PathError`s the same
 * way); a FileOpError or any other error is returned as is.
 */
export function fromSystemError(err: unknown, roots: readonly (string | undefined)[]): unknown {
  if (err instanceof FileOpError || !isErrno(err)) return err;
  const e = err as NodeJS.ErrnoException & { dest?: string };
  const shown = (p: string | undefined): string | undefined => {
    if (p === undefined) return undefined;
    for (const root of roots) {
      if (root !== undefined && (p === root || p.startsWith(`${root}/`))) return p.slice(root.length) || '/';
    }
    return p;
  };
  const path = shown(e.path);
  const dest = shown(e.dest);
  const kind: FileOpErrorCode = e.code === 'ENOENT' ? 'not-found' : e.code === 'EEXIST' ? 'exists'
    : e.code === 'ENOTDIR' ? 'not-dir' : e.code === 'EISDIR' ? 'is-dir' : e.code === 'ELOOP' ? 'too-many-links' : 'bad-path';
  const what = [path, dest].filter((x) => x !== undefined).join(' -> ');
  return new FileOpError(kind, `${e.syscall ?? 'access'} ${what}: ${e.code}`, path, { cause: err });
}

import type { pb } from '../../../compiler/index.js';
import { copyAction } from './copy-action.js';
import { FileOpError, fromSystemError } from './file-op-error.js';
import { mkdirAction, mkfileAction, symlinkAction } from './make-actions.js';
import { rmAction } from './rm-action.js';
import { lookupFrom, resolveOwner } from './user-lookup.js';
import type { UserLookup } from './user-lookup.js';

/** One FileAction: the `pb.FileAction` oneof, without the input/output indices it may carry. */
export type FileActionLike = Pick<pb.FileAction, 'copy' | 'mkfile' | 'mkdir' | 'rm' | 'symlink'>;

/** Where a FileAction runs. */
export interface FileActionContext {
  /** The writable directory that stands for `/` of the action's input (and becomes its output). */
  readonly target: string;
  /** The directory that stands for `/` of a copy's secondary input; only read. */
  readonly source?: string;
  /**
   * Resolves `--chown` names (`NamedUserOpt`, whose `input` says which root's passwd to read);
   * defaults to `lookupFrom(target)`.
   */
  readonly users?: UserLookup;
  readonly signal?: AbortSignal;
}

/**
 * Executes one FileAction on directories, as BuildKit's FileOp backend
 * (`solver/llbsolver/file`) does on mounted snapshots: mkdir, mkfile, rm, symlink in
 * `ctx.target`, copy from `ctx.source` into it. Every path is resolved inside its root
 * (symlinks, `..` and absolute paths included), so an action can neither read nor write
 * outside them. Failures are FileOpErrors whose paths are relative to the roots.
 *
 * @example
 * await applyFileAction({ mkdir: { path: '/app', mode: 0o755, makeParents: true, timestamp: -1 } }, { target: dir });
 * await applyFileAction({ copy: { src: '/conf/*.conf', dest: '/etc/app/', mode: -1, allowWildcard: true,
 *   createDestPath: true, timestamp: -1 } }, { target: dir, source: contextDir });
 */
export async function applyFileAction(action: FileActionLike, ctx: FileActionContext): Promise<void> {
  ctx.signal?.throwIfAborted();
  const users = ctx.users ?? lookupFrom(ctx.target);
  try {
    if (action.copy !== undefined) {
      if (ctx.source === undefined) throw new FileOpError('bad-action', 'copy needs a source root');
      const owner = await resolveOwner(action.copy.owner, users);
      return await copyAction(action.copy, { source: ctx.source, target: ctx.target, signal: ctx.signal }, owner);
    }
    if (action.mkdir !== undefined) return await mkdirAction(ctx.target, action.mkdir, await resolveOwner(action.mkdir.owner, users));
    if (action.mkfile !== undefined) return await mkfileAction(ctx.target, action.mkfile, await resolveOwner(action.mkfile.owner, users));
    if (action.symlink !== undefined) return await symlinkAction(ctx.target, action.symlink, await resolveOwner(action.symlink.owner, users));
    if (action.rm !== undefined) return await rmAction(ctx.target, action.rm);
  } catch (err) {
    throw fromSystemError(err, [ctx.target, ctx.source]);
  }
  throw new FileOpError('bad-action', 'FileAction has none of copy, mkfile, mkdir, rm, symlink');
}

// Public surface of runtime/ops/file/: BuildKit's FileOp actions (copy, mkfile, mkdir, rm,
// symlink) run on plain directories, with every path confined to its root.
export { applyFileAction } from './apply-file-action.js';
export type { FileActionContext, FileActionLike } from './apply-file-action.js';
export { FileOpError } from './file-op-error.js';
export type { FileOpErrorCode } from './file-op-error.js';
export type { Owner, Timestamp } from './fs-meta.js';
export { ModeSet } from './mode-set.js';
export { cleanAbs, resolveInRoot } from './resolve-in-root.js';
export type { ResolveOptions } from './resolve-in-root.js';
export { lookupFrom, resolveOwner } from './user-lookup.js';
export type { UserLookup } from './user-lookup.js';
export { goMatch } from './go-match.js';

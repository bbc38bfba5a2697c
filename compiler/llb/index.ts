// The fluent LLB builder, mirroring BuildKit's client/llb.
export { Cap } from './caps.js';
export type { ConstraintsOptions, SourceLocation, SourceMap, SourceRange } from './constraints.js';
export { EnvList } from './env-list.js';
export { ExecOp, ExecState } from './exec.js';
export type { BindMount, CacheMount, MountSpec, ProxyEnv, RunOptions, SecretMount, SshMount, TmpfsMount } from './exec.js';
export { BoundFileAction, copy, FileAction, FileOp, mkdir, mkfile, rm, symlink } from './file.js';
export type { ChownOptions, CopyOptions, CopySource, MkdirOptions, MkfileOptions, Owner, RmOptions, SymlinkOptions } from './file.js';
export { diff, DiffOp, merge, MergeOp } from './merge-diff.js';
export { formatPlatform, hostPlatform, parsePlatform } from './platform.js';
export type { Platform } from './platform.js';
export { git, http, image, local, ociLayout, resolvedImage, SourceOp } from './source.js';
export type { GitOptions, HttpOptions, ImageOptions, ImageResolver, ImageRunConfig, LocalOptions, OciLayoutOptions } from './source.js';
export { cleanPath, joinDir, scratch, State } from './state.js';
export type { HostIp, StateMeta, StateOption, Ulimit } from './state.js';
export { LlbBuildError, MarshalContext } from './vertex.js';
export type { MarshaledOp, Output, Vertex } from './vertex.js';

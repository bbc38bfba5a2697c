import type { Op, OpMetadata, ProgressGroup } from '../generated/ops.js';
import type { Platform } from './platform.js';
import { hostPlatform, toPbPlatform } from './platform.js';

/** A range in a build file: 1-based lines, 0-based characters, as BuildKit's source maps use. */
export interface SourceRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

/** A build file that ops can point back to (a Dockerfile, a mocker.yaml…). */
export interface SourceMap {
  readonly filename: string;
  readonly data?: Uint8Array;
  readonly language?: string;
}

/** Where in a build file an op came from. */
export interface SourceLocation {
  readonly sourceMap: SourceMap;
  readonly ranges: readonly SourceRange[];
}

/**
 * Options every op accepts: the cross-cutting constraints of BuildKit's
 * `llb.ConstraintsOpt` (platform, custom name, progress group, caching hints,
 * source location).
 */
export interface ConstraintsOptions {
  readonly platform?: Platform;
  /** Shown in progress output instead of the op's own description (`llb.customname`). */
  readonly customName?: string;
  /** Free-form labels stored in the op's metadata. */
  readonly description?: { readonly [key: string]: string };
  readonly ignoreCache?: boolean;
  readonly exportCache?: boolean;
  readonly progressGroup?: ProgressGroup;
  /** Extra capabilities the op needs (`OpMetadata.caps`). */
  readonly caps?: readonly string[];
  readonly workerConstraints?: readonly string[];
  readonly sourceLocations?: readonly SourceLocation[];
  /** Per-client id written into `local.unique` (BuildKit sets one per session). */
  readonly localUniqueId?: string;
}

/** Merges constraint options: later values win, maps and lists accumulate. */
export function mergeConstraints(a: ConstraintsOptions, b: ConstraintsOptions | undefined): ConstraintsOptions {
  if (!b) return a;
  return {
    ...a,
    ...b,
    ...(a.description || b.description ? { description: { ...a.description, ...b.description } } : {}),
    caps: [...(a.caps ?? []), ...(b.caps ?? [])],
    workerConstraints: [...(a.workerConstraints ?? []), ...(b.workerConstraints ?? [])],
    sourceLocations: [...(a.sourceLocations ?? []), ...(b.sourceLocations ?? [])],
  };
}

/** Adds capabilities to a constraints value. */
export function withCaps(c: ConstraintsOptions, ...caps: string[]): ConstraintsOptions {
  return { ...c, caps: [...(c.caps ?? []), ...caps] };
}

/**
 * The platform, worker constraints and metadata of an op: the op's own
 * constraints over the marshal-wide ones, as BuildKit's MarshalConstraints.
 */
export function marshalConstraints(base: ConstraintsOptions, own: ConstraintsOptions): { op: Op; metadata: OpMetadata } {
  const platform = own.platform ?? base.platform ?? hostPlatform();
  const description = { ...descriptionOf(base), ...descriptionOf(own) };
  const caps: { [cap: string]: boolean } = {};
  for (const cap of [...(base.caps ?? []), ...(own.caps ?? [])]) caps[cap] = true;
  const ignoreCache = base.ignoreCache || own.ignoreCache;
  const exportCache = own.exportCache ?? base.exportCache;
  const progressGroup = own.progressGroup ?? base.progressGroup;
  const metadata: OpMetadata = {
    ...(ignoreCache ? { ignore_cache: true } : {}),
    ...(Object.keys(description).length ? { description } : {}),
    ...(exportCache !== undefined ? { export_cache: { Value: exportCache } } : {}),
    caps,
    ...(progressGroup ? { progress_group: progressGroup } : {}),
  };
  return {
    op: { platform: toPbPlatform(platform), constraints: { filter: [...(base.workerConstraints ?? []), ...(own.workerConstraints ?? [])] } },
    metadata,
  };
}

function descriptionOf(c: ConstraintsOptions): { [key: string]: string } {
  return { ...c.description, ...(c.customName !== undefined ? { 'llb.customname': c.customName } : {}) };
}

import type { ImageConfig, llb } from '../../../compiler/index.js';
import type { Command } from '../instructions/commands.js';

/** Resolves an image reference for a platform: the pinned reference, its digest and config. */
export type ResolveImageConfig = (ref: string, platform: llb.Platform) => Promise<{ readonly ref?: string; readonly digest: string; readonly config: ImageConfig }>;

/** What the Dockerfile → LLB conversion takes besides the Dockerfile. */
export interface ConvertOptions {
  /** The stage to build; the last one when omitted. */
  readonly target?: string;
  /** `--build-arg` values. */
  readonly buildArgs?: { readonly [name: string]: string };
  /** The platform to build for; the host's when omitted. */
  readonly targetPlatform?: llb.Platform;
  /** The platform the build runs on; the host's when omitted. */
  readonly buildPlatform?: llb.Platform;
  /** How base images are resolved (a Gateway's resolveImageConfig). Without it, base images get an empty config. */
  readonly resolveImageConfig?: ResolveImageConfig;
  /** Written to `local.unique` of the context source. */
  readonly localUniqueId?: string;
  /** Name of the context local source (`context`). */
  readonly contextName?: string;
  /** Patterns from .dockerignore, sent as `local.excludepatterns`. */
  readonly excludePatterns?: readonly string[];
  /** The Dockerfile itself, attached to ops as their source map. */
  readonly sourceMap?: llb.SourceMap;
  /** Parses an ONBUILD trigger expression into a command. */
  readonly parseTrigger?: (expression: string) => Command;
  /** Stages whose steps ignore the cache (`--no-cache-filter`); `*` for all. */
  readonly noCache?: readonly string[];
  /** Labels added to the final image. */
  readonly labels?: { readonly [key: string]: string };
  /** `--network` for RUN steps without one. */
  readonly networkMode?: 'default' | 'none' | 'host';
  /** Namespace for cache mount ids. */
  readonly cacheIdNamespace?: string;
}

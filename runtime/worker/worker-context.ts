import type { llb } from '../../compiler/index.js';
import type { Snapshotter } from '../snapshot/index.js';
import type { CacheStore } from '../solver/index.js';
import type { ImageSource } from './image-source.js';

/** Everything the ops of one build need from the machine and the client. */
export interface WorkerContext {
  readonly snapshotter: Snapshotter;
  /** Scratch space for container bundles and generated files. */
  readonly stateDir: string;
  /** Where local sources remember their files' digests between builds (optional: read every file). */
  readonly statCacheDir?: string;
  /** Where persistent cache mounts live. */
  readonly cacheMountsDir: string;
  /** `--local NAME=DIR`: the directories `local://NAME` sources read. */
  readonly locals: ReadonlyMap<string, string>;
  /** `--secret id=…`: secret values by id. */
  readonly secrets: ReadonlyMap<string, Uint8Array>;
  /** `--ssh default=SOCKET`: agent sockets by id. */
  readonly ssh: ReadonlyMap<string, string>;
  /** Where `docker-image://` and `oci-layout://` images come from. */
  readonly images: ImageSource;
  readonly platform: llb.Platform;
  /** Unpacked layer stacks by chain ID, shared by all images and builds of the root (optional). */
  readonly layers?: CacheStore;
  /** Where each unpacked layer's image blob is noted, for exports to reuse (optional). */
  readonly layerBlobs?: { record(snapshotId: string, blob: { digest: string; mediaType: string; diffId: string }): Promise<void> };
}

import { createWriteStream } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Digest, ImageConfig, llb } from '../../compiler/index.js';
import type { ContentStore } from '../../runtime/cache/index.js';
import type { BuildImageOptions } from '../../runtime/exporters/index.js';
import type { StagedExport } from '../../runtime/exporters/staged-export.js';
import type { LayerBlobIndex } from '../../runtime/images/index.js';
import type { RegistryClient } from '../../runtime/registry/index.js';
import type { Snapshotter } from '../../runtime/snapshot/index.js';
import { UsageError } from '../errors.js';

const TYPES = ['local', 'tar', 'oci', 'docker', 'image'];

/** Refuses an `--output` that cannot work, before anything is built. */
export function checkOutput(output: ReadonlyMap<string, string> | undefined): void {
  if (!output) return;
  const type = output.get('type') ?? '';
  if (!TYPES.includes(type)) throw new UsageError(`--output type must be one of ${TYPES.join(', ')} (got ${type || 'none'})`);
  if (type !== 'image' && !output.get('dest')) throw new UsageError(`--output type=${type} needs dest=…`);
  if ((type === 'image' || type === 'docker') && !output.get('name')) throw new UsageError(`--output type=${type} needs name=REF`);
  const compression = output.get('compression');
  if (compression !== undefined && compression !== 'gzip' && compression !== 'zstd') throw new UsageError(`--output compression must be gzip or zstd (got ${compression})`);
}

/** SOURCE_DATE_EPOCH as BuildKit reads it: whole seconds since the epoch. */
function sourceDateEpoch(): number | undefined {
  const v = process.env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970 (got ${JSON.stringify(v)})`);
  return Number(v);
}

/** What an export needs of the build. */
export interface ExportContext {
  readonly ref: { readonly id: string };
  readonly snapshotter: Pick<Snapshotter, 'view' | 'layers'>;
  readonly content: ContentStore;
  readonly registry: RegistryClient;
  readonly platform: llb.Platform;
  readonly imageConfig?: ImageConfig;
  readonly signal: AbortSignal;
  /** Extra config fields once the layers are known (`--cache-to type=inline`). */
  readonly extraConfig?: BuildImageOptions['extraConfig'];
  /** The unpacked layers' blobs, so an image reuses its base image's layers. */
  readonly layerBlobs?: LayerBlobIndex;
  /** The state root, where local exports are recorded (an unchanged one is not copied again). */
  readonly root?: string;
  /** A local export's bottom layers, copied while the build ran. */
  readonly staged?: StagedExport;
}

// A docker-save image's layer types, as the OCI types of the same bytes.
const OCI_LAYER_TYPE: { readonly [docker: string]: string } = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
};

/**
 * Base image layers as they were pulled, as BuildKit exports them: a layer dir that is an
 * unpacked image layer (an overlay snapshot's own `<id>/fs`, recorded when its blob was
 * checked against its diffID) is that blob, while the store still has it.
 */
function reuseBaseLayers(index: LayerBlobIndex, content: ContentStore): NonNullable<BuildImageOptions['reuseLayer']> {
  return async (dir) => {
    if (basename(dir) !== 'fs') return undefined;
    const blob = await index.lookup(basename(dirname(dir)));
    const info = blob ? await content.info(blob.digest as Digest).catch(() => undefined) : undefined;
    if (!blob || !info) return undefined;
    return { desc: { mediaType: OCI_LAYER_TYPE[blob.mediaType] ?? blob.mediaType, digest: blob.digest as Digest, size: info.size }, diffId: blob.diffId };
  };
}

/** Writes the result where `--output` says: a tree, a tar of it, or an image (archive, layout, registry). */
export async function exportResult(output: ReadonlyMap<string, string>, x: ExportContext): Promise<void> {
  const type = output.get('type')!;
  const dest = output.get('dest') ?? '';
  // Each exporter loads when used: a build that only fills the cache, or writes a tree, never
  // loads the tar and image code.
  if (type === 'local') {
    const { exportLocal } = await import('../../runtime/exporters/local-exporter.js');
    const { exportRecordFile } = await import('../../runtime/exporters/export-record.js');
    const to = resolve(dest);
    const record = x.root === undefined ? undefined : { file: exportRecordFile(x.root, to), result: x.ref.id };
    // Layer by layer rather than through a mounted view: the two mount(8) processes cost more
    // than re-copying the few files an upper layer overwrites.
    await exportLocal({ layers: await x.snapshotter.layers(x.ref.id) }, to, { signal: x.signal, ...(record ? { record } : {}), ...(x.staged ? { staged: x.staged } : {}) });
    return;
  }
  if (type === 'tar') {
    const { exportTar } = await import('../../runtime/exporters/tar-exporter.js');
    const view = await x.snapshotter.view(x.ref.id);
    try {
      await exportTar(view.dir, dest === '-' ? process.stdout : createWriteStream(dest), x.signal);
    } finally {
      await view.release();
    }
    return;
  }
  const annotations: { [k: string]: string } = {};
  for (const [k, v] of output) if (k.startsWith('annotation.')) annotations[k.slice('annotation.'.length)] = v;
  const epoch = sourceDateEpoch();
  const { buildImage, exportImageArchive, exportImageLayout, pushImage } = await import('../../runtime/exporters/index.js');
  const image = await buildImage({
    ...(x.layerBlobs ? { reuseLayer: reuseBaseLayers(x.layerBlobs, x.content) } : {}),
    store: x.content,
    layerDirs: await x.snapshotter.layers(x.ref.id),
    ...(x.imageConfig ? { config: x.imageConfig } : {}),
    platform: x.platform,
    compression: (output.get('compression') ?? 'gzip') as 'gzip' | 'zstd',
    ...(epoch !== undefined ? { epoch } : {}),
    annotations,
    signal: x.signal,
    ...(x.extraConfig ? { extraConfig: x.extraConfig } : {}),
  });
  const name = output.get('name');
  const archive = { ...(name ? { name } : {}), docker: type === 'docker', signal: x.signal };
  if (type === 'oci' && output.get('tar') === 'false') await exportImageLayout(x.content, image, resolve(dest), archive);
  else if (type === 'oci' || type === 'docker') await exportImageArchive(x.content, image, dest === '-' ? '-' : resolve(dest), archive);
  if (type === 'image' && output.get('push') === 'true') await pushImage(x.registry, x.content, image, name!);
  process.stderr.write(`exported image ${name ?? ''}${name ? ' ' : ''}${image.manifest.digest}\n`);
}

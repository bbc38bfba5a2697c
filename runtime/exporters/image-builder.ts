import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Digest, ImageConfig, llb } from '../../compiler/index.js';
import { KilnError } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import { writeLayerTar } from '../snapshot/index.js';

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly annotations?: { readonly [k: string]: string };
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
}

/** An image whose blobs are all in the content store. */
export interface BuiltImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** What an image is made of and how. */
export interface BuildImageOptions {
  readonly store: ContentStore;
  /** The result's layer directories, lowest first (overlay upper dirs: each a diff). */
  readonly layerDirs: readonly string[];
  /** The frontend's image config (config, history); rootfs and times are filled in here. */
  readonly config?: ImageConfig;
  readonly platform: llb.Platform;
  readonly compression?: 'gzip' | 'zstd';
  /** SOURCE_DATE_EPOCH in seconds: the created time, and the latest time any layer file has. */
  readonly epoch?: number;
  readonly annotations?: { readonly [k: string]: string };
  readonly signal?: AbortSignal;
  /** Fields added to the config once the layers are known (an inline build cache). */
  readonly extraConfig?: (layers: readonly { readonly desc: Descriptor; readonly diffId: string }[]) => { readonly [k: string]: unknown };
  /** An existing blob for a layer dir (a base image's layer, as pulled), used as is instead of a new tar. */
  readonly reuseLayer?: (dir: string) => Promise<{ readonly desc: Descriptor; readonly diffId: string } | undefined>;
}

const LAYER_TYPE = { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd' } as const;

/** Hashes what passes through it. */
function hashing(h: ReturnType<typeof createHash>): Transform {
  return new Transform({ transform(chunk: Buffer, _enc, cb) { h.update(chunk); cb(null, chunk); } });
}

/**
 * Streams one layer dir as a compressed layer blob into the store: the tar is hashed on
 * the way (its diffID) and compressed, never whole in memory. Empty dirs give no layer.
 */
export async function buildLayer(dir: string, o: Pick<BuildImageOptions, 'store' | 'compression' | 'epoch' | 'signal'>): Promise<{ desc: Descriptor; diffId: string } | undefined> {
  if ((await readdir(dir)).length === 0) return undefined;
  const diff = createHash('sha256');
  const tarStream = new PassThrough();
  const compression = o.compression ?? 'gzip';
  const writing = writeLayerTar(dir, tarStream, { ...(o.signal ? { signal: o.signal } : {}), ...(o.epoch !== undefined ? { clampMtime: new Date(o.epoch * 1000) } : {}) });
  let compressed: AsyncIterable<Uint8Array>;
  let done: Promise<unknown>;
  if (compression === 'gzip') {
    const gz = createGzip({ level: 6 });
    done = pipeline(tarStream, hashing(diff), gz).catch((err: unknown) => gz.destroy(err as Error));
    compressed = gz;
  } else {
    // Node 20's zlib has no zstd; Debian's zstd tool does it as a stream.
    const { execa } = await import('execa');
    const zstd = execa('zstd', ['-q', '-c', '-3', '--no-check'], { stdin: 'pipe', stdout: 'pipe', buffer: false });
    done = Promise.all([pipeline(tarStream, hashing(diff), zstd.stdin!), zstd]).catch((err: unknown) => {
      throw new KilnError('export/zstd', `zstd compression failed (is the zstd package installed?): ${(err as Error).message}`, { cause: err });
    });
    compressed = zstd.stdout!;
  }
  const [info] = await Promise.all([o.store.put(compressed, o.signal ? { signal: o.signal } : {}), writing, done]);
  return { desc: { mediaType: LAYER_TYPE[compression], digest: info.digest, size: info.size }, diffId: `sha256:${diff.digest('hex')}` };
}

type History = NonNullable<ImageConfig['history']>[number];

/**
 * Lines the history up with the layers that exist (BuildKit's normalizeLayersAndHistory):
 * a step whose layer came out empty is marked `empty_layer`; layers the history does not
 * describe get an entry of their own.
 */
function alignHistory(history: readonly History[], kept: readonly boolean[], created: string): History[] {
  const out: History[] = [];
  let layer = 0;
  for (const h of history) {
    if (h.empty_layer) {
      out.push({ ...h, created: h.created ?? created });
      continue;
    }
    const exists = layer < kept.length ? kept[layer] : false;
    layer++;
    const { empty_layer: _drop, ...rest } = h;
    out.push(exists ? { ...rest, created: rest.created ?? created } : { ...rest, created: rest.created ?? created, empty_layer: true });
  }
  for (; layer < kept.length; layer++) if (kept[layer]) out.push({ created, created_by: 'kiln', comment: 'layer without history' });
  return out;
}

/** Makes an image of a result's layers: layer blobs, the config, the manifest, all in the store. */
export async function buildImage(o: BuildImageOptions): Promise<BuiltImage> {
  const built = [];
  for (const dir of o.layerDirs) built.push((await o.reuseLayer?.(dir)) ?? (await buildLayer(dir, o)));
  const layers = built.filter((b) => b !== undefined);
  const created = new Date(o.epoch !== undefined ? o.epoch * 1000 : Date.now()).toISOString().replace(/\.000Z$/, 'Z');
  const base = o.config ?? {};
  const history = alignHistory(base.history ?? [], built.map((b) => b !== undefined), created)
    // SOURCE_DATE_EPOCH clamps: a base image's older entries keep their times.
    .map((h) => (o.epoch !== undefined && (!h.created || Date.parse(h.created) > o.epoch * 1000) ? { ...h, created } : h));
  const config = {
    ...base,
    created,
    architecture: o.platform.architecture,
    os: o.platform.os,
    ...(o.platform.variant ? { variant: o.platform.variant } : {}),
    config: base.config ?? {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
    ...o.extraConfig?.(layers),
  };
  const configBytes = new TextEncoder().encode(JSON.stringify(config));
  const configInfo = await o.store.put(configBytes);
  const configDesc: Descriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configInfo.digest, size: configInfo.size };
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDesc,
    layers: layers.map((l) => l.desc),
    ...(o.annotations && Object.keys(o.annotations).length > 0 ? { annotations: o.annotations } : {}),
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const m = await o.store.put(manifestBytes);
  return {
    manifest: {
      mediaType: manifest.mediaType, digest: m.digest, size: m.size,
      platform: { os: o.platform.os, architecture: o.platform.architecture, ...(o.platform.variant ? { variant: o.platform.variant } : {}) },
    },
    config: configDesc,
    layers: layers.map((l) => l.desc),
  };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import type { Digest } from '../../compiler/index.js';
import { KilnError, parseImageRef } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import { buildLayer, exportImageLayout, pushImage } from '../exporters/index.js';
import type { BuiltImage, Descriptor } from '../exporters/index.js';
import type { RegistryClient } from '../registry/index.js';
import type { Snapshotter } from '../snapshot/index.js';
import type { Ref } from '../solver/index.js';
import { CACHE_ARTIFACT_TYPE, CACHE_CONFIG_TYPE, INLINE_CACHE_FIELD, parseCacheConfig } from './cache-manifest.js';
import type { CacheConfig, CacheLayer, CacheRecord } from './cache-manifest.js';
import type { CacheSource, LazyResult } from './remote-cache.js';

/** Where a cache goes (`--cache-to`) or comes from (`--cache-from`). */
export type CacheLocation = { readonly type: 'local'; readonly dir: string } | { readonly type: 'registry'; readonly ref: string };

/** What an export needs: the build's results and how to reach their layers. */
export interface CacheExportOptions {
  readonly records: readonly { readonly key: string; readonly refs: readonly Ref[] }[];
  readonly snapshotter: Pick<Snapshotter, 'layers'>;
  /** Imported results not unpacked: exported by reference to the layers they already have. */
  readonly lazy: ReadonlyMap<string, LazyResult>;
  readonly store: ContentStore;
  readonly registry: RegistryClient;
  readonly signal?: AbortSignal;
}

/**
 * Writes the build cache: every result's layers as blobs (each layer dir tarred once), a
 * config of records (cache key → layers per output), and an OCI manifest naming them, as an
 * OCI layout directory or pushed to a registry. Any OCI registry stores it.
 */
export async function exportCache(to: CacheLocation, o: CacheExportOptions): Promise<{ records: number; layers: number }> {
  const layers: CacheLayer[] = [];
  const index = new Map<string, number>();
  const add = (l: CacheLayer): number => {
    let n = index.get(l.digest);
    if (n === undefined) {
      n = layers.length;
      layers.push(l);
      index.set(l.digest, n);
    }
    return n;
  };
  const byDir = new Map<string, Promise<CacheLayer | undefined>>();
  const layerOf = (dir: string) => {
    let p = byDir.get(dir);
    if (!p) {
      p = buildLayer(dir, { store: o.store, ...(o.signal ? { signal: o.signal } : {}) }).then((b) => (b ? { ...b.desc, diffId: b.diffId } : undefined));
      byDir.set(dir, p);
    }
    return p;
  };
  const records: CacheRecord[] = [];
  for (const r of o.records) {
    const outputs: number[][] = [];
    for (const ref of r.refs) {
      const lazy = o.lazy.get(ref.id);
      if (lazy) {
        for (const l of lazy.layers) await lazy.source.fetch(l);
        outputs.push(lazy.layers.map(add));
        continue;
      }
      const out: number[] = [];
      for (const dir of await o.snapshotter.layers(ref.id)) {
        const l = await layerOf(dir);
        if (l) out.push(add(l));
      }
      outputs.push(out);
    }
    records.push({ key: r.key, outputs });
  }
  const config: CacheConfig = { version: 1, layers, records };
  const configInfo = await o.store.put(new TextEncoder().encode(JSON.stringify(config)));
  const configDesc: Descriptor = { mediaType: CACHE_CONFIG_TYPE, digest: configInfo.digest, size: configInfo.size };
  const layerDescs: Descriptor[] = layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: CACHE_ARTIFACT_TYPE, config: configDesc, layers: layerDescs };
  const m = await o.store.put(new TextEncoder().encode(JSON.stringify(manifest)));
  const artifact: BuiltImage = { manifest: { mediaType: manifest.mediaType, digest: m.digest, size: m.size }, config: configDesc, layers: layerDescs };
  if (to.type === 'local') await exportImageLayout(o.store, artifact, to.dir, { name: 'kiln.local/cache:latest' });
  else await pushImage(o.registry, o.store, artifact, to.ref);
  return { records: records.length, layers: layers.length };
}

/** Reads a cache written by exportCache; its layer blobs are fetched only when asked for. */
export async function importCache(from: CacheLocation, store: ContentStore, registry: RegistryClient): Promise<CacheSource> {
  if (from.type === 'local') {
    const blob = (d: string) => join(from.dir, 'blobs', 'sha256', d.slice('sha256:'.length));
    let index: { manifests?: { digest: string; artifactType?: string }[] };
    try {
      index = JSON.parse(await readFile(join(from.dir, 'index.json'), 'utf8')) as typeof index;
    } catch (err) {
      throw new KilnError('cache/not-found', `no cache at ${from.dir} (${(err as Error).message})`, { cause: err });
    }
    const desc = index.manifests?.[0];
    if (!desc) throw new KilnError('cache/not-found', `${from.dir}/index.json lists no cache`);
    const manifestBytes = await store.put(createReadStream(blob(desc.digest)) as AsyncIterable<Uint8Array>, { expected: desc.digest as Digest }).then((i) => store.get(i.digest));
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as { config: Descriptor };
    await store.put(createReadStream(blob(manifest.config.digest)) as AsyncIterable<Uint8Array>, { expected: manifest.config.digest });
    const config = parseCacheConfig(await store.get(manifest.config.digest), from.dir);
    return sourceOf(config, async (l) => {
      if (!(await store.has(l.digest))) await store.put(createReadStream(blob(l.digest)) as AsyncIterable<Uint8Array>, { expected: l.digest, size: l.size });
    });
  }
  const ref = parseImageRef(from.ref);
  if ('error' in ref) throw new KilnError('cache/bad-ref', `--cache-from ref: ${ref.error}`);
  const m = await registry.getManifest(ref.domain, ref.path, ref.digest ?? ref.tag ?? 'latest');
  const manifest = JSON.parse(new TextDecoder().decode(m.bytes)) as { config: Descriptor };
  await registry.fetchBlob(store, ref.domain, ref.path, manifest.config);
  let bytes = await store.get(manifest.config.digest);
  if (manifest.config.mediaType !== CACHE_CONFIG_TYPE) {
    // An image pushed with an inline cache: its config carries the records, its layers are the blobs.
    const inline = (JSON.parse(new TextDecoder().decode(bytes)) as { [INLINE_CACHE_FIELD]?: unknown })[INLINE_CACHE_FIELD];
    if (inline === undefined) throw new KilnError('cache/not-found', `${from.ref} is an image without an inline cache (build it with --cache-to type=inline)`);
    bytes = new TextEncoder().encode(JSON.stringify(inline));
  }
  const config = parseCacheConfig(bytes, from.ref);
  return sourceOf(config, (l) => registry.fetchBlob(store, ref.domain, ref.path, l));
}

function sourceOf(config: CacheConfig, fetch: (l: CacheLayer) => Promise<void>): CacheSource {
  return { records: new Map(config.records.map((r) => [r.key, r])), layers: config.layers, fetch };
}

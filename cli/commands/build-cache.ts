import type { ContentStore } from '../../runtime/cache/index.js';
import type { RegistryClient } from '../../runtime/registry/index.js';
import { INLINE_CACHE_FIELD } from '../../runtime/remote-cache/cache-manifest.js';
import type { CacheLocation, CacheSource, LazyResult } from '../../runtime/remote-cache/index.js';
import type { Snapshotter } from '../../runtime/snapshot/index.js';
import type { Ref, Vertex } from '../../runtime/solver/index.js';
import { UsageError } from '../errors.js';
import { parseKv } from './kv.js';

/** A `--cache-to` target. */
export interface CacheTo {
  /** `inline`: in the exported image's config (the image's layers are the blobs). */
  readonly location: CacheLocation | { readonly type: 'inline' };
  /** min: the final result only; max: every step's result. */
  readonly mode: 'min' | 'max';
}


function locationOf(m: Map<string, string>, flag: string, dirKey: 'dest' | 'src'): CacheLocation {
  const type = m.get('type');
  if (type === 'local') {
    const dir = m.get(dirKey);
    if (!dir) throw new UsageError(`${flag} type=local needs ${dirKey}=DIR`);
    return { type, dir };
  }
  if (type === 'registry') {
    const ref = m.get('ref');
    if (!ref) throw new UsageError(`${flag} type=registry needs ref=REF`);
    return { type, ref };
  }
  throw new UsageError(`${flag} type must be local or registry (got ${type ?? 'none'})`);
}

/** Parses `--cache-to` and `--cache-from` as buildctl writes them. */
export function parseCacheFlags(to: readonly string[] = [], from: readonly string[] = []): { to: CacheTo[]; from: CacheLocation[] } {
  return {
    to: to.map((spec) => {
      const m = parseKv(spec, '--cache-to');
      const mode = m.get('mode') ?? 'min';
      if (mode !== 'min' && mode !== 'max') throw new UsageError(`--cache-to mode must be min or max (got ${mode})`);
      if (m.get('type') === 'inline') return { location: { type: 'inline' }, mode: 'min' };
      return { location: locationOf(m, '--cache-to', 'dest'), mode };
    }),
    from: from.map((spec) => locationOf(parseKv(spec, '--cache-from'), '--cache-from', 'src')),
  };
}

const where = (l: CacheLocation): string => (l.type === 'local' ? l.dir : l.ref);

/** Opens the imported caches; one that cannot be read is a warning, as in BuildKit, not a failure. */
export async function openCaches(from: readonly CacheLocation[], store: ContentStore, registry: RegistryClient, warn: (msg: string) => void): Promise<CacheSource[]> {
  const out: CacheSource[] = [];
  for (const l of from) {
    try {
      // The cache code (tar, registry, artifacts) loads only for builds that use a cache.
      const { importCache } = await import('../../runtime/remote-cache/cache-io.js');
      out.push(await importCache(l, store, registry));
    } catch (err) {
      warn(`importing cache from ${where(l)} failed: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The results a build had, as the solver reported them. */
export interface BuildResults {
  readonly all: { readonly v: Vertex; readonly key: string; readonly refs: readonly Ref[] }[];
  readonly final: Ref;
}

/** Writes each `--cache-to`: min keeps the final result's record, max every step's but the sources'. */
export async function writeCaches(to: readonly CacheTo[], results: BuildResults, x: {
  snapshotter: Pick<Snapshotter, 'layers'>; lazy: ReadonlyMap<string, LazyResult>; store: ContentStore; registry: RegistryClient; signal: AbortSignal; log: (msg: string) => void;
}): Promise<void> {
  for (const t of to) {
    if (t.location.type === 'inline') continue;
    const location = t.location;
    const picked = t.mode === 'max'
      ? results.all.filter((r) => !r.v.op.source)
      : results.all.filter((r) => r.refs.some((ref) => ref.id === results.final.id));
    const seen = new Set<string>();
    const records = picked.filter((r) => !seen.has(r.key) && seen.add(r.key)).map((r) => ({ key: r.key, refs: r.refs }));
    const { exportCache } = await import('../../runtime/remote-cache/cache-io.js');
    const n = await exportCache(location, { records, snapshotter: x.snapshotter, lazy: x.lazy, store: x.store, registry: x.registry, signal: x.signal });
    x.log(`exported cache to ${where(location)}: ${n.records} results, ${n.layers} layers (mode=${t.mode})\n`);
  }
}

/** The inline cache of an exported image: the final result's key over the image's own layers. */
export function inlineCache(finalKey: string): (layers: readonly { readonly desc: { mediaType: string; digest: string; size: number }; readonly diffId: string }[]) => { [k: string]: unknown } {
  return (layers) => ({
    [INLINE_CACHE_FIELD]: {
      version: 1,
      layers: layers.map((l) => ({ mediaType: l.desc.mediaType, digest: l.desc.digest, size: l.desc.size, diffId: l.diffId })),
      records: [{ key: finalKey, outputs: [layers.map((_, i) => i)] }],
    },
  });
}
